"""Text analysis for the offline (no model) generators: slide-aware sentence splitting, key sentences
(TextRank over sentence embeddings), definitions, key terms (YAKE) and page headings. No Django.

Slides are not prose: a "sentence" is a bullet, a wrapped line run, or a real sentence inside one; code and
REPL transcripts are kept apart as ``code`` units so they never become cheat-sheet sentences.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .types import Material, Passage

log = logging.getLogger(__name__)

BULLET_RE = re.compile(r"^\s*(?:[•●○◦▪▫■□►▶➢➤✓✔❖·\u2023]|[-–—*+](?=\s)|\d{1,2}[.)](?=\s)|o(?=\s+[A-Z]))\s*")
URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.I)
_CODE_START_RE = re.compile(
    r"^\s*(?:>>>|\.\.\.(?:\s|$)|#|def\s|class\s|import\s|from\s+\S+\s+import\b|return\b|print\s*\(|"
    r"(?:for|if|elif|while|with|try|except|else|finally)\b.*:\s*$|@\w|Traceback\b|File\s\"|\w+Error:|"
    r"[{}\]]\s*$|<\w+|\$\s)"
)
_ASSIGN_RE = re.compile(r"^\s*[A-Za-z_][\w.\[\],: -]{0,30}\s*(?:=|\+=|-=|\*=|/=)(?!=)\s*\S")
_CODE_PREFIX_RE = re.compile(r"^[A-Za-z_][\w.]*[\[(]")
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_PLAIN_TOKEN_RE = re.compile(r"[(“\"'‘]*[A-Za-z][a-z'’-]*[)”\"'’.,;:!?]*|[(“\"'‘]*[A-Z]{2,}[a-z]*[)”\"'’.,;:!?]*")
_CALL_RE = re.compile(r"\b[A-Za-z_][\w.]*\(\)")
_CODE_CHARS = set("()[]{}=<>;*/%+\\_#@|&^~`$")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "fig", "eq", "pp", "p", "no", "dr", "mr", "mrs", "prof", "a.k.a"}
_TERMINAL = ".!?"
_BOILERPLATE_RE = re.compile(
    r"copyright|\blicen[cs]e|creative commons|all rights reserved|\bcontributors?\b|acknowledg|"
    r"these slides|slides are|republish|attribution|\bthank you\b|any questions|\bpp?\.\s*\d|"
    r"\bsee (?:also )?(?:the )?(?:lecture )?(?:notes|chapter|section|textbook)\b|"
    r"\b(?:on|in) (?:this|the|today's) (?:lecture|course|class|talk)\b",
    re.I,
)
_BOILERPLATE_HEADING_RE = re.compile(
    r"^(acknowledg|credits|contributors|references|bibliography|questions|thank|license|copyright|"
    r"further reading|sources|about (?:the|this) (?:author|course)|next (?:time|lecture|week)|meta$|outline$|"
    r"agenda$|contents$|table of contents|exercises?\b|homework|assignment \d|lab \d)",
    re.I,
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can cannot could did do does doing down during each either else etc even ever every few
    for from further get gets got had has have having he her here hers him his how however i if in into is it its
    itself just let lets may me might more most much must my neither no nor not now of off on once one only or
    other our ours out over own per quite rather really same see seen shall she should since so some such than
    that the their theirs them then there these they thing things this those though through thus to too two under
    until up upon us use used uses using very via was we well were what when where whether which while who whom
    whose why will with within without would yet you your yours e.g i.e"""
)
# Words that make poor quiz answers or key terms on their own.
FILLER = _wordset(
    """example examples note notes good bad different lecture lectures slide slides chapter page pages today
    time next last first second third way ways lot lots bit kind kinds sort part parts case cases number
    numbers thing stuff something anything everything nothing someone people question questions answer answers
    summary overview introduction conclusion exercise exercises tutorial manual material online official
    user users main basic basics simple new old same following shown see also let make makes made want need
    needs like look looks true false yes okay ok www http https com org html pdf better worse usage tip tips
    warning caution remember idea ideas goal goals problem problems solution solutions pros cons advantages
    disadvantages motivation intuition aside recall reminder hint bonus aim purpose observation fact claim
    definition theorem proof lemma corollary todo often usually sometimes generally typically"""
)

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Unit:
    """One sentence-like piece of a page: ``prose`` (a sentence or a full bullet), ``fragment`` (a short
    label or table cell), ``list`` (a lead-in with its bullet items), ``code`` or ``heading``."""

    text: str
    page: int
    kind: str
    order: int = 0
    bullet: bool = False


