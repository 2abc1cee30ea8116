"""Text conversions shared by the exporters and importers: HTML, cloze syntax, multiple-choice fronts, tags,
GUIDs and the spreadsheet formula guard. Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import genanki

GUID_NAMESPACE = "mysmartnotes"
MAX_FIELD_CHARS = 100_000  # longer imported fields are cut (with a warning)

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: ``{{c1::answer}}`` or ``{{c1::answer::hint}}`` (Anki cloze deletion).
_CLOZE_START_RE = re.compile(r"\{\{c(\d{1,4})::")
MAX_CLOZE_CHARS = 2000  # an answer (with hint) longer than this is not read as a cloze deletion
#: the app's blank in a cloze front (``____``; three or more underscores).
BLANK_RE = re.compile(r"_{3,}")
BLANK = "____"
_ZWSP = "\u200b"
_OPTION_LINE_RE = re.compile(r"^[ \t]*([A-Z])[).:][ \t]*(.*)$")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SOUND_RE = re.compile(r"\[sound:[^\[\]\n]{0,1000}\]")
_LONG_CHARREF_RE = re.compile(r"&#(?:[xX][0-9a-fA-F]{9,}+|[0-9]{9,}+);?")


def clean_control(text: str) -> str:
    """Drop control characters (Anki's field separator ``\\x1f`` among them); keep tabs and line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def text_to_html(text: str) -> str:
    """Plain text → an Anki field: HTML-escaped, line breaks as ``<br>``."""
    return html.escape(clean_control(text or ""), quote=False).replace("\n", "<br>")


_BLOCK_TAGS = {
    "div", "p", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
# A tag: name, then attributes up to ">" (quoted values may hold "<" or ">"). Possessive quantifiers and bounded
# quotes keep each match attempt short, so scanning stays near-linear on hostile input (html.parser is
# quadratic on e.g. "<a<a<a…", and a backtracking pattern on "<aaaa…").
_TAG_RE = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*+)((?:[^<>"']++|"[^"]{0,2000}+"|'[^']{0,2000}+')*+)>""")
_SRC_RE = re.compile(r"""\bsrc\s{0,20}=\s{0,20}(?:"([^"]{0,1000})"|'([^']{0,1000})'|([^\s"'>]{1,1000}))""", re.I)


def _unescape(text: str) -> str:
    # html.unescape would turn a 5000-digit "&#999…" into an int and fail; no real character is that long
    return html.unescape(_LONG_CHARREF_RE.sub("\ufffd", text)) if "&" in text else text


def html_to_text(field: str) -> tuple[str, list[str], bool]:
    """An Anki HTML field → (plain text, image ``src`` values, whether it had ``[sound:…]``).

    ``<br>`` and block elements become line breaks, entities are decoded, comments, scripts and styles
    dropped, other tags removed. A small linear-time scanner (not ``html.parser``) so that hostile fields
    cannot make it slow.
    """
    s = field or ""
    lowered = s.lower()
    parts: list[str] = []
    images: list[str] = []

    def newline():
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    i, n = 0, len(s)
    while i < n:
        j = s.find("<", i)
        if j < 0:
            parts.append(_unescape(s[i:]))
            break
        if j > i:
            parts.append(_unescape(s[i:j]))
        if s.startswith("<!--", j):
            k = s.find("-->", j + 4)
            if k < 0:
                break  # an unclosed comment hides the rest
            i = k + 3
            continue
        if s.startswith(("<!", "<?"), j):
            k = s.find(">", j)
            if k < 0:
                break
            i = k + 1
            continue
        m = _TAG_RE.match(s, j)
        if not m:
            parts.append("<")
            i = j + 1
            continue
        closing, name, body = m.group(1), m.group(2).lower(), m.group(3)
        i = m.end()
        if name in ("script", "style") and not closing:
            k = lowered.find("</" + name, i)
            if k < 0:
                break
            k2 = s.find(">", k)
            i = n if k2 < 0 else k2 + 1
        elif name == "br":
            parts.append("\n")
        elif name == "img" and not closing:
            src = _SRC_RE.search(body)
            if src:
                value = _unescape(next(g for g in src.groups() if g is not None)).strip()
                if value:
                    images.append(value)
        elif name in _BLOCK_TAGS:
            newline()
    text = "".join(parts).replace("\xa0", " ")
    had_sound = bool(_SOUND_RE.search(text))
    text = _SOUND_RE.sub("", text)
    return clean_control(text).strip(), images, had_sound


def cut(text: str, what: str, warnings: list[str]) -> str:
    if len(text) > MAX_FIELD_CHARS:
        warnings.append(f"The {what} was longer than {MAX_FIELD_CHARS:,} characters and was shortened.")
        return text[:MAX_FIELD_CHARS]
    return text


# --- cloze --------------------------------------------------------------------------------------------------------


def _protect(term: str) -> str:
    """Keep ``::`` and ``}}`` inside a cloze answer from ending it (a zero-width space goes in between)."""
    return term.replace("::", f":{_ZWSP}:").replace("}}", f"}}{_ZWSP}}}")


def _unprotect(text: str) -> str:
    return text.replace(f":{_ZWSP}:", "::").replace(f"}}{_ZWSP}}}", "}}")


@dataclass(frozen=True)
class _Cloze:
    start: int
    end: int
    number: str
    answer: str
    hint: str


def _clozes(text: str) -> list[_Cloze]:
    """The ``{{cN::answer[::hint]}}`` deletions of ``text``, found with bounded ``str.find`` scans (a regex with
    lazy groups is quadratic on e.g. ``"{{c1::" * 20000``)."""
    found: list[_Cloze] = []
    pos = 0
    while True:
        m = _CLOZE_START_RE.search(text, pos)
        if not m:
            return found
        close = text.find("}}", m.end(), m.end() + MAX_CLOZE_CHARS + 2)
        if close < 0:
            pos = m.start() + 1
            continue
        answer, _, hint = text[m.end() : close].partition("::")
        found.append(_Cloze(m.start(), close + 2, m.group(1), answer, hint))
        pos = close + 2


def has_cloze(text: str) -> bool:
    return bool(_clozes(text or ""))


def cloze_answers(text: str) -> list[str]:
    """The distinct cloze answers of ``text`` in reading order."""
    seen: list[str] = []
    for c in _clozes(text):
        answer = _unprotect(c.answer.strip())
        if answer and answer not in seen:
            seen.append(answer)
    return seen


def cloze_to_anki(front: str, back: str) -> tuple[str, str] | None:
    """An app cloze card → plain (Text, Back Extra) for Anki's cloze note type, or ``None`` if it has no blank.

    - a front in cloze syntax is kept; the back becomes Back Extra unless it just repeats the answers;
    - a front with a ``____`` blank gets ``{{c1::term}}`` in place of every blank, the term being the back
      (up to its first blank line; the rest becomes Back Extra).
    """
    front = clean_control(front or "")
    back = clean_control(back or "").strip()
    if has_cloze(front):
        joined = "; ".join(cloze_answers(front))
        if back == joined:
            return front, ""
        if back.startswith(joined + "\n\n"):
            return front, back[len(joined) + 2 :].strip()
        return front, back
    if BLANK_RE.search(front):
        term, _, extra = back.partition("\n\n")
        term = term.strip()
        if not term:
            return None
        cloze = "{{c1::" + _protect(term) + "}}"
        return BLANK_RE.sub(lambda _m: cloze, front), extra.strip()
    return None


def cloze_from_anki(text: str, extra: str) -> tuple[str, str]:
    """Plain Anki cloze Text + Back Extra → (front, back) for the app.

    A note with a single answer (one ``c1`` deletion, possibly repeated, no hint) becomes the app's own form:
    ``____`` in place of the deletion, the answer as the back. Anything richer keeps the cloze syntax in the
    front, and the back lists the answers (``"; "``-separated). A Back Extra different from that is appended
    after a blank line.
    """
    clozes = _clozes(text)
    distinct = {(c.number, c.answer.strip()) for c in clozes}
    hints = any(c.hint for c in clozes)
    if len(distinct) == 1 and not hints and next(iter(distinct))[1]:
        pieces, last = [], 0
        for c in clozes:
            pieces += [text[last : c.start], BLANK]
            last = c.end
        front = "".join(pieces) + text[last:]
        back = _unprotect(next(iter(distinct))[1])
    else:
        front = text
        back = "; ".join(cloze_answers(text))
    extra = (extra or "").strip()
    if extra and extra != back:
        back = f"{back}\n\n{extra}" if back else extra
    return _unprotect(front).strip(), back.strip()


# --- multiple choice ----------------------------------------------------------------------------------------------


def _bare_option(option: str, letter: str) -> str:
    option = " ".join(clean_control(option or "").split())
    m = _OPTION_LINE_RE.match(option)
    if m and m.group(1) == letter:
        return m.group(2).strip()
    return option


def mcq_front(stem: str, options: list[str]) -> str:
    """The question with its options listed ``A) …`` one a line after a blank line (at most 26)."""
    stem = clean_control(stem or "").rstrip()
    if not options:
        return stem
    lines = [f"{letter}) {_bare_option(opt, letter)}" for letter, opt in zip(_LETTERS, options, strict=False)]
    return f"{stem}\n\n" + "\n".join(lines) if stem else "\n".join(lines)


def split_mcq(front: str) -> tuple[str, list[str]] | None:
    """Undo :func:`mcq_front`: ``(stem, options)`` when ``front`` ends with 2+ lines ``A) …``, ``B) …``, …"""
    lines = front.split("\n")
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and _OPTION_LINE_RE.match(lines[start - 1]):
        start -= 1
    block = [_OPTION_LINE_RE.match(line) for line in lines[start:end]]
    # the block must run A, B, C, … : drop leading lines until it does (a stem may end with "A. Lincoln")
    while block and [m.group(1) for m in block] != list(_LETTERS[: len(block)]):
        block.pop(0)
        start += 1
    if len(block) < 2:
        return None
    stem = "\n".join(lines[:start]).strip()
    if not stem:
        return None
    return stem, [m.group(2).strip() for m in block]


# --- tags, GUIDs, spreadsheet guard -------------------------------------------------------------------------------


def anki_tags(tags: list[str]) -> list[str]:
    """Tags Anki accepts: no spaces (runs of whitespace become ``_``), no empties, no duplicates."""
    out: list[str] = []
    for tag in tags or []:
        tag = "_".join(clean_control(str(tag)).split())
        if tag and tag not in out:
            out.append(tag)
    return out


def parse_tags(value: str) -> list[str]:
    out: list[str] = []
    for tag in (value or "").split():
        if tag not in out:
            out.append(tag)
    return out


def card_guid(card) -> str:
    """The note GUID of a :class:`CardData`: its own, or derived from its id (stable across exports)."""
    if card.guid:
        return card.guid
    if card.card_id is not None:
        return genanki.guid_for(GUID_NAMESPACE, card.card_id)
    return genanki.guid_for(GUID_NAMESPACE, card.card_type, card.front, card.back)


_FORMULA_RE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED_FORMULA_RE = re.compile(r"'+[=+\-@\t\r]")


def neutralise_cell(value: str) -> str:
    """Spreadsheet formula guard: a cell starting with ``= + - @``, tab or CR gets a leading ``'``.

    A cell that already starts with ``'`` followed by one of those gets one more ``'``, so that
    :func:`restore_cell` gives back exactly what was written.
    """
    return "'" + value if _FORMULA_RE.match(value) else value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell`: drop one leading ``'`` when it stands before ``= + - @``, tab or CR."""
    return value[1:] if _QUOTED_FORMULA_RE.match(value) else value
