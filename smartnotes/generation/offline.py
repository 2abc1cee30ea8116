"""Offline (no AI model) generation: extractive cheat sheets, cloze quizzes and past-paper answers.

Everything is taken from the student's own material and carries the page it came from. Does not import Django.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import extractive as ex
from .errors import GenerationError
from .types import CheatSheet, Citation, FigureRef, Material, Passage, Point, Quiz, QuizQuestion, Section

POINTS_PER_PAGE = 40
MIN_FIGURE_SIDE = 120
# all-MiniLM-L6-v2 cosine between a question and a sentence that answers it (calibrated on the fixtures:
# on-topic questions score 0.45-0.8 on their best sentence, unrelated ones below 0.25).
ANSWER_THRESHOLD = 0.38
STRONG_ANSWER = 0.6  # above this, the best sentence answers even if it words things differently
TFIDF_ANSWER_THRESHOLD = 0.15


def balance_positions(questions: Sequence[QuizQuestion], rng: random.Random) -> list[QuizQuestion]:
    """Move each question's correct option so that the letters A-D are used evenly (counts differ by at most
    one) in a random order; the distractors are shuffled too. Modifies and returns the questions."""
    questions = list(questions)
    slots = [i % 4 for i in range(len(questions))]
    rng.shuffle(slots)
    for question, slot in zip(questions, slots, strict=True):
        n = len(question.options)
        if n == 0:
            continue
        target = slot if n == 4 else rng.randrange(n)
        answer = question.options[question.correct]
        others = [o for i, o in enumerate(question.options) if i != question.correct]
        rng.shuffle(others)
        question.options = others[:target] + [answer] + others[target:]
        question.correct = target
    return questions


# --- shared analysis -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A sentence worth knowing, with every page it appears on (slides repeat themselves)."""

    text: str
    pages: list[int]
    order: int
    score: float = 0.0
    definition: ex.Definition | None = None
    example: bool = False


@dataclass
class Analysis:
    material: Material
    units: list[ex.Unit]
    headings: dict[int, str | None]
    candidates: list[Candidate]
    definitions: list[ex.Definition]
    terms: list[str]
    vectors: np.ndarray | None = None
    embedded: bool = True
    excluded_pages: set[int] = field(default_factory=set)
    units_by_page: dict[int, list[ex.Unit]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.units:
            self.units_by_page.setdefault(unit.page, []).append(unit)


def _excluded_pages(material: Material, headings: dict[int, str | None], units: list[ex.Unit]) -> set[int]:
    """Title page, acknowledgements, "next time" and similar pages carry nothing to learn."""
    out = {page for page, heading in headings.items() if heading and ex.is_boilerplate_heading(heading)}
    pages = material.pages
    if pages:
        first = pages[0]
        first_units = [u for u in units if u.page == first and u.kind != "code"]
        n_words = sum(len(ex.words(u.text)) for u in first_units)
        full_sentences = [u for u in first_units if u.kind == "prose" and len(ex.words(u.text)) >= 8]
        if len(pages) > 3 and n_words <= 40 and not full_sentences:
            out.add(first)
    return out


def analyse(material: Material) -> Analysis:
    """Split, filter, deduplicate and rank the material's sentences once for all the generators."""
    units = ex.material_units(material)
    headings = ex.page_headings(material)
    excluded = _excluded_pages(material, headings, units)
    units = [u for u in units if u.page not in excluded]
    definitions = [d for d in ex.find_definitions(units) if d.page not in excluded]
    by_sentence: dict[str, ex.Definition] = {}
    for definition in definitions:
        by_sentence.setdefault(ex.normalise_term(definition.sentence), definition)
    candidates: dict[str, Candidate] = {}
    for unit in _with_bullet_runs(units, headings):
        if unit.kind not in ("prose", "list") or not ex.is_informative(unit.text):
            continue
        if ex.URL_RE.sub("", unit.text).rstrip().endswith(":"):
            continue  # "Creating a vector by slicing:" introduces code (or a link) we do not show
        text = _tidy(unit.text)
        key = _dedup_key(text)
        if key in candidates:
            if unit.page not in candidates[key].pages:
                candidates[key].pages.append(unit.page)
            continue
        candidates[key] = Candidate(text, [unit.page], unit.order)
    for definition in definitions:  # "…. This is called “X”" spans two units
        key = _dedup_key(definition.sentence)
        if key not in candidates:
            candidates[key] = Candidate(_tidy(definition.sentence), [definition.page], _order_of(units, definition))
    ranked = sorted(candidates.values(), key=lambda c: c.order)
    for candidate in ranked:
        candidate.definition = by_sentence.get(ex.normalise_term(candidate.text)) or by_sentence.get(
            ex.normalise_term(candidate.text + ".")
        )
    ranked = [c for c in ranked if not _covered_by_definition(c, ranked)]
    ranked = _fold_into_lists(ranked)
    analysis = Analysis(material, units, headings, ranked, definitions, [], excluded_pages=excluded)
    _rank(analysis)
    term_texts = [c.text for c in analysis.candidates] + [h for h in headings.values() if h]
    analysis.terms = ex.key_terms(term_texts)
    return analysis


def _dedup_key(text: str) -> str:
    """The same statement on two slides, give or take an example value in parentheses."""
    return ex.normalise_term(re.sub(r"\([^)]*\)|\d+(?:\.\d+)?", " ", text))


def _with_bullet_runs(units: list[ex.Unit], headings: dict[int, str | None]) -> list[ex.Unit]:
    """Three to six short bullets without a lead-in ("Must start with a letter …", "Case Sensitive") become one
    point introduced by the slide's title."""
    out: list[ex.Unit] = []
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and _short_bullet(units[j]) and units[j].page == units[i].page:
            j += 1
        run = units[i:j]
        heading = headings.get(units[i].page)
        substantial = sum(len(ex.words(u.text)) >= 4 for u in run)
        if 3 <= len(run) <= 6 and heading and substantial >= 2 and sum(len(u.text) for u in run) <= 220:
            text = f"{heading}: " + "; ".join(u.text.rstrip(".;,") for u in run)
            out.append(ex.Unit(text, run[0].page, "list", run[0].order, True))
            i = j
            continue
        out.append(units[i])
        i += 1
    return out


def _short_bullet(unit: ex.Unit) -> bool:
    return (
        unit.bullet
        and unit.kind in ("prose", "fragment")
        and 1 <= len(ex.words(unit.text)) <= 10
        and not unit.text.rstrip().endswith((".", "?", ":"))
    )


def _order_of(units: list[ex.Unit], definition: ex.Definition) -> int:
    for unit in units:
        if unit.page == definition.page and unit.text.strip() and unit.text.strip() in definition.sentence:
            return unit.order
    return 0


def _covered_by_definition(candidate: Candidate, ranked: list[Candidate]) -> bool:
    """The lead sentence of a two-sentence definition is kept only inside that definition."""
    if candidate.definition:
        return False
    return any(
        c.definition and c is not candidate and c.pages[0] == candidate.pages[0] and candidate.text in c.text
        for c in ranked
    )


def _fold_into_lists(ranked: list[Candidate]) -> list[Candidate]:
    """A definition that is also an item of a list point lives on inside the list (no duplicate lines)."""
    lists = [c for c in ranked if c.text.count(";") >= 1 and not c.definition]
    out = []
    for candidate in ranked:
        host = next(
            (
                c
                for c in lists
                if candidate.definition and c.pages[0] == candidate.pages[0] and candidate.text.rstrip(".") in c.text
            ),
            None,
        )
        if host is None:
            out.append(candidate)
        else:
            host.definition = candidate.definition
    return out


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:]
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1]
    text = re.sub(r"\s+([,;:.!?)])", r"\1", text)
    text = text.rstrip(":;, ")
    return text[:1].upper() + text[1:]