@dataclass(frozen=True)
class Definition:
    term: str
    definition: str  # what the term is, without the term
    sentence: str  # the whole source sentence
    page: int


# --- lines and sentences -------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def is_code_line(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _CODE_START_RE.match(s) or _ASSIGN_RE.match(s):
        return True
    if _CODE_PREFIX_RE.match(s) and (" #" in s or "=" in s or s.endswith((")", "]"))):
        return True
    if s.startswith(("#include", "//", "/*", "*/")) or re.search(r"[;{}]\s*(?://.*)?$", s) and _code_density(s) > 0.05:
        return True  # C, C++, Java: "int num, den; // the numerator"
    body = s.replace(" ", "")
    symbols = sum(ch in _CODE_CHARS for ch in body)
    alpha_words = [w for w in s.split() if w.isalpha()]
    if len(body) >= 6 and symbols / len(body) > 0.18 and len(alpha_words) < 4:
        return True
    return bool(re.search(r"\w\(.*\)\s*$", s) and len(alpha_words) <= 2 and "=" in s)


def _code_density(text: str) -> float:
    body = text.replace(" ", "")
    return sum(ch in _CODE_CHARS for ch in body) / max(1, len(body))


def _is_code_paragraph(lines: list[str]) -> bool:
    if any(line.lstrip().startswith(">>>") for line in lines):
        return True
    code = sum(is_code_line(line) for line in lines)
    return code > 0 and code >= 0.5 * len(lines)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(tuple(_TERMINAL + ":;"))


def _joins(previous: str, last_line: str, line: str) -> bool:
    """Is ``line`` the continuation of a wrapped line (rather than a new item)?"""
    first = line.lstrip()[:1]
    if previous.rstrip().endswith(":") and (first.isdigit() or first in "-+(" or first.islower()):
        return True
    if _ends_sentence(previous):
        return False
    if first.islower():
        return True
    if first in "(“\"'‘" or first.isdigit():
        return len(previous.split()) >= 3
    # a capitalised line continues only a line that cannot end there ("… stored in the" | "Python …")
    last_word = last_line.split()[-1].lower() if last_line.split() else ""
    return len(last_line) >= 30 and (last_word in STOPWORDS or last_line.endswith(","))


