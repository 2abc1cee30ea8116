"""Re-spacing of letter-spaced text-layer lines (code listings, typewriter and fixed-column text).

pdfium inserts a "generated" space wherever the gap between two glyphs exceeds a fraction of the *glyph*
width, so text set on a fixed grid (LaTeX listings with ``columns=fixed``, letters positioned one by one)
comes out as ``i n t main ( ) {``: narrow letters centred in wide cells leave gaps that look like spaces.
Such lines have two clearly separated kinds of gap, measured in font sizes (em): letter gaps (up to about
half a cell) and word gaps (an empty cell, 0.5-0.6 em, more). This module finds that break in the line's
character boxes and rebuilds the line the way pdftotext builds words: glyphs closer than the threshold are
joined, farther ones get one space, real space characters from the font are kept as they are.

Only lines that look letter-spaced (one-glyph tokens next to generated spaces) are examined, and they are
changed only when the geometry shows the pattern clearly; prose, whose generated spaces are its word
spaces, keeps exactly the text pdfium produced.
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
MIN_CELL_BREAK = 0.3  # em: ... or this far when pdfium spaced every letter (a word gap adds an empty cell)
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
    best = None  # (index of a, a, b)
    for k in range(len(vals) - 1):
        a, b = vals[k], vals[k + 1]
        if a > MAX_LETTER_GAP:
            break
        if b >= MIN_WORD_GAP and b - a >= MIN_BREAK and (best is None or b - a > best[2] - best[1]):
            best = (k, a, b)
    if best is None:
        return None
    k, a, b = best
    # The letter gaps must form one cluster. In prose they hold two (letters within words, then the word
    # spaces, with a wider sentence or label gap above), so a split inside them with a couple of gaps on
    # each side, at least half as wide as the break, means the break is not between letters and words.
    # (A lone outlier such as an overhanging "m" is not such a split.)
    lower = vals[: k + 1]
    inner = max((lower[j] - lower[j - 1] for j in range(max(2, len(lower) // 4), len(lower) - 1)), default=0.0)
    if b - a < 2 * inner:
        return None
    return a, b


def respace(glyphs: list[tuple]) -> list[str] | None:
    """Characters of the re-spaced line, or None to keep pdfium's text (not letter-spaced, or unsure)."""
    idx = [i for i, g in enumerate(glyphs) if g[1] == GLYPH]
    if len(idx) < 3:
        return None
    if any(unicodedata.bidirectional(glyphs[i][0]) in ("R", "AL") for i in idx):
        return None  # right-to-left text: boxes do not run left to right in text order
    # boundaries between consecutive glyphs: (prev, next, gap in em or None when kept as is, generated space
    # between, any space between)
    bounds: list[tuple[int, int, float | None, bool, bool]] = []
    backwards = 0
    for p, q in zip(idx, idx[1:], strict=False):
        between = glyphs[p + 1 : q]
        gp, gq = glyphs[p], glyphs[q]
        em = max(gp[6], gq[6])
        spaced = bool(between)
        if any(g[1] == OTHER for g in between) or gq[4] > gp[5] + 0.5 * em or gq[5] < gp[4] - 0.5 * em:
            # real space, unknown char or another baseline: keep as is
            bounds.append((p, q, None, False, any(g[0].isspace() for g in between)))
        elif gq[2] < gp[2] - 0.3 * em:
            backwards += 1  # a new run further left: keep pdfium's choice
            bounds.append((p, q, None, False, spaced))
        else:
            # overlaps (ligature parts sharing one box, accents, kerning) count as touching
            bounds.append((p, q, max(0.0, (gq[2] - gp[3]) / em), spaced, spaced))
    if backwards * 10 > len(bounds):
        return None  # rotated or reordered text
    measured = [b[2] for b in bounds if b[2] is not None and b[2] <= FAR]
    found = _find_break(measured)
    if found is None:
        return None
    threshold = (found[0] + found[1]) / 2

    # Evidence that the generated spaces below the threshold split words rather than separate them:
    # - most of them touch a one-glyph token ("e r r o r", "cou t", ": 8 :"); in prose they sit between words;
    # - pdfium put some of them at gaps it left unspaced elsewhere in the line ("cou t" next to "endl"), or
    #   else it split letters one by one ("i n t") and the word gaps are wider by about an empty cell, far
    #   more than a sentence space or a stretched word space is wider than an ordinary one in prose.
    low_gen = [b for b in bounds if b[3] and b[2] is not None and b[2] < threshold]
    if not low_gen:
        return None
    single = {i for n, i in enumerate(idx) if (n == 0 or bounds[n - 1][4]) and (n == len(idx) - 1 or bounds[n][4])}
    if 2 * sum(1 for b in low_gen if b[0] in single or b[1] in single) < len(low_gen):
        return None
    low_plain = [b[2] for b in bounds if not b[3] and b[2] is not None and b[2] < threshold]
    interleaved = bool(low_plain) and min(b[2] for b in low_gen) <= max(low_plain)
    letter_by_letter = found[1] - found[0] >= MIN_CELL_BREAK and any(
        b[0] in single and b[1] in single and glyphs[b[0]][0].isalpha() and glyphs[b[1]][0].isalpha() for b in low_gen
    )
    if not (interleaved or letter_by_letter):
        return None

    out = [g[0] for g in glyphs[: idx[0]]]
    for p, q, gap, has_gen, _ in bounds:
        out.append(glyphs[p][0])
        if gap is None or (gap >= threshold and has_gen):
            out.extend(g[0] for g in glyphs[p + 1 : q])
        elif gap >= threshold:
            out.append(" ")
    out.append(glyphs[idx[-1]][0])
    out.extend(g[0] for g in glyphs[idx[-1] + 1 :])
    return out
