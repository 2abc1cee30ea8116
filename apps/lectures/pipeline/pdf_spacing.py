"""Re-spacing of letter-spaced text-layer lines (code listings, typewriter and fixed-column text).

pdfium inserts a "generated" space wherever the gap between two glyphs exceeds a fraction of the *glyph*
width, so text set on a fixed grid (LaTeX listings with ``columns=fixed``, letter-by-letter positioned
typewriter text) comes out as ``i n t main ( ) {``: narrow letters centred in wide cells leave gaps that look
like spaces. Such lines have two clearly separated kinds of gap, measured in font sizes (em): letter gaps
(up to about half a cell) and word gaps (an empty cell, about 0.5-0.6 em, on top of that). This module
finds that break from the character boxes and rebuilds the line like pdftotext builds words: glyphs closer
than the threshold are joined, farther ones get one space, real space characters from the font are kept.

Only lines that look letter-spaced (several one-glyph tokens separated by generated spaces) are examined,
and only when the geometry shows the pattern clearly; prose lines, whose generated spaces are the word
spaces, are left exactly as pdfium produced them.
"""

from __future__ import annotations

import ctypes
import unicodedata

import pypdfium2.raw as pdfium_c

# glyph kinds in a line
GLYPH = 0  # a visible character with a box
GENERATED = 1  # a space pdfium inserted from geometry
OTHER = 2  # a real space/whitespace from the font, or anything without a usable box

MAX_LETTER_GAP = 0.55  # em: the widest gap that can still be inside a word of letter-spaced text
MIN_WORD_GAP = 0.45  # em: the narrowest gap that can be an empty cell (a word space) in such text
MIN_BREAK = 0.12  # em: letter and word gaps must be at least this far apart
BACKWARDS = -0.3  # em: a glyph this far left of the previous one starts a new run (keep pdfium's choice)
FAR = 3.0  # em: column-sized gaps: always a space, not used to find the break


def looks_letter_spaced(chars: list[str], generated: list[int]) -> bool:
    """Cheap text-only pre-check from the positions of pdfium's generated spaces in ``chars``: at least two
    one-character tokens next to them, and at least one such token per three generated spaces (prose,
    whose generated spaces are word spaces, has far fewer)."""
    n = len(chars)
    singles = set()
    for p in generated:
        if p >= 1 and not chars[p - 1].isspace() and (p < 2 or chars[p - 2].isspace()):
            singles.add(p - 1)
        if p + 1 < n and not chars[p + 1].isspace() and (p + 2 >= n or chars[p + 2].isspace()):
            singles.add(p + 1)
    return len(singles) >= 2 and 3 * len(singles) >= len(generated)