def split_sentences(text: str) -> list[str]:
    """Split one unit of prose into sentences (abbreviations, decimals and code dots stay inside)."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?][”\"')\]]?\s+(?=[“\"'(‘A-Z0-9])", text):
        end = match.start() + 1
        token = text[start:end].rsplit(" ", 1)[-1].lower().rstrip(".!?")
        if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
            continue
        out.append(text[start : match.end()].strip())
        start = match.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _classify(text: str) -> str:
    if is_code_line(text) and len(words(text)) < 4:
        return "code"
    return "prose" if len(words(text)) >= 4 else "fragment"


def page_units(page: int, passages: Iterable[Passage]) -> list[Unit]:
    """The units of one page, in reading order."""
    raw: list[tuple[str, str, bool]] = []  # (text, kind, bullet)
    for passage in passages:
        if passage.kind == "heading":
            text = " ".join(passage.text.split())
            if text:
                raw.append((text, "heading", False))
            continue
        for paragraph in re.split(r"\n\s*\n", passage.text):
            lines = [line.rstrip() for line in paragraph.splitlines() if line.strip()]
            if not lines:
                continue
            if _is_code_paragraph(lines):
                raw.append(("\n".join(lines), "code", False))
                continue
            units = _paragraph_units(lines)
            if units and raw and _continues_across(raw[-1], units[0]):
                raw[-1] = (_join_text(raw[-1][0], units[0][0]), "prose", raw[-1][2])
                units = units[1:]
            raw.extend(units)
    return _attach_lists(page, raw)


def _continues_across(previous: tuple[str, str, bool], first: tuple[str, str, bool]) -> bool:
    """A sentence cut by the slide layout into two text boxes ("Floating Point Numbers have" | "decimal …")."""
    text, kind, _ = previous
    if kind not in ("prose", "fragment") or _ends_sentence(text) or first[1] == "code" or first[2]:
        return False
    last_word = text.split()[-1].lower()
    return first[0][:1].islower() and (last_word in STOPWORDS or last_word in {"have", "has", "had"})


def _is_grid(lines: list[str]) -> bool:
    """Short lines of similar length with no punctuation: a table or a word list, not wrapped prose."""
    if len(lines) < 3:
        return False
    counts = [len(line.split()) for line in lines]
    if max(counts) > 6 or any(line.rstrip().endswith(tuple(_TERMINAL + ",")) for line in lines):
        return False
    return max(counts) - min(counts) <= 1 or max(len(line) for line in lines) < 25


def _paragraph_units(lines: list[str]) -> list[tuple[str, str, bool]]:
    if _is_grid(lines) and not any(BULLET_RE.match(line) for line in lines):
        return [(line.strip(), "fragment", False) for line in lines]
    units: list[list] = []  # [text, bullet, last_line, code]
    for line in lines:
        bullet = bool(BULLET_RE.match(line))
        clean = BULLET_RE.sub("", line, count=1).strip() if bullet else line.strip()
        if not clean:
            continue
        continues = units and not bullet and not units[-1][3] and _joins(units[-1][0], units[-1][2], clean)
        if is_code_line(line) and not bullet and not (continues and len(clean.split()) <= 3):
            units.append([line.strip(), False, "", True])
        elif continues:
            units[-1][0] = _join_text(units[-1][0], clean)
            units[-1][2] = clean
        else:
            units.append([clean, bullet, clean, False])
    out: list[tuple[str, str, bool]] = []
    for text, bullet, _last, code in units:
        if code:
            out.append((text, "code", False))
            continue
        for sentence in split_sentences(text):
            out.append((sentence, _classify(sentence), bullet))
    return out


def _join_text(left: str, right: str) -> str:
    if left.endswith("-") and not left.endswith(" -") and right[:1].islower():
        return left[:-1] + right  # a word hyphenated across lines
    return f"{left} {right}"


def _attach_lists(page: int, raw: list[tuple[str, str, bool]]) -> list[Unit]:
    """A lead-in ending with ":" followed by short items becomes one ``list`` unit: "Lead: a; b; c"."""
    units: list[Unit] = []
    i = 0
    while i < len(raw):
        text, kind, bullet = raw[i]
        lead_in = text.endswith(":") or (text.endswith("?") and len(words(text)) <= 5)
        if kind in ("prose", "fragment") and lead_in and len(words(text)) >= 2:
            items = []
            urls = 0
            j = i + 1
            while j < len(raw) and raw[j][1] in ("prose", "fragment") and raw[j][2] and len(words(raw[j][0])) <= 14:
                if raw[j][0].endswith(":"):
                    break
                item = URL_RE.sub("", raw[j][0]).strip(" .;,:")
                if item:
                    items.append(item)
                else:
                    urls += 1
                j += 1
            if 2 <= len(items) <= 6 and sum(len(item) for item in items) <= 260 and urls * 2 < len(items):
                units.append(Unit(f"{text} {'; '.join(items)}", page, "list", len(units), bullet))
                i = j
                continue
        units.append(Unit(text, page, kind, len(units), bullet))
        i += 1
    return units


def material_units(material: Material) -> list[Unit]:
    """All units of the material, page by page, numbered in reading order."""
    by_page: dict[int, list[Passage]] = {}
    for passage in material.passages:
        by_page.setdefault(passage.page, []).append(passage)
    out: list[Unit] = []
    for page in sorted(by_page):
        for unit in page_units(page, by_page[page]):
            out.append(Unit(unit.text, unit.page, unit.kind, len(out), unit.bullet))
    return out


def is_boilerplate(text: str) -> bool:
    return bool(_BOILERPLATE_RE.search(text)) or bool(URL_RE.fullmatch(text.strip()))


def is_informative(text: str, *, min_words: int = 4) -> bool:
    """Fit to be a cheat-sheet point or a quiz sentence: a real statement, not code, a URL, or boilerplate."""
    tokens = [t for t in URL_RE.sub("", text).split() if not re.fullmatch(r"[-+]?[\d.,%;:]+|[—–-]", t)]
    plain = [t for t in tokens if _PLAIN_TOKEN_RE.fullmatch(t)]
    if len(plain) < min_words or len(tokens) > 70 or text.rstrip().endswith("?"):
        return False
    if len(plain) < 0.6 * len(tokens) or is_boilerplate(text) or _EMAIL_RE.search(text) or text.count("|") >= 2:
        return False
    content = [w for w in words(" ".join(plain)) if w.lower() not in STOPWORDS]
    if len(content) == len(words(" ".join(plain))) and all(w[:1].isupper() for w in content):
        return False  # "Variable Operator Constant Function": labels of a diagram, not a statement
    return len(content) >= 2


# --- embeddings and TextRank ---------------------------------------------------------------------------

_CACHE: dict[str, np.ndarray] = {}
_CACHE_LIMIT = 20000
_WARNED = False


def embed(texts: Sequence[str]) -> np.ndarray | None:
    """Unit-length sentence embeddings (cached), or None when the embedding model is unavailable."""
    from smartnotes.ai import AIError, embed_texts

    missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if missing:
        try:
            vectors = embed_texts(missing)
        except AIError as exc:
            global _WARNED
            (log.debug if _WARNED else log.warning)("offline generation: no embeddings, using TF-IDF (%r)", exc)
            _WARNED = True
            return None
        if len(_CACHE) + len(missing) > _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE.update(zip(missing, vectors, strict=True))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_CACHE[t] for t in texts])


IRREGULAR_PLURAL = {
    "matrix": "matrices",
    "index": "indices",
    "vertex": "vertices",
    "axis": "axes",
    "analysis": "analyses",
    "basis": "bases",
    "hypothesis": "hypotheses",
    "criterion": "criteria",
    "phenomenon": "phenomena",
    "child": "children",
    "person": "people",
    "datum": "data",
}
_IRREGULAR_SINGULAR = {plural: singular for singular, plural in IRREGULAR_PLURAL.items() if singular != "datum"}
UNCOUNTABLE = _wordset(
    "memory data information code software hardware storage knowledge evidence research equipment feedback "
    "advice traffic syntax logic mathematics physics economics news progress python"
)


def _stem(word: str) -> str:
    """Singular of a (lowercased) English noun: ``rules``→``rule``, ``classes``→``class``, ``entries``→``entry``."""
    word = word.lower().strip("'’-")
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word]
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:ss|x|z|ch|sh)es$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def tfidf_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit-length TF-IDF vectors over stemmed content words (the fallback for ``embed``)."""
    docs = [[_stem(w) for w in words(t) if w.lower() not in STOPWORDS] for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
    matrix = np.zeros((len(texts), max(1, len(vocab))), dtype=np.float32)
    for row, doc in enumerate(docs):
        for w in doc:
            matrix[row, vocab[w]] += 1.0
    df = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(texts)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def vectors_for(texts: Sequence[str]) -> tuple[np.ndarray, bool]:
    """(vectors, from_embeddings): embeddings when available, else TF-IDF."""
    vectors = embed(texts)
    if vectors is None:
        return tfidf_vectors(texts), False
    return vectors, True


def textrank(vectors: np.ndarray, *, damping: float = 0.85, iterations: int = 60) -> np.ndarray:
    """PageRank over the cosine-similarity graph of the rows of ``vectors``; scores sum to 1."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0)
    sim = np.clip(vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(sim, 0.0)
    sim[sim < 0.15] = 0.0
    out_weight = sim.sum(axis=1, keepdims=True)
    transition = np.divide(sim, out_weight, out=np.full_like(sim, 1.0 / n), where=out_weight > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        updated = (1 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-8:
            scores = updated
            break
        scores = updated
    return scores / scores.sum()


# --- definitions ---------------------------------------------------------------------------------------

_DET = r"(?:a|an|the)"
_SUBJECT = r"(?P<term>(?:[“\"'‘]?[A-Za-z][\w+#.’'-]*[”\"'’]?\s+){0,3}[“\"'‘]?[A-Za-z][\w+#’'-]*[”\"'’]?)"
_DEF_PATTERNS = [
    re.compile(rf"^(?:{_DET}\s+)?{_SUBJECT}\s+(?:is|are)\s+(?P<def>{_DET}\s+\S.*)$", re.I),
    re.compile(rf"^(?:{_DET}\s+)?{_SUBJECT}\s+(?:refers? to|means?|denotes?|stands? for)\s+(?P<def>\S.*)$", re.I),
    re.compile(rf"^(?:{_DET}\s+)?{_SUBJECT}\s*(?:\s[—–-]|:)\s+(?P<def>\S.*)$", re.I),
    re.compile(
        r"^(?P<term>[A-Za-z][a-z-]*[a-rt-z]s|[A-Za-z][a-z-]+ [a-z-]*[a-rt-z]s) are (?P<def>(?!(?:always|not|also|very|"
        r"often|usually|only|just|still|now|then|more|less|as|so|too|being|called|the same)\b)[a-z]+(?<!ed)(?<!ly)"
        r" [a-z].*)$"
    ),
    re.compile(r"^(?P<def>.{12,}?),?\s+(?:is|are) called\s+[“\"'‘](?P<term>[^”\"'’]{2,40})[”\"'’](?P<rest>.*)$", re.I),
]
_PRONOUN_SUBJECTS = _wordset(
    "this that it these those there they here which what who one each some all both many most he she we you i such"
)
_BAD_TERM_START = _wordset("if when while because since although but and or so then also")


def _clean_term(term: str) -> str:
    term = term.strip().strip("“”\"'‘’")
    return re.sub(r"\s+", " ", term)


def _acceptable_term(term: str) -> bool:
    ws = term.split()
    if not 1 <= len(ws) <= 4 or len(term) < 2:
        return False
    first = ws[0].lower()
    if first in _PRONOUN_SUBJECTS or first in _BAD_TERM_START:
        return False
    if ws[-1].lower() in FILLER or ws[-1].lower().endswith("ly"):
        return False  # "Better: …", "Endianness often refers to …"
    if all(w.lower() in STOPWORDS or w.lower() in FILLER for w in ws):
        return False
    if re.search(r"\d", term) and not re.search(r"[A-Za-z]{2}", term):
        return False
    # a verb right before "is" (e.g. "What this code does is") is not a noun phrase
    return not any(w.lower() in {"is", "are", "was", "does", "do", "can", "will", "have", "has"} for w in ws)


def find_definitions(units: Iterable[Unit]) -> list[Definition]:
    """Definitions stated in the text, in reading order (one per unit)."""
    out: list[Definition] = []
    previous: Unit | None = None
    for unit in units:
        if unit.kind not in ("prose", "fragment", "list"):
            previous = None
            continue
        definition = definition_in(unit.text, unit.page, colon_ok=unit.kind != "list")
        match = _CALLED_RE.match(unit.text.strip())
        if match and previous is not None and previous.page == unit.page and previous.kind == "prose":
            term = _clean_term(match.group("term"))
            if _acceptable_term(term):
                body = previous.text.rstrip(" .;:")
                definition = Definition(term, body, f"{body}. {unit.text.strip()}", unit.page)
        if definition:
            out.append(definition)
        previous = unit
    return out


_CALLED_RE = re.compile(
    r"^(?:this|that|it|these) (?:is|are) (?:called|known as)\s+[“\"'‘](?P<term>[^”\"'’]{2,40})[”\"'’]", re.I
)


def definition_in(sentence: str, page: int, *, colon_ok: bool = True) -> Definition | None:
    text = sentence.strip()
    for index, pattern in enumerate(_DEF_PATTERNS):
        if index == 2 and not colon_ok:
            continue
        match = pattern.match(text)
        if not match:
            continue
        term = _clean_term(match.group("term"))
        body = match.group("def").strip()
        if index == 4:
            body = (body + match.group("rest")).strip(" ,")
            body = re.sub(r"^(?:the\s+)?", "", body)
        body = body.rstrip(" .;:")
        min_body = 2 if index == 3 or (index == 0 and len(term.split()) == 1) else 3
        if not _acceptable_term(term) or len(words(body)) < min_body or is_code_line(body):
            continue
        if index == 2 and (
            len(words(body)) < 4
            or any(w.lower() in FILLER or w.lower() in STOPWORDS for w in term.split())
            or is_boilerplate(text)
        ):
            continue
        return Definition(term=term, definition=body, sentence=text, page=page)
    return None


# --- key terms -----------------------------------------------------------------------------------------


def normalise_term(term: str) -> str:
    """Case-, plural- and punctuation-insensitive form used to compare terms."""
    return " ".join(_stem(w) for w in re.findall(r"[A-Za-z0-9]+", term.lower()))


def key_terms(texts: Sequence[str], *, top: int = 60) -> list[str]:
    """The lecture's key terms, best first: YAKE over the prose, lowercased, deduplicated, without stop-word,
    filler or numeric terms."""
    prose = " ".join(t if t.rstrip().endswith(tuple(_TERMINAL)) else t + "." for t in texts if t.strip())
    prose = URL_RE.sub(" ", prose)
    if not prose.strip():
        return []
    try:
        import yake
    except ImportError:  # pragma: no cover - yake is a requirement
        log.warning("yake is not installed; key terms by frequency")
        return _frequent_terms(texts, top)
    extractor = yake.KeywordExtractor(lan="en", n=3, top=top * 3, dedup_lim=0.9)
    seen: set[str] = set()
    out: list[str] = []
    for term, _score in extractor.extract_keywords(prose):
        term = term.strip().lower()
        key = normalise_term(term)
        if not key or key in seen or not _good_key_term(term):
            continue
        seen.add(key)
        out.append(term)
        if len(out) >= top:
            break
    return out


def _good_key_term(term: str) -> bool:
    ws = term.split()
    if re.fullmatch(r"[\d\s.,%+-]+", term) or len(term) < 2:
        return False
    if ws[0] in STOPWORDS or ws[-1] in STOPWORDS:
        return False
    if all(w in FILLER or w in STOPWORDS for w in ws):
        return False
    return not (len(ws) > 1 and any(w in FILLER for w in (ws[0], ws[-1])))


def _frequent_terms(texts: Sequence[str], top: int) -> list[str]:
    counts: dict[str, int] = {}
    for text in texts:
        for w in words(text):
            lw = w.lower()
            if lw not in STOPWORDS and lw not in FILLER and len(lw) > 2:
                counts[lw] = counts.get(lw, 0) + 1
    return [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:top]]


# --- headings ------------------------------------------------------------------------------------------


def _title_like(text: str) -> bool:
    ws = text.split()
    return (
        1 <= len(ws) <= 9
        and len(text) <= 80
        and not text.rstrip().endswith((".", ",", ";"))
        and not is_code_line(text)
        and not URL_RE.search(text)
        and text[:1].isupper()
        and len(words(text)) >= 0.6 * len(ws)
    )


def page_headings(material: Material) -> dict[int, str | None]:
    """Each page's title: its first usable ``heading`` passage, else its first short title-like line, else None."""
    by_page: dict[int, list[Passage]] = {}
    for passage in material.passages:
        by_page.setdefault(passage.page, []).append(passage)
    out: dict[int, str | None] = {}
    for page in material.pages:
        passages = by_page.get(page, [])
        heading = None
        for passage in passages:
            text = " ".join(passage.text.split())
            if passage.kind == "heading" and _title_like(text) and not text.endswith(":"):
                heading = text
                break
        if heading is None and passages:
            first_line = next((line.strip() for line in passages[0].text.splitlines() if line.strip()), "")
            first_line = BULLET_RE.sub("", first_line, count=1).strip()
            if passages[0].kind != "list" and _title_like(first_line) and len(first_line.split()) <= 6:
                heading = first_line
        out[page] = heading.strip("…. ") if heading else None
    return out


def is_boilerplate_heading(heading: str) -> bool:
    return bool(_BOILERPLATE_HEADING_RE.match(heading.strip()))


def code_calls(text: str) -> list[str]:
    """``name()`` tokens written in prose, e.g. ``int()``."""
    return _CALL_RE.findall(text)


# --- REPL transcripts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplFact:
    """A line of a Python REPL transcript whose shown output we verified by evaluating it ourselves."""

    statement: str  # e.g. "print(9 // 2)" or "x = 1 + 2 ** 3 / 4 * 5"
    expression: str  # the arithmetic that was evaluated
    output: str  # what the slide shows (and Python prints)
    page: int
    order: int


_REPL_PRINT_RE = re.compile(r"^>>>\s*print\s*\((?P<expr>.+)\)\s*$")
_REPL_ASSIGN_RE = re.compile(r"^>>>\s*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<expr>[^=].*)$")


def safe_eval(expression: str, env: dict[str, float] | None = None) -> int | float | None:
    """Evaluate literal arithmetic (+ - * / // % **, int(), float(), known names); None if anything else."""
    import ast

    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return None
    ops = {
        ast.Add: lambda a, b: a + b,
        ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b,
        ast.FloorDiv: lambda a, b: a // b,
        ast.Mod: lambda a, b: a % b,
        ast.Pow: lambda a, b: a**b,
    }
    env = env or {}

    def value(node):  # noqa: ANN001, ANN202 - small recursive evaluator
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.Name) and node.id in env:
            return env[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
                raise ValueError("too large")
            return ops[type(node.op)](left, right)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("int", "float")
            and len(node.args) == 1
            and not node.keywords
        ):
            return {"int": int, "float": float}[node.func.id](value(node.args[0]))
        raise ValueError("not literal arithmetic")

    try:
        result = value(tree.body)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return result if isinstance(result, int | float) and not isinstance(result, bool) else None