def _rank(analysis: Analysis) -> None:
    """TextRank scores, then near-duplicates (same idea on two slides) merged into the better-placed one."""
    candidates = analysis.candidates
    if not candidates:
        analysis.vectors = np.zeros((0, 1))
        return
    vectors, analysis.embedded = ex.vectors_for([c.text for c in candidates])
    scores = ex.textrank(vectors)
    scores = scores / max(float(scores.max()), 1e-12)
    keep: list[int] = []
    similar = (vectors @ vectors.T) >= 0.93
    for i, candidate in enumerate(candidates):
        candidate.score = float(scores[i]) + (0.5 if candidate.definition else 0.0)
        twin = next((k for k in keep if similar[k, i]), None)
        if twin is None:
            keep.append(i)
            continue
        kept = candidates[twin]
        kept.pages = sorted(set(kept.pages) | set(candidate.pages))
        if candidate.definition and not kept.definition:
            kept.definition = candidate.definition
    analysis.candidates = [candidates[k] for k in keep]
    analysis.vectors = vectors[keep]


def _require_text(analysis: Analysis, what: str) -> None:
    if not analysis.candidates:
        raise GenerationError(
            f"There is no readable text in this material to make a {what} from. If it is a scan or a set of "
            "pictures, check that the text was recognised, or add material with written explanations.",
            code="no_text",
        )


# --- cheat sheet ---------------------------------------------------------------------------------------


