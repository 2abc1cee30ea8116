"""Split a past exam's text into its questions (no Django).

Input is the exam's text page by page, as the ingestion pipeline gives it (``clean_pages(extract(...))``), or
any plain text (``split_exam_text``; form feeds separate pages, as in ``pdftotext`` output). Output is a list
of :class:`~smartnotes.generation.types.ExamQuestion` in paper order.

How it works
------------
1. *Exam chrome is removed* line by line: "Page 3 of 6" / "Page 2: C++" lines, bare page numbers at a page
   edge, header/footer lines repeated at the edge of most pages (digits may change), form fields ("Name:",
   "Email ID ____", "UVa userid:"), answer blanks (``_____``), "(continued)" / "Turn over" notes, "This page
   intentionally left blank", and whole filler pages (scratch paper, "no questions here"). Everything after an
   "End of exam" line is dropped.
2. *Question numbering is found from its sequence*, not from single lines. Every line that starts like a
   question label is a candidate, in one of four styles: ``Question 3`` / ``Problem 2`` (also Exercise, Task),
   ``Q3`` / ``Q 3:``, ``1.`` and ``1)``. Within a style the splitter picks the chain of candidates whose numbers
   go up by one (a gap of one or two missing numbers is tolerated at a cost, going backwards never is) with the
   best score. A candidate scores up when it carries a points marker or follows a blank line, and down when the
   rest of its line looks like code (``1. int x;``), starts in lower case, or belongs to a restarted ``1, 2, 3``
   run that sits inside another question (an option list); skipping over plausible candidates costs a little,
   so that the chain does not hop through a numbered list. Explicit "Question N" / "QN" chains win over bare
   numbers when they have at least two members. Text before the first question (cover page, instructions) is
   not a question.
3. *Points* ``[6 points]``, ``(5 marks)``, ``[2 pts]``, ``[Total: 10 marks]`` become ``ExamQuestion.points``
   and are removed from the text ("(2 points each)" is left alone: it is not the question's total).
4. *Line breaks are kept*, so code listings stay readable; code lines keep their relative indentation and prose
   lines lose theirs.
5. *No recognisable numbering*: one question per paragraph (blank-line separated). Paragraphs that look like
   code are attached to the paragraph before them, cover-page instructions, very short paragraphs and
   one-line headings (a few words, no end punctuation) are skipped, and a paragraph made only of "• " items (a
   Word file's automatic numbering, which the pipeline turns into bullets) gives one question per item unless
   it follows a stem ending in "?" or ":" (then they are its options). Labels are then synthetic: "1", "2", ....

Sub-parts ``(a)`` / ``a)`` / ``a.`` / ``(i)`` — see :func:`split_exam` for the policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .types import ExamQuestion

__all__ = [
    "labels_are_sequential",
    "merge_questions",
    "renumber",
    "split_exam",
    "split_exam_text",
    "split_question",
]

# --- tunables ------------------------------------------------------------------------------------------

EDGE_LINES = 3  # lines at the top/bottom of a page searched for running headers/footers
TINY_PART_CHARS = 40  # sub-parts shorter than this on average are kept with their parent
MIN_PARAGRAPH_CHARS = 25  # fallback: shorter paragraphs are skipped (unless they end with "?" or ":")
HEADLINE_WORDS = 8  # fallback: a one-line paragraph this short without end punctuation is a heading
FILLER_PAGE_CHARS = 400  # a page with a "left blank" note is dropped only when it has no more text than this

_BASE = 1.0
_POINTS_BONUS = 1.5
_KEYWORD_BONUS = 0.5
_BLANK_BEFORE_BONUS = 0.2
_CODE_PENALTY = 2.5
_LOWER_PENALTY = 0.5
_EMPTY_PENALTY = 0.3
_SHORT_PENALTY = 0.3
_SHORT_CHARS = 30
_NESTED_PENALTY = 0.6
_START_PENALTY = 1.0  # a chain that does not start at 1
_GAP_PENALTY = {1: 0.0, 2: 0.8, 3: 1.6}  # number step -> cost; bigger steps are not allowed
_SKIP_PENALTY = 0.3  # per plausible candidate jumped over between two chain members ...
_SKIP_CAP = 0.9  # ... at most this much per step
_MIN_MEAN_SCORE = 0.3  # a chain whose members score less than this on average is not a question numbering

# --- patterns ------------------------------------------------------------------------------------------

_POINTS = re.compile(
    r"[\[(]\s*(?:total\s*:?\s*)?(\d{1,3}(?:\.\d+)?)\s*(?:points?|pts?\.?|marks?|mks?\.?)(?:\s+total)?\s*[\])]",
    re.I,
)

_KEYWORD_LABEL = re.compile(
    r"^(?:Question|QUESTION|Problem|PROBLEM|Exercise|EXERCISE|Task|TASK)\s*(?:No\.?\s*|#\s*)?(\d{1,3})(?![\d.,]\d)\b"
    r"\s*(?:[:.)\-–—]\s*)?"
)
_Q_LABEL = re.compile(r"^Q\s?(\d{1,3})(?![\d.,]\d)\b\s*(?:[:.)\-–—]\s*)?")
_DOT_LABEL = re.compile(r"^(\d{1,3})\s?\.(?:[ \t]+|$|(?=[A-Z(\[]))")
_PAREN_LABEL = re.compile(r"^(\d{1,3})\s?\)(?:[ \t]+|$|(?=[A-Z(\[]))")
# style name, pattern, explicit (a keyword label), label format
_STYLES = (
    ("keyword", _KEYWORD_LABEL, True, "{n}"),
    ("q", _Q_LABEL, True, "Q{n}"),
    ("dot", _DOT_LABEL, False, "{n}"),
    ("paren", _PAREN_LABEL, False, "{n}"),
)

_PART_LINE = re.compile(
    r"^[ \t]*(?:\((?P<p>[a-z]|[ivx]{1,5})\)|(?P<c>[a-z]|[ivx]{1,5})\)|(?P<d>[a-z])\.)(?:[ \t]+|$|(?=\[))", re.M
)
_PART_INLINE = re.compile(r"(?<=[.?!:;])[ \t]+\((?P<p>[a-z]|[ivx]{1,5})\)[ \t]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_OPTIONS_STEM = re.compile(
    r"which\s+(?:one\s+)?of\s+the\s+following|\b(?:choose|select|circle|tick)\b|true\s+or\s+false|multiple[- ]choice",
    re.I,
)

_PAGE_LINE = re.compile(r"^(?:page|pg\.?|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*[:|–—-]\s*.{0,80})?$", re.I)
_PAGE_OF = re.compile(r"\bpage\s+\d{1,4}\s*(?:of|/)\s*\d{1,4}\b", re.I)
_BARE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(\d{1,4})(?:\s*[-–—])?$|^(\d{1,4})\s*(?:/|of)\s*\d{1,4}$", re.I)
_FIELD_WORD = (
    r"(?:(?:your|full|first|last|family|given|printed|student'?s?|uva|computing|university|e-?mail) )?"
    r"(?:name|id(?: (?:number|no))?|e-?mail(?: (?:id|address))?|user ?id|userid|user ?name|login|net ?id|"
    r"signature|signed|date|section|seat(?: (?:number|no))?|row|instructor|lecturer|professor|lab(?: section)?|"
    r"ta|student (?:number|no)|candidate (?:number|no))"
)
_FIELD_LINE = re.compile(rf"^{_FIELD_WORD}(?: {_FIELD_WORD})*$")
_ANSWER_BLANK = re.compile(r"^[\s_.…·]*$")
_CONTINUED = re.compile(
    r"^\(?\s*(?:continued|cont(?:'d|\.)?)(?:\s+(?:on|from)\s+(?:the\s+)?(?:next|previous|back|reverse|other)"
    r"\s+(?:page|side))?\s*\)?\.?$"
    r"|^\(?\s*(?:please\s+)?turn\s+over\.?\s*\)?$|^p\.?\s?t\.?\s?o\.?$"
    r"|^\(?\s*(?:see|go\s+to)\s+(?:the\s+)?next\s+page\.?\s*\)?$",
    re.I,
)
_BLANK_NOTE = re.compile(
    r"^\(?\s*(?:this\s+page\s+(?:has\s+been\s+|is\s+|was\s+)?)?(?:intentionally|unintentionally|deliberately)"
    r"\s+left\s+blank\.?\s*\)?$",
    re.I,
)
_FILLER = re.compile(
    r"\b(?:intentionally|unintentionally|deliberately)\s+(?:been\s+)?left\s+blank\b"
    r"|\bscratch\s+(?:paper|work|space|page)\b|\bno\s+questions?\s+(?:here|on\s+this\s+page)\b"
    r"|\bblank\s+page\b|\bextra\s+(?:answer\s+)?(?:space|paper|page)\b",
    re.I,
)
_END = re.compile(
    r"^[\s*=_–—-]*(?:the\s+)?end\s+of\s+(?:the\s+)?(?:exam(?:ination)?|paper|test|quiz|questions)\b[\s\w.!*=_–—-]*$",
    re.I,
)
_SECTION_HEADING = re.compile(r"^(?i:part|section)\s+(?:[A-Z]|[IVX]{1,4}|\d{1,2})\b[^?]{0,80}$")
_INSTRUCTION = re.compile(
    r"closed[- ](?:book|notes?)|open[- ](?:book|notes?)|honou?r\s+(?:pledge|code|statement)"
    r"|\bI\s+(?:hereby\s+)?pledge\b"
    r"|pens?\s+down|write\s+your\s+(?:name|e-?mail|id|student|userid|user\s+id)"
    r"|there\s+are\s+\d+\s+(?:pages|questions)|this\s+(?:exam|test|paper|quiz)\s+(?:has|contains|consists|is\s+worth)"
    r"|time\s+allowed|\bduration\s*:|(?:answer|attempt)\s+(?:all|any|both|\w+)\s+(?:of\s+the\s+)?questions"
    r"|good\s+luck|do\s+not\s+(?:open|turn|begin|start|write\s+on)|calculators?\s+(?:are|is)\s+(?:not\s+)?"
    r"(?:allowed|permitted)|(?:questions|parts)\s+are\s+worth|^\s*instructions?\s*:?\s*$",
    re.I,
)

_CODE_END = re.compile(r"[;{}]\s*$|^[{}]")
_CODE_START = re.compile(
    r"^(?:#\s*include|#\s*define|import\s+\w|from\s+[\w.]+\s+import|def\s+\w+\s*\(|class\s+\w+\s*[:({]|return\b"
    r"|public\s|private\s|protected\s|static\s|template\s*<|cout\b|cin\b|printf\s*\(|std::|print\s*\(|for\s*\("
    r"|while\s*\(|if\s*\(|else\b|switch\s*\(|case\s+\w+\s*:|//|/\*|\*/|>>>\s"
    r"|(?:for|while|if|elif|with|try|except|finally|def|class)\b[^:]*:$)"
)
_CODE_DECL = re.compile(
    r"^(?:int|float|double|char|void|bool|long|short|unsigned|auto|const|string|struct)\s+[\w*&\[\]]+\s*(?:[=;(\[,]|$)"
)
_CODE_SYMBOLS = frozenset("=+*/%<>&|^~!{}[]();")


def _code_like(line: str) -> bool:
    """Whether one line reads like program text rather than prose."""
    s = line.strip()
    if not s:
        return False
    if _CODE_END.search(s) or _CODE_START.match(s) or _CODE_DECL.match(s):
        return True
    compact = s.replace(" ", "")
    symbols = sum(ch in _CODE_SYMBOLS for ch in compact)
    return len(compact) >= 3 and symbols / len(compact) >= 0.25 and len(s.split()) <= 12


def _points_value(raw: str) -> int:
    return round(float(raw))


def _take_points(text: str) -> tuple[str, int | None]:
    """Remove the first points marker from ``text``; return (text, points)."""
    m = _POINTS.search(text)
    if not m:
        return text, None
    before, after = text[: m.start()].rstrip(" \t"), text[m.end() :].lstrip(" \t")
    glue = " " if before and not before.endswith("\n") and after and not after.startswith("\n") else ""
    return before + glue + after, _points_value(m.group(1))


# --- preparing the text --------------------------------------------------------------------------------


def _normalise(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # pdfium writes a line-end hyphenation hyphen as \x02; soft hyphens and no-break spaces carry no meaning here
    text = text.replace("\x02\n", "").replace("\x02", "").replace("\u00ad", "").replace("\xa0", " ")
    text = text.replace("\t", "    ")
    return [line.rstrip() for line in text.split("\n")]


def _label_match(line: str) -> tuple[str, re.Match] | None:
    s = line.lstrip()
    for name, pattern, _explicit, _fmt in _STYLES:
        m = pattern.match(s)
        if m:
            return name, m
    return None


def _norm_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) <= 2 * EDGE_LINES:
        return filled
    return filled[:EDGE_LINES] + filled[-EDGE_LINES:]


def _is_form_field(line: str) -> bool:
    s = " ".join(re.sub(r"[_.:#…/]+", " ", line).split()).lower()
    return bool(s) and len(s) <= 60 and bool(_FIELD_LINE.match(s))


def _is_chrome(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _PAGE_LINE.match(s) or _CONTINUED.match(s) or _BLANK_NOTE.match(s):
        return True
    if len(s.split()) <= 15 and _PAGE_OF.search(s):
        return True
    if _ANSWER_BLANK.match(s) and (s.count("_") >= 3 or s.count(".") + 3 * s.count("…") >= 5):
        return True
    return _is_form_field(s)


def _prepare(pages: list[tuple[int, str]]) -> list[str]:
    """The exam's lines without chrome; pages are separated by a blank line."""
    page_lines = [(number, _normalise(text or "")) for number, text in pages]

    # whole filler pages: a "left blank" / scratch-paper note, no question on the page, little else on it
    kept: list[tuple[int, list[str]]] = []
    for number, lines in page_lines:
        body = [line for line in lines if line.strip() and not _is_chrome(line)]
        text = "\n".join(lines)
        if (
            _FILLER.search(text)
            and not any(_label_match(line) for line in body)
            and sum(len(line.strip()) for line in body) <= FILLER_PAGE_CHARS
        ):
            continue
        kept.append((number, lines))

    # running headers/footers: the same line (digits may differ) at the edge of most pages
    running: set[str] = set()
    if len(kept) >= 2:
        counts: dict[str, int] = {}
        for _number, lines in kept:
            seen = set()
            for i in _edge_indexes(lines):
                line = lines[i].strip()
                if len(line) > 120 or len(line.split()) > 15 or _label_match(line) or _BARE_NUMBER.match(line):
                    continue
                seen.add(_norm_key(line))
            for key in seen:
                counts[key] = counts.get(key, 0) + 1
        need = max(2, (len(kept) + 1) // 2)
        running = {key for key, count in counts.items() if count >= need}

    out: list[str] = []
    for number, lines in kept:
        edges = set(_edge_indexes(lines))
        edge_ends = {i for i in edges if i in (min(edges), max(edges))} if edges else set()
        page_out: list[str] = []
        for i, line in enumerate(lines):
            s = line.strip()
            if i in edges and _norm_key(s) in running:
                continue
            if i in edge_ends:
                m = _BARE_NUMBER.match(s)
                if m and abs(int(m.group(1) or m.group(2)) - number) <= 2:
                    continue
            if _is_chrome(s):
                continue
            if len(s.split()) <= 8 and _END.match(s):
                out.extend(page_out)
                return _trim_blank(out)
            page_out.append(line)
        if out and out[-1] != "":
            out.append("")
        out.extend(page_out)
    return _trim_blank(out)


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# --- tidying a question's text -------------------------------------------------------------------------


def _tidy(lines: list[str]) -> str:
    """Join lines, keeping line breaks: prose lines are stripped, code keeps its relative indentation, runs of
    blank lines become one."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        code_at = next((k for k, line in enumerate(run) if _code_like(line)), None)
        if code_at is None:
            out.extend(line.strip() for line in run)
        else:
            out.extend(line.strip() for line in run[:code_at])
            indent = min(len(line) - len(line.lstrip()) for line in run[code_at:] if line.strip())
            out.extend(line[indent:].rstrip() for line in run[code_at:])
        run.clear()

    for line in lines:
        if line.strip():
            run.append(line.rstrip())
        else:
            flush()
            if out and out[-1] != "":
                out.append("")
    flush()
    return "\n".join(out).strip()


# --- numbered questions --------------------------------------------------------------------------------


@dataclass
class _Cand:
    line: int
    style: str
    number: int
    label: str
    rest: str
    score: float


def _candidates(lines: list[str]) -> dict[str, list[_Cand]]:
    by_style: dict[str, list[_Cand]] = {}
    explicit = {name: flag for name, _p, flag, _f in _STYLES}
    formats = {name: fmt for name, _p, _e, fmt in _STYLES}
    for i, line in enumerate(lines):
        found = _label_match(line)
        if not found:
            continue
        style, m = found
        number = int(m.group(1))
        if not 1 <= number <= 999:
            continue
        rest = line.lstrip()[m.end() :]
        probe = rest
        if not probe.strip():
            probe = next((nxt for nxt in lines[i + 1 : i + 3] if nxt.strip()), "")
        score = _BASE + (_KEYWORD_BONUS if explicit[style] else 0.0)
        if _POINTS.search(probe):
            score += _POINTS_BONUS
        words = _POINTS.sub("", probe).strip()
        if not words:
            score -= _EMPTY_PENALTY
        elif _code_like(words):
            score -= _CODE_PENALTY
        elif words[0].islower() or words[0].isdigit():
            score -= _LOWER_PENALTY
        elif len(words) < _SHORT_CHARS and not words.endswith(("?", ".", ":", "!", ")")):
            score -= _SHORT_PENALTY  # "2. Round robin": reads like a list item, not a question
        if i == 0 or not lines[i - 1].strip():
            score += _BLANK_BEFORE_BONUS
        cand = _Cand(i, style, number, formats[style].format(n=number), rest, score)
        by_style.setdefault(style, []).append(cand)
    return by_style


def _nested_flags(cands: list[_Cand]) -> list[bool]:
    """Mark runs 1, 2, 3 ... that restart inside another question: the run starts after a candidate numbered k
    and the candidate right after the run is k + 1 (the outer numbering resumes) without simply continuing the
    run."""
    flags = [False] * len(cands)
    k = 1
    while k < len(cands):
        if cands[k].number != 1:
            k += 1
            continue
        outer = cands[k - 1].number
        end = k
        while end + 1 < len(cands) and cands[end + 1].number == cands[end].number + 1:
            # a number the outer list could resume with belongs to the run only if the outer list resumes
            # right after it with the same number ("... 2. b 3. c 3. Next question")
            resumes_later = end + 2 < len(cands) and cands[end + 2].number == outer + 1
            if cands[end + 1].number == outer + 1 and not resumes_later:
                break
            end += 1
        resume = cands[end + 1] if end + 1 < len(cands) else None
        # the outer list resumes after the run - unless that number merely continues the run (a list of
        # instructions 1-3 before questions 1-4 is not nested)
        if resume is not None and resume.number == outer + 1 and resume.number != cands[end].number + 1:
            for t in range(k, end + 1):
                flags[t] = True
        k = end + 1
    return flags


def _best_chain(cands: list[_Cand]) -> tuple[float, list[_Cand]]:
    if not cands:
        return 0.0, []
    nested = _nested_flags(cands)
    score = [c.score - (_NESTED_PENALTY if flag else 0.0) for c, flag in zip(cands, nested, strict=True)]
    plausible = [0]
    for s in score:
        plausible.append(plausible[-1] + (1 if s > 0 else 0))
    best: list[float] = []
    back: list[int] = []
    seen: dict[int, list[int]] = {}  # number -> indexes of the candidates before j with that number
    for j, c in enumerate(cands):
        value, prev = score[j] - (0.0 if c.number == 1 else _START_PENALTY), -1
        for i in sorted(i for gap in _GAP_PENALTY for i in seen.get(c.number - gap, ())):
            p = cands[i]
            gap = c.number - p.number
            if p.line == c.line:
                continue
            skipped = plausible[j] - plausible[i + 1]
            v = best[i] + score[j] - _GAP_PENALTY[gap] - min(_SKIP_CAP, _SKIP_PENALTY * skipped)
            if v >= value - 1e-9 and (prev != -1 or v > value + 1e-9):  # ties go to the later predecessor
                value, prev = v, i
        best.append(value)
        back.append(prev)
        seen.setdefault(c.number, []).append(j)
    end = max(range(len(cands)), key=lambda j: (round(best[j], 6), -j))
    total = best[end]
    chain = []
    while end != -1:
        chain.append(cands[end])
        end = back[end]
    chain.reverse()
    return total, chain


def _choose_chain(lines: list[str]) -> list[_Cand]:
    explicit = {name: flag for name, _p, flag, _f in _STYLES}
    results = []
    for style, cands in _candidates(lines).items():
        total, chain = _best_chain(cands)
        if not chain or sum(c.score for c in chain) / len(chain) < _MIN_MEAN_SCORE:
            continue  # e.g. only numbered code lines
        if len(chain) >= 2 or explicit[style] or _POINTS.search(chain[0].rest):
            results.append((explicit[style] and len(chain) >= 2, total, -chain[0].line, chain))
    if not results:
        return []
    results.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    return results[0][3]


def _strip_trailing_headings(lines: list[str]) -> list[str]:
    lines = _trim_blank(lines)
    while lines:
        last = lines[-1].strip()
        short = len(last.split()) <= 12
        if not short or not (_SECTION_HEADING.match(last) or (_INSTRUCTION.search(last) and not last.endswith("?"))):
            break
        lines = _trim_blank(lines[:-1])
    return lines


@dataclass
class _Part:
    mark: str  # a, b ... or i, ii ...
    start: int  # offset of the marker in the question text
    end: int  # offset just after the marker
    style: str


def _find_parts(text: str) -> list[_Part]:
    """Sub-part markers (a), (b) ... or (i), (ii) ... in sequence; fewer than two means none."""
    found: list[_Part] = []
    for m in _PART_LINE.finditer(text):
        style = "p" if m.group("p") else ("c" if m.group("c") else "d")
        found.append(_Part(m.group(style), m.start(), m.end(), style))
    for m in _PART_INLINE.finditer(text):
        found.append(_Part(m.group("p"), m.start(), m.end(), "p"))
    found.sort(key=lambda p: p.start)
    first = next((p for p in found if p.mark in ("a", "i")), None)
    if first is None:
        return []
    sequence = _LETTERS if first.mark == "a" else _ROMANS
    parts: list[_Part] = []
    for p in found:
        if p.start < first.start or p.style != first.style or len(parts) >= len(sequence):
            continue
        if p.mark != sequence[len(parts)]:
            continue
        line_end = text.find("\n", p.end)
        if _code_like(_POINTS.sub("", text[p.end : line_end if line_end != -1 else len(text)])):
            continue
        parts.append(p)
    return parts if len(parts) >= 2 else []


def _build_questions(label: str, text: str) -> list[ExamQuestion]:
    """One question's text (label removed) -> one ExamQuestion, or one per sub-part (see ``split_exam``)."""
    parts = _find_parts(text)
    if not parts:
        body, points = _take_points(text)
        body = body.strip()
        return [ExamQuestion(label, body, points)] if body else []
    stem, stem_points = _take_points(text[: parts[0].start])
    stem = stem.strip()
    bodies: list[tuple[str, int | None]] = []
    for k, part in enumerate(parts):
        end = parts[k + 1].start if k + 1 < len(parts) else len(text)
        body, points = _take_points(text[part.end : end])
        bodies.append((body.strip(), points))
    part_points = [p for _b, p in bodies if p is not None]
    tiny = sum(len(b) for b, _p in bodies) / len(bodies) < TINY_PART_CHARS
    options = bool(_OPTIONS_STEM.search(stem)) and not part_points
    points_on_whole = stem_points is not None and not part_points
    if tiny or options or points_on_whole:
        whole = _tidy_markers(stem, text[parts[0].start :].strip())
        total = stem_points if stem_points is not None else (sum(part_points) if part_points else None)
        return [ExamQuestion(label, whole, total)]
    out = []
    for part, (body, points) in zip(parts, bodies, strict=True):
        full = f"{stem}\n\n{body}" if stem else body
        out.append(ExamQuestion(f"{label}({part.mark})", full.strip(), points))
    return out


def _tidy_markers(stem: str, parts_text: str) -> str:
    return f"{stem}\n\n{parts_text}".strip() if stem else parts_text


def _split_numbered(lines: list[str]) -> list[ExamQuestion] | None:
    chain = _choose_chain(lines)
    if not chain:
        return None
    questions: list[ExamQuestion] = []
    for k, cand in enumerate(chain):
        end = chain[k + 1].line if k + 1 < len(chain) else len(lines)
        body = _strip_trailing_headings([cand.rest] + lines[cand.line + 1 : end])
        questions.extend(_build_questions(cand.label, _tidy(body)))
    return questions


# --- fallback: paragraphs ------------------------------------------------------------------------------


def _paragraphs(lines: list[str]) -> list[list[str]]:
    paras: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paras[-1].append(line)
        elif paras[-1]:
            paras.append([])
    return [p for p in paras if p]


def _split_paragraphs(lines: list[str]) -> list[ExamQuestion]:
    items: list[str] = []
    for para in _paragraphs(lines):
        text = _tidy(para)
        filled = [line for line in para if line.strip()]
        if sum(_code_like(line) for line in filled) * 2 >= len(filled):
            if items:
                items[-1] = f"{items[-1]}\n\n{text}"
            continue
        if len(filled) >= 2 and all(line.lstrip().startswith("•") for line in filled):
            if items and items[-1].rstrip().endswith(("?", ":")):
                items[-1] = f"{items[-1]}\n{text}"
            else:
                items.extend(line.lstrip().lstrip("•").strip() for line in filled)
            continue
        if _INSTRUCTION.search(text) and not text.endswith("?"):
            continue
        if (len(text) < MIN_PARAGRAPH_CHARS or len(text.split()) < 3) and not (
            text.endswith(("?", ":")) and len(text.split()) >= 2
        ):
            continue
        if len(filled) == 1 and len(text.split()) <= HEADLINE_WORDS and not text.endswith(("?", ".", "!", ":")):
            continue  # a title or section heading ("Final exam - Operating Systems")
        items.append(text)
    out = []
    for text in items:
        body, points = _take_points(text)
        body = body.strip()
        if body:
            out.append(ExamQuestion(str(len(out) + 1), body, points))
    return out


# --- public API ----------------------------------------------------------------------------------------


def split_exam(pages: list[tuple[int, str]]) -> list[ExamQuestion]:
    """Split an exam, given as ``[(page number, page text), ...]`` in order, into its questions.

    Labels are as printed: ``"3"`` for "3." / "3)" / "Question 3" / "Problem 3", ``"Q3"`` for "Q3" / "Q 3:";
    sub-parts get ``"3(a)"``, ``"Q3(ii)"``. With no recognisable numbering there is one question per paragraph
    labelled "1", "2", ... (synthetic labels; see ``labels_are_sequential`` / ``renumber``).

    Sub-part policy. A question with sub-parts (two or more of ``(a) (b)`` / ``a) b)`` / ``a. b.`` at the start
    of a line or after a sentence, or ``(i) (ii)`` when there are no letters) becomes one ExamQuestion per part,
    labelled "3(a)", "3(b)", whose text is the question's stem followed by the part, when the paper marks the
    parts separately (each has its own points) or gives no points at all; each part is then answered on its
    own, with the stem's context, and retrieval looks for that part's topic. The question stays one
    ExamQuestion (stem and all parts, markers kept) when:

    - the parts are tiny (under ``TINY_PART_CHARS`` characters on average: "(a) 0x1F (b) 0x2A"), where a copy
      of the stem per part would bury the part;
    - the stem asks to choose ("Which of the following ...", "Circle ...", "True or false"): the parts are
      options, not questions;
    - only the whole question carries points ("3. [10 points] ... (a) ... (b) ..."): the parts are then
      usually steps of one problem that build on each other, and splitting would lose the points.

    Kept together, its points are the question's own, or else the sum of the parts' points. Deeper levels
    ("(i)" inside "(a)") stay in the part's text. A part's own points marker is removed from its text when the
    part becomes its own question.
    """
    lines = _prepare(pages)
    if not lines:
        return []
    numbered = _split_numbered(lines)
    if numbered is not None:
        return numbered
    return _split_paragraphs(lines)


def split_exam_text(text: str) -> list[ExamQuestion]:
    """``split_exam`` for one plain text; form feeds (as in ``pdftotext`` output) separate pages."""
    if not text or not text.strip():
        return []
    return split_exam([(k, page) for k, page in enumerate(text.split("\f"), start=1)])


# --- editing helpers (the review screen) ---------------------------------------------------------------

_PART_LABEL = re.compile(r"^(?P<parent>.+?)\((?P<part>[a-z]{1,5})\)$")


def _parent(label: str) -> str | None:
    m = _PART_LABEL.match(label)
    return m.group("parent") if m else None


def _shared_stem(a: str, b: str) -> str:
    """The leading paragraphs two split sub-parts share (their parent's stem), or ""."""
    n = 0
    limit = min(len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    cut = a.rfind("\n\n", 0, n + 1)
    if cut <= 0 or a[:cut] != b[:cut]:
        return ""
    return a[: cut + 2]


def merge_questions(questions: list[ExamQuestion], i: int) -> list[ExamQuestion]:
    """A new list where question ``i`` and question ``i + 1`` are one question.

    The label is the first one's, or the common parent's ("3(a)" + "3(b)" -> "3") when no other part of that
    parent is left; a stem both texts start with (split sub-parts) appears once; points are added up (or
    whichever is known). The input list is not changed. ``IndexError`` unless ``0 <= i < len - 1``.
    """
    if not 0 <= i < len(questions) - 1:
        raise IndexError(f"cannot merge question {i} with the next one of {len(questions)}")
    a, b = questions[i], questions[i + 1]
    stem = _shared_stem(a.text, b.text)
    second = b.text[len(stem) :] if stem else b.text
    text = f"{a.text.rstrip()}\n\n{second.strip()}".strip()
    label = a.label
    parent = _parent(a.label)
    if parent is not None and parent == _parent(b.label):
        others = [q for k, q in enumerate(questions) if k not in (i, i + 1) and _parent(q.label) == parent]
        if not others:
            label = parent
    if a.points is not None and b.points is not None:
        points: int | None = a.points + b.points
    else:
        points = a.points if a.points is not None else b.points
    return [*questions[:i], ExamQuestion(label, text, points), *questions[i + 2 :]]


def split_question(questions: list[ExamQuestion], i: int, at_char: int) -> list[ExamQuestion]:
    """A new list where question ``i`` is cut in two at character offset ``at_char`` of its text.

    The first half keeps the label and points. The second half takes a label printed at its start ("4.",
    "Question 4", "Q4", or "(b)" -> "<parent>(b)") and a points marker on its first line, both removed from its
    text; otherwise it is labelled "<label>-2" with no points (``renumber`` when labels are synthetic).
    ``ValueError`` when either half would be empty, ``IndexError`` for a bad ``i``.
    """
    if not 0 <= i < len(questions):
        raise IndexError(f"no question {i} among {len(questions)}")
    q = questions[i]
    head, tail = q.text[:at_char].rstrip(), q.text[at_char:].strip()
    if not head.strip() or not tail or at_char <= 0:
        raise ValueError("both halves of a split question need text")
    label = f"{q.label}-2"
    found = _label_match(tail)
    if found:
        style, m = found
        fmt = {name: f for name, _p, _e, f in _STYLES}[style]
        label, tail = fmt.format(n=int(m.group(1))), tail[m.end() :].strip()
    else:
        m = _PART_LINE.match(tail)
        if m:
            token = m.group("p") or m.group("c") or m.group("d")
            label, tail = f"{_parent(q.label) or q.label}({token})", tail[m.end() :].strip()
    first_line_end = tail.find("\n")
    first_line = tail if first_line_end == -1 else tail[:first_line_end]
    line, points = _take_points(first_line)
    tail = (line + ("" if first_line_end == -1 else tail[first_line_end:])).strip()
    if not tail:
        raise ValueError("both halves of a split question need text")
    return [*questions[:i], replace(q, text=head), ExamQuestion(label, tail, points), *questions[i + 1 :]]


def labels_are_sequential(questions: list[ExamQuestion]) -> bool:
    """Whether the labels are exactly "1", "2", ... "n" (as the paragraph fallback makes them)."""
    return all(q.label == str(k) for k, q in enumerate(questions, start=1))


def renumber(questions: list[ExamQuestion]) -> list[ExamQuestion]:
    """A new list labelled "1", "2", ... in order (for synthetic labels after merging or splitting)."""
    return [replace(q, label=str(k)) for k, q in enumerate(questions, start=1)]