def read_glyphs(raw, start: int, end: int) -> list[tuple]:
    """(char, kind, left, right, bottom, top, em) for text-page indices [start, end), \\r and \\n excluded.

    The box is the tight glyph box; ``em`` is the font size, or the loose (font-height) box height when the
    reported size is obviously not in points (text drawn at size 1 and scaled by the text matrix)."""
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    loose = pdfium_c.FS_RECTF()
    out: list[tuple] = []
    pending_high = 0
    for i in range(start, end):
        u = pdfium_c.FPDFText_GetUnicode(raw, i)
        if 0xD800 <= u < 0xDC00:
            pending_high = u
            continue
        if 0xDC00 <= u < 0xE000 and pending_high:
            u = 0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00)
        pending_high = 0
        ch = chr(u) if u else ""
        if ch in ("\r", "\n", ""):
            continue
        generated = pdfium_c.FPDFText_IsGenerated(raw, i) == 1
        if ch.isspace():
            out.append((ch, GENERATED if generated and ch == " " else OTHER, 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        if generated or not pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            out.append((ch, OTHER, 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        em = pdfium_c.FPDFText_GetFontSize(raw, i)
        lo, hi = bottom.value, top.value
        if not hi - lo <= 1.5 * em and pdfium_c.FPDFText_GetLooseCharBox(raw, i, ctypes.byref(loose)):
            em = 0.8 * (loose.top - loose.bottom)
        if not em > 0:
            out.append((ch, OTHER, 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        out.append((ch, GLYPH, left.value, right.value, lo, hi, em))
    return out


def _find_break(gaps: list[float]) -> tuple[float, float] | None:
    """(a, b): the widest jump between consecutive sorted gaps that can separate letter from word gaps."""
    vals = sorted(gaps)
    best = None
    for a, b in zip(vals, vals[1:], strict=False):
        if a > MAX_LETTER_GAP:
            break
        if b < MIN_WORD_GAP or b - a < MIN_BREAK:
            continue
        if best is None or b - a > best[1] - best[0]:
            best = (a, b)
    if best is None:
        return None
    # the letter gaps must form one cluster: a break inside them (letter gaps vs ordinary word spaces in
    # prose) as large as half the break found means the "letter" cluster already holds the word spaces
    lower = [v for v in vals if v <= best[0]]
    inner = max((y - x for x, y in zip(lower, lower[1:], strict=False)), default=0.0)
    if best[1] - best[0] < 2 * inner:
        return None
    return best


def respace(glyphs: list[tuple]) -> list[str] | None:
    """Characters of the re-spaced line, or None to keep pdfium's text (not letter-spaced, or unsure)."""
    idx = [i for i, g in enumerate(glyphs) if g[1] == GLYPH]
    if len(idx) < 3:
        return None
    if any(unicodedata.bidirectional(glyphs[i][0]) in ("R", "AL") for i in idx):
        return None  # right-to-left text: boxes do not run left to right in text order
    # boundaries between consecutive glyphs: (prev, next, gap in em or None when fixed, generated space between,
    # any space between)
    bounds: list[tuple[int, int, float | None, bool, bool]] = []
    backwards = 0
    for p, q in zip(idx, idx[1:], strict=False):
        between = glyphs[p + 1 : q]
        gp, gq = glyphs[p], glyphs[q]
        em = max(gp[6], gq[6])
        if any(g[1] == OTHER for g in between) or gq[4] > gp[5] + 0.5 * em or gq[5] < gp[4] - 0.5 * em:
            # real space, unknown char or another baseline: keep as is
            bounds.append((p, q, None, False, any(g[0].isspace() for g in between)))
            continue
        gap = (gq[2] - gp[3]) / em
        if gap < BACKWARDS:
            backwards += 1
        bounds.append((p, q, gap, bool(between), bool(between)))
    if backwards * 10 > len(bounds):
        return None  # rotated or reordered text
    measured = [max(0.0, b[2]) for b in bounds if b[2] is not None and BACKWARDS <= b[2] <= FAR]
    found = _find_break(measured)
    if found is None:
        return None
    threshold = (found[0] + found[1]) / 2

    # evidence that the generated spaces below the threshold split words rather than separate them
    low_gen = [b for b in bounds if b[3] and b[2] is not None and BACKWARDS <= b[2] < threshold]
    if not low_gen:
        return None
    low_plain = [b[2] for b in bounds if not b[3] and b[2] is not None and BACKWARDS <= b[2] < threshold]
    interleaved = bool(low_plain) and min(b[2] for b in low_gen) <= max(low_plain)
    if not interleaved:
        # or letters split one by one ("i n t", "e r r o r"): a generated space between two letters that
        # are each a token of their own
        single = {
            i
            for n, i in enumerate(idx)
            if (n == 0 or bounds[n - 1][4]) and (n == len(idx) - 1 or bounds[n][4])
        }
        if not any(
            b[0] in single and b[1] in single and glyphs[b[0]][0].isalpha() and glyphs[b[1]][0].isalpha()
            for b in low_gen
        ):
            return None

    out = [g[0] for g in glyphs[: idx[0]]]
    for p, q, gap, has_gen, _ in bounds:
        out.append(glyphs[p][0])
        if gap is None or gap < BACKWARDS or (gap >= threshold and has_gen):
            out.extend(g[0] for g in glyphs[p + 1 : q])
        elif gap >= threshold:
            out.append(" ")
    out.append(glyphs[idx[-1]][0])
    out.extend(g[0] for g in glyphs[idx[-1] + 1 :])
    return out