@dataclass
class _Group:
    headings: list[str]
    pages: list[int]
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Sentences count fully, code examples as half."""
        return len([c for c in self.candidates if not c.example]) + len([c for c in self.candidates if c.example]) // 2


def _heading_key(heading: str) -> str:
    return ex.normalise_term(_CONTINUED_RE.sub("", heading))


_CONTINUED_RE = re.compile(r"\((?:cont(?:inued|'d|\.)?|\d+)\)|\b(?:cont(?:inued|'d|\.)?|part \d+|\d+\s*/\s*\d+)$", re.I)


def _groups(analysis: Analysis) -> list[_Group]:
    groups: list[_Group] = []
    current: str | None = None
    for page in analysis.material.pages:
        if page in analysis.excluded_pages:
            continue
        heading = analysis.headings.get(page)
        if heading and (not groups or _heading_key(heading) != _heading_key(groups[-1].headings[0])):
            groups.append(_Group([heading], [page]))
            current = heading
        elif groups:
            groups[-1].pages.append(page)
        else:
            groups.append(_Group([current or analysis.material.title or "Overview"], [page]))
    groups = [part for g in groups for part in (_split_by_subtopic(g, analysis) if len(g.pages) >= 4 else [g])]
    page_group = {page: g for g in groups for page in g.pages}
    for candidate in analysis.candidates:
        group = page_group.get(candidate.pages[0])
        if group is not None:
            group.candidates.append(candidate)
    return [g for g in groups if g.candidates]


def _subtopic(page: int, analysis: Analysis) -> str | None:
    """The slide's first short bullet or lead-in ("Indexing:", "Broadcasting:"), when a run of slides shares
    one title ("NumPy" on ten slides)."""
    for unit in analysis.units_by_page.get(page, ()):
        if unit.kind in ("heading", "code") or ex.is_boilerplate(unit.text):
            continue
        text = unit.text.split(":", 1)[0].strip().rstrip("…. ")
        ok = (unit.text.rstrip().endswith(":") or unit.kind == "list" or unit.bullet) and 1 <= len(text.split()) <= 5
        if ok and not re.match(r"(?:example|e\.g|for example|note)\b", text, re.I) and text[:1].isalpha():
            return text[:1].upper() + text[1:]
        return None
    return None


def _split_by_subtopic(group: _Group, analysis: Analysis) -> list[_Group]:
    parts: list[_Group] = []
    for page in group.pages:
        topic = _subtopic(page, analysis)
        if topic or not parts:
            heading = f"{group.headings[0]}: {topic}" if topic else group.headings[0]
            parts.append(_Group([heading], [page]))
        else:
            parts[-1].pages.append(page)
    return parts


def _similarity(a: _Group, b: _Group) -> float:
    wa = {w for h in a.headings for w in ex.normalise_term(h).split() if w not in ex.STOPWORDS}
    wb = {w for h in b.headings for w in ex.normalise_term(h).split() if w not in ex.STOPWORDS}
    return len(wa & wb) / max(1, len(wa | wb))


def _merge_small(groups: list[_Group], target: int) -> list[_Group]:
    groups = list(groups)
    while len(groups) > 1:
        smallest = min(range(len(groups)), key=lambda i: (groups[i].size, len(groups[i].pages)))
        if groups[smallest].size >= 3 and len(groups) <= target:
            break
        neighbours = [j for j in (smallest - 1, smallest + 1) if 0 <= j < len(groups)]
        other = max(neighbours, key=lambda j: (_similarity(groups[smallest], groups[j]), -groups[j].size))
        first, second = sorted((smallest, other))
        a, b = groups[first], groups[second]
        merged = _Group(a.headings + b.headings, a.pages + b.pages, a.candidates + b.candidates)
        groups[first : second + 1] = [merged]
    return groups


def _section_heading(headings: list[str]) -> str:
    distinct: list[str] = []
    for heading in headings:
        words = set(ex.normalise_term(heading).split())
        if any(set(ex.normalise_term(d).split()) <= words for d in distinct):
            continue
        distinct = [d for d in distinct if not words <= set(ex.normalise_term(d).split())]
        distinct.append(heading)
    shown = distinct[:3]
    prefixes = {h.split(": ", 1)[0] for h in shown}
    if len(shown) > 1 and len(prefixes) == 1 and all(": " in h for h in shown[1:]):
        first, *rest = shown
        shown = [first, *(h.split(": ", 1)[1] for h in rest)]
    return " · ".join(shown) + (" …" if len(distinct) > 3 else "")


def _quotas(groups: list[_Group], budget: int) -> list[int]:
    total = sum(g.size for g in groups)
    if total <= budget:
        return [g.size for g in groups]
    raw = [budget * g.size / total for g in groups]
    quotas = [max(1, min(g.size, int(r))) for g, r in zip(groups, raw, strict=True)]
    order = sorted(range(len(groups)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    while sum(quotas) < budget:
        grown = False
        for i in order:
            if sum(quotas) < budget and quotas[i] < groups[i].size:
                quotas[i] += 1
                grown = True
        if not grown:
            break
    while sum(quotas) > budget:
        i = max(range(len(groups)), key=lambda k: quotas[k])
        quotas[i] -= 1
    return quotas


def _examples(analysis: Analysis) -> list[Candidate]:
    """Code worth a line on the sheet: verified REPL results (``9 // 2 → 4``) and commented code
    (``A[:, 3] — all rows, column 3``), at most three per slide."""
    out = []
    for item in ex.repl_facts(analysis.units):
        if not re.search(r"/|%|\*\*|int\(|float\(", item.expression) and len(re.findall(r"[-+*]", item.expression)) < 2:
            continue  # 1 + 4 → 5 teaches nothing
        out.append(Candidate(f"{item.statement} → {item.output}", [item.page], item.order, score=0.2, example=True))
    for code, comment, page, order in ex.commented_code(analysis.units):
        if sum(c.pages[0] == page for c in out) < 3:
            out.append(Candidate(f"{code} — {comment}", [page], order, score=0.1, example=True))
    return out


def _figures_for(material: Material, groups: list[_Group]) -> list[list[FigureRef]]:
    sizes: dict[tuple[int, int], set[int]] = {}
    usable: list[tuple[FigureRef, int, int]] = []
    for figure in material.figures:
        width, height = figure.width, figure.height
        if not (width and height):
            width, height = _png_size(figure.path)
        if width and height and min(width, height) < MIN_FIGURE_SIDE:
            continue
        sizes.setdefault((width, height), set()).add(figure.page)
        usable.append((figure, width, height))
    out: list[list[FigureRef]] = []
    for group in groups:
        pages = set(group.pages)
        choices = [
            (w * h, f)
            for f, w, h in usable
            if f.page in pages and not (w and len(sizes.get((w, h), ())) >= 3)  # a logo on every slide
        ]
        choices.sort(key=lambda item: -item[0])
        out.append([choices[0][1]] if choices else [])
    return out


def _png_size(path: str) -> tuple[int, int]:
    try:
        with open(path, "rb") as handle:
            header = handle.read(24)
    except OSError:
        return 0, 0
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def offline_cheat_sheet(material: Material, *, target_pages: int = 1) -> CheatSheet:
    """A cheat sheet of the lecture's own sentences: one section per topic (consecutive slides with the same
    title), definitions first, then the key sentences; about 40 points per page."""
    analysis = analyse(material)
    _require_text(analysis, "cheat sheet")
    budget = max(8, POINTS_PER_PAGE * max(1, target_pages))
    groups = _groups(analysis)
    examples = _examples(analysis)
    page_group = {page: g for g in groups for page in g.pages}
    for example in examples:
        if example.pages[0] in page_group:
            page_group[example.pages[0]].candidates.append(example)
    # every slide title keeps its best sentence; lists ("rules, highest to lowest: …") are worth more
    priority = {id(c): c.score + (0.2 if c.text.count(";") >= 2 else 0.0) for g in groups for c in g.candidates}
    for group in groups:
        best = max((c for c in group.candidates if not c.example), key=lambda c: priority[id(c)], default=None)
        if best is not None:
            priority[id(best)] += 0.3
    groups = _merge_small(groups, target=max(3, min(14, budget // 4)))
    quotas = _quotas(groups, budget)
    figures = _figures_for(material, groups)
    sections = []
    for group, quota, figs in zip(groups, quotas, figures, strict=True):
        titles = {_dedup_key(h.split(": ", 1)[-1]) for h in group.headings}
        by_priority = sorted(
            (c for c in group.candidates if _dedup_key(c.text) not in titles), key=lambda c: -priority[id(c)]
        )
        definitions = [c for c in by_priority if c.definition][:quota]
        prose = [c for c in by_priority if not c.definition and not c.example]
        examples_here = sorted((c for c in by_priority if c.example), key=lambda c: c.order)
        room = quota - len(definitions)
        n_examples = min(len(examples_here), max(room - len(prose), 1 if room >= 3 else 0), 4)
        chosen = prose[: room - n_examples] + examples_here[:n_examples]
        points = [Point(c.text, sorted(c.pages)) for c in sorted(definitions, key=lambda c: c.order)]
        points += [Point(c.text, sorted(c.pages)) for c in sorted(chosen, key=lambda c: (c.example, c.order))]
        if points:
            sections.append(Section(_section_heading(group.headings), points, figs))
    return CheatSheet(title=material.title, sections=sections, made_offline=True)


# --- quiz ----------------------------------------------------------------------------------------------

BLANK = "____"
_OPERATOR_RE = re.compile(r"(?<![^\s(“\"'‘])([-+*/%=@#<>!&|^~]{1,3})(?![^\s)”\"'’,.;:])")
_KNOWN_OPERATORS = {"+", "-", "*", "/", "//", "%", "**", "=", "==", "!=", "<", ">", "<=", ">=", "@", "#", "+=", "-="}


@dataclass
class _Item:
    stem: str
    answer: str
    kind: str  # term | name (proper noun) | call | symbol | number
    sentence: str
    page: int
    priority: float
    distractors: list[str] = field(default_factory=list)
    expression: str = ""  # the arithmetic of a REPL question


def _kind(option: str) -> str:
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", option):
        return "number"
    if re.fullmatch(r"[A-Za-z_][\w.]*\(\)", option):
        return "call"
    if re.fullmatch(r"[-+*/%=@#<>!&|^~]{1,3}", option):
        return "symbol"
    return "term"


def _same_thing(a: str, b: str) -> bool:
    """Case-, plural- and punctuation-insensitive equality, or one term containing the other."""
    if _kind(a) != "term" or _kind(b) != "term":
        return a.strip().lower() == b.strip().lower()
    na, nb = ex.normalise_term(a), ex.normalise_term(b)
    if not na or not nb or na == nb or na.replace(" ", "") == nb.replace(" ", ""):
        return True
    wa, wb = set(na.split()), set(nb.split())
    return wa <= wb or wb <= wa


def _occurrence(term: str, sentence: str) -> re.Match | None:
    """Where ``term`` (or its plural) stands as a whole word in ``sentence``, ignoring case."""
    pattern = _term_pattern(term)
    return pattern.search(sentence) if pattern is not None else None


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern | None:
    words = [re.escape(w) for w in term.split()]
    if not words:
        return None
    words[-1] += r"(?:s|es)?"
    return re.compile(r"(?<![\w.-])" + r"[\s-]+".join(words) + r"(?![\w-]|\.\w)", re.I)


def _blank(sentence: str, answer: str) -> str | None:
    """The sentence with every occurrence of ``answer`` (and its plural) replaced by the blank."""
    if _kind(answer) == "term":
        words = [re.escape(w) for w in answer.split()]
        words[-1] = re.escape(ex._stem(answer.split()[-1])) + r"(?:s|es)?" if len(answer.split()[-1]) > 3 else words[-1]
        pattern = r"(?<![\w.-])" + r"[\s-]+".join(words) + r"(?![\w-]|\.\w)"
        stem, count = re.subn(pattern, BLANK, sentence, flags=re.I)
    else:
        pattern = r"(?<![\w.])" + re.escape(answer) + r"(?![\w])"
        if _kind(answer) == "symbol":
            pattern = r"(?<![^\s(“\"'‘])" + re.escape(answer) + r"(?![^\s)”\"'’,.;:])"
        stem, count = re.subn(pattern, BLANK, sentence)
    if not count:
        return None
    stem = re.sub(r"\b([Aa])n? " + BLANK, r"\1(n) " + BLANK, stem)
    rest = [w for w in ex.words(stem.replace(BLANK, " ")) if w.lower() not in ex.STOPWORDS]
    if len(rest) < 3:
        return None
    return stem if stem.rstrip().endswith((".", "!", "?", "”", ")")) else stem.rstrip() + "."


_ADJECTIVE_RE = re.compile(
    r"(?:ly|ous|ful|less)$|^(?!(?:request|interest|manifest|contest|protest|harvest|digest|conquest)$)\w{3,}est$"
)
_FUNCTION_WORDS = ex._wordset(
    "is are was were be can cannot will would should must may might has have had does do did and or but in on at "
    "to of for from with by as into that which who when where if than then so because while not also always only "
    "used using"
)


_DETERMINERS = r"a|an|the|this|that|these|those|each|every|of|our|your|its|their|no|any|some|two|many|all|new"
_NOUN_BEFORE_RE = re.compile(rf"\b(?:{_DETERMINERS})\s+(?:[a-z-]+\s+)?$")
# a compound must also start where a noun phrase can: "the assignment statement", "“operator precedence”"
_PREPOSITIONS = r"in|on|for|with|by|to|from|as|and|or|using"
_COMPOUND_BEFORE_RE = re.compile(rf"(?:\b(?:{_DETERMINERS}|{_PREPOSITIONS})\s+|,\s+|[“\"'‘])$")
_NOUN_AFTER_RE = re.compile(r"[ \t]*(?:[.,;:!?)”\"'(\n]|$)|\s+(?:" + "|".join(sorted(_FUNCTION_WORDS)) + r")\b", re.I)


class _Pools:
    """Candidate distractors of each kind, all taken from the same lecture."""

    def __init__(self, analysis: Analysis):
        corpus = "\n".join(u.text for u in analysis.units if u.kind != "heading")
        self.corpus = corpus
        self.proper = {w.lower() for w in re.findall(r"(?<=[a-z] )([A-Z][\w]*[A-Z][\w]*|[A-Z][a-z]+)", corpus)}
        self.defined = {ex.normalise_term(d.term) for d in analysis.definitions}
        terms: list[str] = []
        terms += [d.term.lower() if not self._is_proper(d.term) else d.term for d in analysis.definitions]
        for heading in analysis.headings.values():
            if heading and "?" not in heading and len(heading.split()) <= 3 and not ex.is_boilerplate_heading(heading):
                terms.append(heading if self._is_proper(heading) else heading.lower())
        terms += analysis.terms
        self.terms: list[str] = []
        for term in terms:
            term = term.strip(" .,:;“”\"'")
            if not term or not ex._good_key_term(term.lower()):
                continue
            display = self._display(term, corpus)
            if not (ex.normalise_term(term) in self.defined or self._is_proper(display) or self.noun_like(term)):
                continue
            if any(ex.normalise_term(term) == ex.normalise_term(t) for t in self.terms):
                continue
            self.terms.append(display)
        self.calls = list(dict.fromkeys(f"{name}()" for name in re.findall(r"\b([A-Za-z_][\w.]*)\(", corpus)))
        self.symbols = list(
            dict.fromkeys(s for s in re.findall(r"(?<!\S)([-+*/%=@<>!]{1,3})(?!\S)", corpus) if s in _KNOWN_OPERATORS)
        )
        self.numbers = list(dict.fromkeys(ex.numbers_in(corpus)))

    def prepare(self, answers: Sequence[str]) -> None:
        """Embed every term and answer in one batch (one model call per quiz)."""
        ex.embed(list(dict.fromkeys([*self.terms, *answers])))

    def similarity(self, answer: str, terms: Sequence[str]) -> np.ndarray | None:
        vectors = ex.embed([answer, *terms])
        return None if vectors is None else vectors[1:] @ vectors[0]

    def _display(self, term: str, corpus: str) -> str:
        """Lowercase, except names and acronyms as the lecture writes them ("LHS shape", "NumPy")."""
        match = _occurrence(term, corpus)
        if match is None:
            return term
        written = " ".join(match.group(0).split())
        if self._is_proper(written):
            return written
        return " ".join(w if re.search(r"[A-Z].*[A-Z]", w) else w.lower() for w in written.split())

    def _is_proper(self, term: str) -> bool:
        """A name or an acronym ("NumPy", "LAPACK", "LHS shape") rather than a common noun."""
        if re.search(r"[A-Z].*[A-Z]", term) or (term.isupper() and len(term) > 1):
            return True
        return all(w.lower() in self.proper for w in term.split()) if term[:1].isupper() else False

    def noun_like(self, term: str) -> bool:
        """Used as a noun somewhere in the lecture: after a determiner or preposition and not followed by the
        noun it would qualify ("the variable is" yes; "to store", "of mathematical symbols" no)."""
        ws = term.lower().split()
        singular = ex._stem(ws[-1])
        forms = [re.escape(singular) + "(?:s|es)?"]
        if singular in ex.IRREGULAR_PLURAL:
            forms.append(re.escape(ex.IRREGULAR_PLURAL[singular]))
        last = "(?:" + "|".join(forms) + ")"
        if ex.normalise_term(term) in self.defined:
            return True
        if len(ws) == 1 and _ADJECTIVE_RE.search(ws[0]):
            return False
        if any(re.search(r"[^su]s$", w) for w in ws[:-1]):
            return False  # "supports slicing": nouns qualify in the singular ("operator precedence")
        head = "".join(re.escape(w) + r"\s+" for w in ws[:-1])
        term_re = re.compile(rf"(?<![\w.-]){head}{last}(?![\w-])", re.I)
        before_re = _COMPOUND_BEFORE_RE if len(ws) > 1 else _NOUN_BEFORE_RE
        for match in term_re.finditer(self.corpus):
            before = self.corpus[max(0, match.start() - 40) : match.start()]
            # determiners as written in lowercase (the "A" in "when A is sparse" is a matrix)
            if before_re.search(before) and _NOUN_AFTER_RE.match(self.corpus, match.end()):
                return True
        return False

    def of_kind(self, kind: str) -> list[str]:
        return {"term": self.terms, "call": self.calls, "symbol": self.symbols, "number": self.numbers}[kind]


def _inflect(term: str, plural: bool) -> str:
    words = term.split()
    last = words[-1]
    is_plural = ex._stem(last) != last.lower()
    if last.lower() in ex.UNCOUNTABLE:
        return term
    if plural and not is_plural:
        if last.lower() in ex.IRREGULAR_PLURAL:
            last = ex.IRREGULAR_PLURAL[last.lower()]
        elif re.search(r"(?:s|x|z|ch|sh)$", last):
            last += "es"
        elif re.search(r"[^aeiou]y$", last):
            last = last[:-1] + "ies"
        else:
            last += "s"
    elif not plural and is_plural:
        last = ex._stem(last) if last.islower() or last.lower() in ex.IRREGULAR_PLURAL.values() else last[:-1]
    return " ".join([*words[:-1], last])


def _choose_distractors(item: _Item, pools: _Pools, rng: random.Random) -> list[str]:
    kind = _kind(item.answer)
    if kind == "number":
        return _number_distractors(item, pools, rng)
    raw = [p for p in pools.of_kind(kind) if not _same_thing(p, item.answer)]
    stem_lower = item.stem.lower()
    if kind == "term":
        plural = ex._stem(item.answer.split()[-1]) != item.answer.split()[-1].lower()
        proper = pools._is_proper(item.answer)
        raw = [p for p in raw if pools._is_proper(p) == proper and not _occurrence(p, item.stem)]
        pool = raw if proper else [_inflect(p, plural) for p in raw]
    else:
        raw = pool = [p for p in raw if p.lower() not in stem_lower and ("." in p) == ("." in item.answer)]
    if len(pool) < 3:
        return []
    similarity = pools.similarity(item.answer, raw) if kind == "term" else None
    scores = _distractor_scores(item.answer, pool, kind, similarity)
    for i, term in enumerate(raw):
        if ex.normalise_term(term) in pools.defined:
            scores[i] += 0.15  # the lecture's own key concepts make the best distractors
        if kind == "call" and "." in item.answer and term.split(".")[0] == item.answer.split(".")[0]:
            scores[i] += 0.3  # np.einsum() with other np. functions
    ranked = sorted(range(len(pool)), key=lambda i: -(scores[i] + rng.uniform(0, 0.04)))
    chosen: list[str] = []
    for i in ranked:
        if scores[i] <= -1.0:
            continue
        candidate = pool[i]
        if all(not _same_thing(candidate, c) for c in chosen):
            chosen.append(candidate)
        if len(chosen) == 3:
            return chosen
    return []


def _distractor_scores(answer: str, pool: list[str], kind: str, similarity: np.ndarray | None) -> list[float]:
    n_answer = len(answer.split())
    scores = []
    answer_words = set(ex.normalise_term(answer).split())
    for candidate in pool:
        score = -0.12 * abs(len(candidate.split()) - n_answer)
        score -= 0.6 * len(answer_words & set(ex.normalise_term(candidate).split()))
        score -= 0.25 * abs(np.log(max(1, len(candidate)) / max(1, len(answer))))
        scores.append(score)
    if kind == "term" and similarity is not None:
        for i, sim in enumerate(similarity):
            # related but not a synonym: "variable" -> constant, operator, expression
            scores[i] += float(sim) if sim < 0.85 else -2.0
    return scores


def _number_distractors(item: _Item, pools: _Pools, rng: random.Random) -> list[str]:
    """Wrong results a student could get (/ instead of //, int instead of float, off by one), then other
    numbers of the lecture of the same type and size."""
    answer = item.answer
    is_float = "." in answer
    variants: list[str] = []
    expression = item.expression
    swaps = [("//", "/"), ("/", "//"), ("**", "*"), ("%", "//"), ("//", "%"), ("*", "+")]
    for old, new in swaps:
        if old in expression:
            swapped = re.sub(r"(?<![*/])" + re.escape(old) + r"(?![*/])", new, expression, count=1)
            value = ex.safe_eval(swapped)
            if value is not None:
                variants.append(_format_number(value))
    value = float(answer)
    variants.append(_format_number(int(value)) if is_float else f"{value:.1f}")
    variants += [_format_number(_typed(value + 1, is_float)), _format_number(_typed(value - 1, is_float))]
    others = [x for x in pools.numbers if ("." in x) == is_float]
    others.sort(key=lambda x: (abs(np.log1p(abs(float(x))) - np.log1p(abs(value))), rng.random()))
    chosen: list[str] = []
    for candidate in variants + others:
        if candidate != answer and candidate not in chosen and _kind(candidate) == "number":
            chosen.append(candidate)
        if len(chosen) == 3:
            return chosen
    return []


def _typed(value: float, is_float: bool) -> float | int:
    return float(value) if is_float else int(value)


def _format_number(value: float | int) -> str:
    if isinstance(value, float) and abs(value) < 1e15:
        return repr(round(value, 10)) if value != int(value) else f"{value:.1f}"
    return str(value)


def _page_supports(analysis: Analysis, page: int, answer: str) -> bool:
    text = analysis.material.page_texts.get(page)
    if text is None:
        text = "\n".join(p.text for p in analysis.material.passages if p.page == page)
    return answer.lower() in " ".join(text.split()).lower()


def _term_items(analysis: Analysis, pools: _Pools) -> list[_Item]:
    items: list[_Item] = []
    ranked_terms = list(dict.fromkeys([*(d.term for d in analysis.definitions), *pools.terms]))
    first_definition: dict[str, int] = {}
    for definition in analysis.definitions:
        first_definition.setdefault(ex.normalise_term(definition.term), definition.page)
    for candidate in analysis.candidates:
        if candidate.example:
            continue
        definition = candidate.definition
        sentences = [_tidy(definition.sentence)] if definition else _list_sentences(candidate.text)
        for sentence in sentences:
            items += _sentence_items(analysis, pools, candidate, sentence, ranked_terms, first_definition)
    return items + _name_items(analysis, pools)


def _name_items(analysis: Analysis, pools: _Pools) -> list[_Item]:
    """On slides titled with a name ("Matplotlib"), a bullet without its subject asks which one it describes."""
    items: list[_Item] = []
    names = {ex.normalise_term(t) for t in pools.terms if pools._is_proper(t)}
    title: str | None = None
    titles: dict[int, str | None] = {}
    for page in analysis.material.pages:
        title = analysis.headings.get(page) or title
        titles[page] = title
    for candidate in analysis.candidates:
        name = titles.get(candidate.pages[0])
        if candidate.example or candidate.definition or not name or ex.normalise_term(name) not in names:
            continue
        for sentence in _list_sentences(candidate.text):
            sentence = sentence.removeprefix(f"{name}: ")
            if _occurrence(name, sentence) or len(ex.words(sentence)) < 5 or len(sentence) > 160:
                continue
            stem = f"Which of these does the lecture describe as “{sentence.rstrip('.')}”?"
            explained = f"{name}: {sentence}"
            items.append(_Item(stem, name, "term", explained, candidate.pages[0], 1.15 + candidate.score))
    return items


def _list_sentences(text: str) -> list[str]:
    """A list point "Lead: a; b; c" asks about one item at a time ("Lead: b")."""
    if ";" not in text or ": " not in text:
        return [_tidy(text)]
    lead, body = text.split(": ", 1)
    return [_tidy(f"{lead}: {item}") for item in body.split("; ") if len(ex.words(item)) >= 3]


def _sentence_items(
    analysis: Analysis,
    pools: _Pools,
    candidate: Candidate,
    sentence: str,
    ranked_terms: list[str],
    first_definition: dict[str, int],
) -> list[_Item]:
    items: list[_Item] = []
    page = candidate.pages[0]
    options: list[tuple[str, float]] = []
    if candidate.definition:
        first = first_definition.get(ex.normalise_term(candidate.definition.term)) == candidate.definition.page
        options.append((candidate.definition.term, 3.3 if first else 3.0))
    for call in ex.code_calls(sentence):
        options.append((call, 1.6))
    for symbol in _symbols_named(sentence):
        options.append((symbol, 1.5))
    lowered = sentence.lower()
    for rank, term in enumerate(ranked_terms):
        if term.split()[0].lower()[:4] in lowered and _occurrence(term, sentence):
            options.append((term, 1.2 - 0.005 * rank))
    for term, bonus in options:
        answer = _surface(term, sentence, pools)
        if answer is None:
            continue
        stem = _blank(sentence, answer)
        if stem is None or not _page_supports(analysis, page, answer):
            continue
        penalty = 0.3 if ";" in sentence or len(sentence) > 180 else 0.0  # long, awkward questions
        items.append(_Item(stem, answer, _kind(answer), sentence, page, bonus + candidate.score - penalty))
    return items


def _symbols_named(sentence: str) -> list[str]:
    """Operators the sentence talks about: quoted, in parentheses, or next to "operator"/"symbol"/"a"."""
    out = []
    for match in _OPERATOR_RE.finditer(sentence):
        symbol = match.group(1)
        if symbol not in _KNOWN_OPERATORS:
            continue
        before, after = sentence[: match.start(1)], sentence[match.end(1) :]
        quoted = before[-1:] in "(“\"'‘" and after[:1] in ")”\"'’"
        named = re.search(r"\b(?:operators?|symbols?|signs?|characters?)\W*$", before[-20:], re.I) or re.match(
            r"\W*(?:operators?|symbols?|signs?|characters?)\b", after, re.I
        )
        article = re.search(r"\b(?:a|an|the)\s*$", before, re.I) and symbol != "-"
        if quoted or named or article:
            out.append(symbol)
    return list(dict.fromkeys(out))


def _surface(term: str, sentence: str, pools: _Pools) -> str | None:
    """The answer as written in the sentence, lowercased unless it is a name (Python, NumPy)."""
    if _kind(term) != "term":
        return term if term in sentence else None
    match = _occurrence(term, sentence)
    if not match:
        return None
    surface = " ".join(match.group(0).split())
    if not pools._is_proper(surface):
        surface = surface.lower() if not re.search(r"[A-Z].*[A-Z]", surface) else surface
    return surface


def _repl_items(analysis: Analysis) -> list[_Item]:
    items = []
    for fact in ex.repl_facts(analysis.units):
        if fact.statement.startswith("print("):
            stem = f"In Python, what does {fact.statement} display?"
        else:
            name = fact.statement.split("=", 1)[0].strip()
            stem = f"In Python, what is the value of {name} after {fact.statement}?"
        sentence = f"In Python, {fact.statement} gives {fact.output}"
        items.append(_Item(stem, fact.output, "number", sentence, fact.page, 1.0, expression=fact.expression))
    return items


def _build_questions(analysis: Analysis, *, n: int, rng: random.Random) -> list[QuizQuestion]:
    pools = _Pools(analysis)
    items = sorted(_term_items(analysis, pools), key=lambda it: -it.priority)
    pools.prepare([it.answer for it in items if it.kind == "term"])
    repl = _repl_items(analysis)
    rng.shuffle(repl)
    max_repl = max(1, n // 4) if repl else 0
    chosen: list[_Item] = []
    used_answers: list[str] = []
    used_sentences: set[str] = set()
    pages: dict[int, int] = {}
    queue = items
    # spread over the lecture: a page gives a second question only when nothing else is left
    for allowance in (1, 2, 99):
        for item in queue:
            if len(chosen) >= n - min(max_repl, len(repl)):
                break
            if item in chosen or pages.get(item.page, 0) >= allowance:
                continue
            if item.sentence in used_sentences or any(_same_thing(item.answer, a) for a in used_answers):
                continue
            item.distractors = _choose_distractors(item, pools, rng)
            if len(item.distractors) != 3:
                continue
            chosen.append(item)
            used_answers.append(item.answer)
            used_sentences.add(item.sentence)
            pages[item.page] = pages.get(item.page, 0) + 1
    for item in repl:
        if len(chosen) >= n:
            break
        if any(c.expression == item.expression for c in chosen) or item.answer in used_answers:
            continue
        item.distractors = _number_distractors(item, pools, rng)
        if len(item.distractors) == 3:
            chosen.append(item)
            used_answers.append(item.answer)
    chosen.sort(key=lambda it: it.page)
    return [
        QuizQuestion(
            question=item.stem,
            options=[item.answer, *item.distractors],
            correct=0,
            explanation=f"{_as_sentence(item.sentence)} (p. {item.page})",
            page=item.page,
        )
        for item in chosen
    ]


def offline_quiz(material: Material, *, n: int = 10, seed: int | None = None) -> Quiz:
    """Up to ``n`` fill-in-the-blank multiple-choice questions built from the lecture's definitions and key
    sentences; distractors are terms (numbers, code) of the same kind from the same lecture."""
    rng = random.Random(seed)  # noqa: S311 - shuffling quiz options, not security
    analysis = analyse(material)
    _require_text(analysis, "quiz")
    questions = _build_questions(analysis, n=n, rng=rng)
    if not questions:
        raise GenerationError(
            "These notes are too short or too fragmentary to make quiz questions from; try a longer lecture.",
            code="too_little_text",
        )
    balance_positions(questions, rng)
    return Quiz(title=material.title, questions=questions, made_offline=True)


# --- past-paper answers --------------------------------------------------------------------------------


# What an exam says about how to answer rather than what: marks, lead-ins ("Briefly,", "HINT:"), asides
# ("FYI, …") and sentences about the exam itself ("Show your work!", "… the previous question …").
_MARKS_RE = re.compile(
    r"[\[(]\s*\d+(?:\.\d+)?\s*(?:points?|pts?\.?|marks?|%)\s*[\])]|^\s*\d+(?:\.\d+)?\s*(?:points?|pts?\.?|marks?)\b\W*",
    re.I | re.M,
)
_LEAD_IN_RE = re.compile(
    r"^(?:(?:hint|note|nb|n\.b\.|tip|bonus|reminder|important)\s*[:!.-]\s*|(?:also\s+)?(?:note|notice) that\s+|"
    r"(?:briefly|concisely|clearly|carefully|in (?:one|a|two|three|a few) (?:short )?(?:sentences?|words?|lines?)|"
    r"in your own words)\s*,?\s*|(?:think about|recall|remember)\s+(?:that\s+)?)",
    re.I,
)
_META_RE = re.compile(
    r"^\W*(?:fyi|p\.?s\.?)\b|\b(?:show (?:all )?(?:of )?your work|justify your answers?"
    r"|explain your (?:answer|reasoning)|(?:full|partial|no|extra) credit|answer (?:honestly|legibly|in the space)"
    r"|(?:space|box) (?:provided|below)"
    r"|(?:this|the previous|the next|another|a previous|the last) (?:question|part)|(?:points?|marks?) each)\b",
    re.I,
)
# Function words of English prose; a line of code has at most one ("if", "for").
_PROSE_WORDS = ex._wordset(
    "the a an of to that this these those what which why how who you your we our they it its is are was were be "
    "been has have does do can would should will with from by as and or but not when where then than each"
)


def _noise_line(line: str) -> bool:
    """A line of a multi-line question that is not prose: code, a PDF's spaced-out code font ("e r r o r"),
    bare arithmetic or symbols."""
    if not re.search(r"[A-Za-z]{3,}", line):
        return True
    tokens = line.split()
    alpha = [t for t in tokens if t.isalpha()]
    if len(alpha) >= 4 and sum(len(t) <= 2 for t in alpha) >= 0.5 * len(alpha):
        return True
    prose = sum(t.strip(",.;:?!()\"'").lower() in _PROSE_WORDS for t in tokens)
    return prose < 2 and (ex.is_code_line(line) or ex._code_density(line) > 0.08)


def question_asks(question_text: str) -> list[str]:
    """The sentences of an exam question that say what is asked, without its marks, instructions, asides and
    code; a sentence with a single content word ("Briefly, why?") joins the one before it. Empty when nothing
    but boilerplate is left."""
    text = _MARKS_RE.sub(" ", question_text or "")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        lines = [line for line in lines if not _noise_line(line)]
    asks: list[str] = []
    lead = ""
    prose = " ".join(lines)
    for sentence in (s for part in re.split(r"(?<=\?)\s+", prose) for s in ex.split_sentences(part)):
        previous = None
        while previous != sentence:
            previous, sentence = sentence, _LEAD_IN_RE.sub("", sentence, count=1).strip()
        if not sentence or _META_RE.search(sentence):
            continue
        content = {w for w in _content_words(sentence) if w[:1].isalpha()}
        if not content:
            continue
        if len(content) > 1:
            asks.append(f"{lead} {sentence}".strip() if lead else sentence)
            lead = ""
        elif asks:
            asks[-1] = f"{asks[-1]} {sentence}"
        else:
            lead = f"{lead} {sentence}".strip()
    if lead:
        asks.append(lead)
    return asks


def offline_answer(
    question_text: str, passages: list[Passage], *, on_topic: bool = False
) -> tuple[str, list[Citation]]:
    """An extractive answer: the points of the one or two pages that answer the question best, each introduced
    by its page's title, with their citations; ``("", [])`` when nothing is close enough.

    The question is compared without its boilerplate (see question_asks), as a whole and sentence by sentence.
    Besides being close in meaning, the answer has to name what the question asks about (the asking sentences,
    not the setup): at least half of it, or, when ``on_topic`` (the passages were retrieved for this question
    and passed retrieval's calibrated relevance threshold), something of it. A question that names symbols
    (``//``, ``input()``, ``-Wall``) is answered only from notes that mention one of them, and a question about
    code it shows ("What does the following code print?") not at all: that is in nobody's notes."""
    asks = question_asks(question_text)
    focus = " ".join(asks) or " ".join(question_text.split())
    units = _answer_units(passages)
    symbols = _question_symbols(focus)
    if not units or not focus or any(_GIVEN_CODE_RE.search(a) for a in asks):
        return "", []
    if symbols and not any(_mentions_symbol(p.text, symbols) for p in passages):
        return "", []  # the notes are about something else
    queries = [focus, *asks] if len(asks) > 1 else [focus]
    vectors, embedded = ex.vectors_for(queries + [u.text for u in units] + [u.titled for u in units])
    nq, n = len(queries), len(units)
    plain, titled = vectors[nq : nq + n] @ vectors[:nq].T, vectors[nq + n :] @ vectors[:nq].T
    similarity = np.maximum(plain.max(axis=1), titled.max(axis=1))
    asked = _asked_words(asks) or _content_words(focus)
    overlap = np.array([len(asked & u.words) / max(1, len(asked)) for u in units])
    score = similarity + 0.2 * overlap  # the point that names what is asked about ("//") comes first
    threshold = ANSWER_THRESHOLD if embedded else TFIDF_ANSWER_THRESHOLD
    eligible = _eligible(units, {s for s in symbols if not s.endswith("()")})
    order = [int(i) for i in np.argsort(-score, kind="stable") if similarity[i] >= threshold and eligible[i]]
    if not order:
        return "", []
    pages: list[tuple[int | None, int]] = []
    for i in order:
        if len(pages) == ANSWER_PAGES or score[i] < score[order[0]] - ANSWER_MARGIN:
            break
        if units[i].page not in pages:
            pages.append(units[i].page)
    if not on_topic:  # a lecture's pages in the order of the notes; retrieved ones best first
        first = {u.page: i for i, u in reversed(list(enumerate(units)))}
        pages.sort(key=first.__getitem__)
    parts, citations, covered, seen = [], [], set(), set()
    for page in pages:
        chosen = _page_points(units, [i for i in range(n) if units[i].page == page], score, asked)
        chosen = [i for i in chosen if _dedup_key(units[i].text) not in seen]
        if not chosen:
            continue
        seen |= {_dedup_key(units[i].text) for i in chosen}
        covered |= set().union(*(units[i].words for i in chosen))
        title = units[chosen[0]].title
        body = "; ".join(units[i].text.rstrip(".;, ") for i in chosen)
        parts.append(_as_sentence(f"{title} — {body}" if title else body))
        passage = units[chosen[0]].passage
        citations.append(Citation(passage.lecture_name, passage.page, passage.lecture_id))
    # a close paraphrase, or enough of what is asked about ("binary search tree" is not "a tree")
    found = len(covered & asked)
    enough = found > 0 if on_topic else found >= 0.5 * len(asked)
    if asked and not enough and float(similarity[order[0]]) < STRONG_ANSWER:
        return "", []
    return " ".join(parts), citations


ANSWER_PAGES = 2  # an offline answer quotes at most this many pages…
ANSWER_MARGIN = 0.06  # …the second one only when it scores about as well as the best
PAGE_WORDS = 80  # a page this short (a slide) is quoted whole; of a longer one, its best points
PAGE_POINTS = 5

# A sentence that asks (rather than sets the question up): it starts with a question word or an instruction,
# ends with "?", or gives an instruction after a lead-in ("For each of these, describe …").
_ASKING_RE = re.compile(
    r"^\W*(?:what|which|who|whom|whose|why|how|when|where|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"list|name|state|define)\b|\b(?:what|why|how|explain|describe|discuss|give|compare|contrast|identify|outline|"
    r"calculate|compute|determine|derive|prove|write|draw|sketch|evaluate|justify|summari[sz]e|illustrate|"
    r"distinguish|suggest|propose)\b",
    re.I,
)
# The question asks about code (or its output, its error messages) that it shows: "What does the following
# code print?", "For each of these three error messages, …". What that code does is in nobody's notes, so an
# extractive answer can only be wrong (a model can still reason it out).
_GIVEN_CODE_RE = re.compile(
    r"\b(?:following|this|these|above|below|given)\s+(?:(?:\d+|two|three|four|five|six|short)\s+)?"
    r"(?:code|program|function|snippet|loop|output|(?:error|compiler|warning)\s+messages?)\b"
    r"|\b(?:code|program|function|snippet|output) (?:below|above|shown)\b",
    re.I,
)


def _asked_words(asks: list[str]) -> set[str]:
    """The content words of the sentences that ask something (a question, an instruction), not of those
    that set it up ("Consider a singly linked list …"); all of them when none looks like asking."""
    asking = [a for a in asks if _ASKING_RE.search(a) or a.rstrip().endswith("?")]
    return set().union(*(_content_words(a) for a in asking or asks)) if asks else set()


def _question_symbols(focus: str) -> set[str]:
    """The symbols a question names: operators, calls and command-line options (``//``, ``input()``,
    ``-Wall``), which the notes have to mention to answer it."""
    return {w for w in _content_words(focus) if not w[:1].isalpha()} | set(ex.code_calls(focus))


def _mentions_symbol(text: str, symbols: set[str]) -> bool:
    """Does ``text`` name one of ``symbols`` as a token of its own ("//" in "the // operator", not in a URL;
    a call by its bare name, any case)?"""
    for symbol in symbols:
        bare = symbol[:-2] if symbol.endswith("()") else symbol
        if re.search(rf"(?<![\w/:-]){re.escape(bare)}(?![\w/-])", text, re.I if symbol.endswith("()") else 0):
            return True
    return False


question_symbols = _question_symbols
mentions_symbol = _mentions_symbol


def _eligible(units: list[_AnswerUnit], exact: set[str]) -> list[bool]:
    """Which points may lead an answer: statements that stand on their own. When the question names an
    operator or option ("//", "-Wall"), which embeddings do not see, only the pages that mention it, and any
    point of them that does ("gfortran: -Wall -g")."""
    on_symbol = {u.page for u in units if exact and _mentions_symbol(u.text, exact)}
    if not on_symbol:
        return [u.quotable for u in units]
    return [u.page in on_symbol and (u.quotable or _mentions_symbol(u.text, exact)) for u in units]


@dataclass
class _AnswerUnit:
    text: str
    passage: Passage
    title: str  # the title of its page ("" when none)
    quotable: bool  # a statement that can answer on its own (else a label or short item, quoted with its page)
    words: set[str] = field(default_factory=set)

    @property
    def page(self) -> tuple[int | None, int]:
        return (self.passage.lecture_id, self.passage.page)

    @property
    def titled(self) -> str:
        return f"{self.title}: {self.text}" if self.title else self.text


def _page_points(units: list[_AnswerUnit], indices: list[int], score: np.ndarray, asked: set[str]) -> list[int]:
    """The points of one page to quote, in page order: all of a short page, the best of a long one; a lone
    label ("Examples", "Operations") only when it names something asked about."""
    indices = [
        i
        for i in indices
        if units[i].quotable or len(units[i].text.split()) > 1 or _content_words(units[i].text) & asked
    ]
    if sum(len(units[i].text.split()) for i in indices) <= PAGE_WORDS:
        return indices
    return sorted(sorted(indices, key=lambda i: -score[i])[:PAGE_POINTS])


def _looks_like_title(line: str) -> bool:
    line = line.strip()
    return (
        0 < len(line) <= 90
        and len(line.split()) <= 12
        and not ex.BULLET_RE.match(line)
        and not line.endswith(tuple(".!;:,"))
        and not ex.is_code_line(line)
        and bool(re.search(r"[A-Za-z]{2,}", line))
    )


_QUESTION_WORDS = ex._wordset(
    "what which who whom whose why how when where explain describe define discuss give state list name compare "
    "briefly example examples mean means meaning difference differences between main key role purpose work works "
    "happen happens tell term terms concept use uses used consider following below above given suppose assume "
    "imagine hint note think show briefly answer answers question questions reason reasons would want"
)


def _content_words(text: str) -> set[str]:
    """Stemmed content words, plus operators and calls (``//``, ``input()``) that questions ask about."""
    text = re.sub(r"['’]s\b|\b0x[0-9a-f]+\b", " ", text.replace("’", "'"), flags=re.I)  # "vector's": "vector"
    found = {
        ex._stem(w)
        for w in ex.words(text)
        if w.lower() not in ex.STOPWORDS
        and w.lower() not in _QUESTION_WORDS
        and len(w) > 1
        and not w.lower().endswith("n't")  # "can't", "doesn't": negated function words
    }
    found |= {m for m in re.findall(r"(?<!\S)[-+*/%=<>!#@]{1,3}(?!\S)", text) if m != "-"}
    found |= set(re.findall(r"(?<![\w-])--?[A-Za-z][\w=-]*", text))  # command-line options: "-Wall", "-g"
    return found | set(ex.code_calls(text))


def _answer_units(passages: list[Passage]) -> list[_AnswerUnit]:
    """The points of the passages in reading order, each with its page's title (a heading passage, or the
    first line of a retrieved chunk that looks like one); code, tables and boilerplate are left out, and
    "This is called …" keeps the sentence it refers to."""
    titles: dict[tuple[int | None, int], str] = {}
    for passage in passages:
        if passage.kind == "heading":
            titles.setdefault((passage.lecture_id, passage.page), " ".join(passage.text.split()))
    out: list[_AnswerUnit] = []
    seen: set[tuple[tuple[int | None, int], str]] = set()
    for passage in passages:
        key = (passage.lecture_id, passage.page)
        if passage.kind == "heading":
            continue
        body = passage.text.strip()
        first, _, rest = body.partition("\n")
        if rest.strip() and _looks_like_title(first):
            titles.setdefault(key, " ".join(first.split()))
            if " ".join(first.split()) == titles[key]:
                body = rest
        title = titles.get(key, "")
        previous: _AnswerUnit | None = None
        for unit in ex.page_units(passage.page, [Passage(passage.page, body, passage.kind)]):
            text = _tidy(unit.text)
            if unit.text.lstrip()[:1].islower():
                text = text[:1].lower() + text[1:]  # "findKth: constant time", not "FindKth"
            if unit.kind in ("code", "heading") or not text or text == title or text.count("|") >= 2:
                previous = None
                continue
            if ex.is_boilerplate(text) or not re.search(r"[A-Za-z]{2,}", text) or len(text.split()) > 80:
                continue
            if previous and re.match(r"(?:this|that|these|it|they)\b", text, re.I):
                previous.text = f"{_as_sentence(previous.text)} {text}"
                previous.quotable = previous.quotable or ex.is_informative(text)
                previous.words = _content_words(f"{title} {previous.text}")
                continue
            dedup = (key, _dedup_key(text))
            if dedup in seen:
                continue
            seen.add(dedup)
            quotable = unit.kind in ("prose", "list") and ex.is_informative(text)
            previous = _AnswerUnit(text, passage, title, quotable, _content_words(f"{title} {text}"))
            out.append(previous)
    return out


def _as_sentence(text: str) -> str:
    return text if text.rstrip(")”\"'").endswith((".", "!", "?")) else text + "."