def _has_operation(expression: str) -> bool:
    return bool(re.search(r"[-+*/%]|\b(?:int|float)\s*\(", expression.strip().lstrip("-")))


def _literal(expression: str) -> bool:
    return not re.search(r"[A-Za-z_]", re.sub(r"\b(?:int|float)\(", "(", expression))


def repl_facts(units: Iterable[Unit]) -> list[ReplFact]:
    """Arithmetic in ``>>>`` transcripts whose displayed result is what Python really prints."""
    out: list[ReplFact] = []
    for unit in units:
        if unit.kind != "code" or ">>>" not in unit.text:
            continue
        lines = [line.strip() for line in unit.text.splitlines()]
        env: dict[str, float] = {}
        pending: dict[str, str] = {}  # name -> expression of its last literal assignment
        for i, line in enumerate(lines):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            assign = _REPL_ASSIGN_RE.match(line)
            if assign:
                result = safe_eval(assign.group("expr"), env)
                name = assign.group("name")
                env.pop(name, None)
                pending.pop(name, None)
                if result is not None:
                    env[name] = result
                    if _has_operation(assign.group("expr")) and _literal(assign.group("expr")):
                        pending[name] = assign.group("expr").strip()
                continue
            printed = _REPL_PRINT_RE.match(line)
            if not printed or not following or following.startswith(">>>"):
                continue
            expression = printed.group("expr").strip()
            if expression in pending:
                statement, shown = f"{expression} = {pending[expression]}", pending[expression]
            elif _has_operation(expression) and _literal(expression):
                statement, shown = f"print({expression})", expression
            else:
                continue
            result = safe_eval(shown, env)
            if result is not None and str(result) == following:
                out.append(ReplFact(statement, shown, following, unit.page, unit.order))
    return out


NUMBER_RE = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w.])")


def numbers_in(text: str) -> list[str]:
    return NUMBER_RE.findall(text)


_COMMENTED_RE = re.compile(r"^(?:>>>\s*)?(?P<code>[^#\s][^#]{1,70}?)\s+#\s*(?P<comment>[^#]{3,90})$")


def commented_code(units: Iterable[Unit]) -> list[tuple[str, str, int, int]]:
    """``(code, comment, page, order)`` for code lines explained by a trailing comment, e.g.
    ``A[:, 3]  # all rows, column 3 → vector``."""
    out = []
    for unit in units:
        if unit.kind != "code":
            continue
        for line in unit.text.splitlines():
            match = _COMMENTED_RE.match(line.strip())
            if not match:
                continue
            code, comment = match.group("code").strip(), match.group("comment").strip()
            if len(words(comment)) >= 1 and re.search(r"[A-Za-z]{2}", comment) and not comment.startswith("noqa"):
                out.append((code, comment, unit.page, unit.order))
    return out
