"""Flashcards from a lecture (no Django).

Offline, from the lecture's own sentences (``offline.analyse``): its definitions become basic cards ("What is
a variable?"), its key sentences cloze cards with one key term marked ``{{c1::term}}`` or multiple-choice cards
with that term blanked (distractors of the same kind from the same lecture, chosen by the quiz's
``offline._choose_distractors``), its verified REPL results ("What does print(9 // 2) display?") basic or
multiple-choice cards, and a few slides with a real figure "What does this diagram show?" cards. One card per
fact (sentence), spread over the lecture.

With a model, the reply is read with ``schemas.CardsReply``, every card is checked (``card_problems``: one fact,
a cloze on a real term, four distinct options, a page that exists and supports it), the rejected cards are sent
back once for repair, and what is still missing is made offline. An unreachable model falls back to the offline
method with ``make.FALLBACK_NOTICE``.

Every card carries the page it comes from and a ``key`` (``card_key``: its normalised front and back; callers
compute the keys of the student's kept or edited cards with the same function). A card whose key, or a near copy
of it (same content words), is in ``existing_keys`` is not made again.
"""

from __future__ import annotations

import json
import logging
import random
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from smartnotes import ai

from . import ai_generation, offline, prompts, validation
from . import extractive as ex
from .errors import GenerationError
from .make import FALLBACK_NOTICE, Made, Progress
from .schemas import CardOut, CardsReply, QuizItemOut
from .types import CARD_TYPES, CardDraft, FigureRef, Material, QuizQuestion

log = logging.getLogger(__name__)

KINDS = CARD_TYPES
MAX_FIGURE_CARDS = 3
MAX_BACK_WORDS = 40  # a basic card's answer: one fact
MAX_CLOZE_WORDS = 40  # a cloze sentence
DUPLICATE_SIMILARITY = 0.85  # word-set similarity from which two cards count as the same card
CARDS_NOTES_TOKENS = 6000  # notes sent with a card request
EXISTING_HINTS = 40  # existing cards listed in the request
DIAGRAM_FRONT = "What does this diagram show?"
# how a deck of all three kinds is split (diagram cards, at most MAX_FIGURE_CARDS, come on top)
SHARES = {"basic": 0.3, "cloze": 0.45, "multiple_choice": 0.25}

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*))?\}\}", re.S)
_KEY_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?|\w+|[-+*/%=<>!&|^~@#]+")
_NUMBER_RE = re.compile(r"[-+]?\d+(?:[.,]\d+)?%?")
_ABOUT_NUMBER_RE = re.compile(
    r"\d\s*(?:[-+*/%^=<>]|\*\*|//)\s*\(?\d|\b(?:gives?|returns?|evaluates?|equals?|results?|values?|prints?|"
    r"displays?|outputs?|years?|percent|per cent|how many|number of|counts?|size|length|total|average|rate|"
    r"bits?|bytes?|seconds?|minutes?|hours?|days?|degrees?|times|digits?)\b",
    re.I,
)
_FILLER = ex.STOPWORDS | ex.FILLER | validation.STOPWORDS
_CALL_RE = re.compile(r"[A-Za-z_][\w.]*\(\)")
_LEAD_RE = re.compile(r"^(?P<lead>[^:]{2,60}):\s+(?=\S)")

INVALID_NOTICE = "The AI model's cards could not be used, so these were made from your notes without it."
MIXED_NOTICE = "The AI model wrote {ai} of these cards; the other {offline} were made from your notes without it."
SHORT_NOTICE = "Only {got} of the {asked} cards could be made from these notes{why}."


# --- keys and duplicates -------------------------------------------------------------------------------


def unclozed(text: str) -> str:
    """The text with its cloze markers replaced by the terms they hide."""
    return CLOZE_RE.sub(lambda m: m.group(2), text)


def cloze_terms(text: str) -> list[str]:
    return [m.group(2).strip() for m in CLOZE_RE.finditer(text)]


def _key_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_KEY_TOKEN_RE.findall(text))


def card_key(front: str, back: str) -> str:
    """The normalised front and back of a card (case, punctuation and cloze markers ignored; numbers and
    operators kept, so ``9 // 2`` and ``9 / 2`` stay apart)."""
    return f"{_key_text(unclozed(front))} || {_key_text(back)}"


def _light_stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _fingerprint(key: str) -> frozenset[str]:
    """The key's content words: a cloze, a blanked question and a basic card on the same sentence match."""
    return frozenset(
        _light_stem(w)
        for w in key.split()
        if w != "||" and w not in validation.STOPWORDS and not re.fullmatch(r"_+|[a-z]", w)
    )


class _Deck:
    """The cards accepted so far, and the keys they must not repeat (the student's cards and each other)."""

    def __init__(self, existing_keys: Iterable[str] = ()):
        self.cards: list[CardDraft] = []
        self.keys: set[str] = set()
        self.prints: list[frozenset[str]] = []
        for key in existing_keys:
            self._remember(key)

    def _remember(self, key: str) -> None:
        self.keys.add(key)
        self.prints.append(_fingerprint(key))

    def repeats(self, card: CardDraft) -> bool:
        if card.key in self.keys:
            return True
        words = _fingerprint(card.key)
        for other in self.prints:
            if words == other or (words and other and len(words & other) / len(words | other) >= DUPLICATE_SIMILARITY):
                return True
        return False

    def add(self, card: CardDraft) -> None:
        self.cards.append(card)
        self._remember(card.key)


# --- checks ----------------------------------------------------------------------------------------------


def _about_number(sentence: str) -> bool:
    return bool(_ABOUT_NUMBER_RE.search(sentence))


def blank_problem(term: str, sentence: str) -> str | None:
    """Why ``term`` is not worth blanking in ``sentence`` (a stop word, a word of two letters, a number the
    sentence is not about...), or None."""
    term = " ".join(term.split())
    if not term:
        return "has an empty {{c1::}} marker"
    if _NUMBER_RE.fullmatch(term):
        if _about_number(sentence):
            return None
        return f'blanks the number "{term}", which the sentence is not about; blank its key term instead'
    if offline._kind(term) == "symbol":
        if term in offline._KNOWN_OPERATORS:
            return None
        return f'blanks "{term}", which is not a term; blank the key term of the sentence'
    if _CALL_RE.fullmatch(term):
        return None
    words = [w.lower() for w in ex.words(term)]
    if not words:
        return f'blanks "{term}", which is not a term; blank the key term of the sentence'
    if all(w in _FILLER for w in words):
        return f'blanks the filler word "{term}"; blank the key term of the sentence (a concept or a name)'
    if sum(ch.isalpha() for ch in term) <= 2:
        return f'blanks "{term}", a word of two letters or fewer; blank the key term of the sentence'
    if len(words) > 6:
        return f"blanks a whole phrase of {len(words)} words; blank one key term"
    return None


def cloze_problem(front: str) -> str | None:
    """Why a cloze front is unusable: no ``{{c1::term}}``, several facts, a filler blank, too little left."""
    marks = list(CLOZE_RE.finditer(front))
    if not marks:
        return "does not mark its answer as {{c1::term}}"
    rest = CLOZE_RE.sub(" ", front)
    if "{{" in rest or "}}" in rest:
        return "has a malformed cloze marker; write it as {{c1::term}}"
    if {m.group(1) for m in marks} != {"1"}:
        return "has more than one blank (c2, c3...); test one fact: mark only one term, as {{c1::term}}"
    for mark in marks:
        problem = blank_problem(mark.group(2), unclozed(front))
        if problem:
            return problem
    terms = {ex.normalise_term(m.group(2)) or m.group(2).strip() for m in marks}
    if len(terms) > 1:
        return "blanks different terms; test one fact: mark one term (every occurrence of it) as {{c1::term}}"
    left = [w for w in ex.words(rest) if w.lower() not in ex.STOPWORDS]
    if len(left) < 3:
        return "leaves too little of the sentence to recall the term from; use a longer sentence from the notes"
    return None


def _option_problems(card: CardDraft) -> list[str]:
    """Exactly four distinct, non-empty options (operators such as ``//`` count as text), one of them the back."""
    options = card.options
    if len(options) != 4:
        return [f"has {len(options)} options; exactly 4 are needed"]
    keys = [_key_text(o) for o in options]
    empty = [validation.LETTERS[i] for i, key in enumerate(keys) if not key]
    if empty:
        return [f"option {' and '.join(empty)} is empty"]
    problems = []
    if len(set(keys)) < 4:
        i = next(i for i, key in enumerate(keys) if keys.index(key) != i)
        j = keys.index(keys[i])
        problems.append(
            f"options {validation.LETTERS[j]} and {validation.LETTERS[i]} are the same; all four must differ"
        )
    else:
        item = QuizItemOut.model_construct(question=card.front, options=list(options), correct=[], page=card.page)
        problem = validation.check_distinct_options(item)
        if problem:
            problems.append(problem)
    item = QuizItemOut.model_construct(question=card.front, options=list(options), correct=[], page=card.page)
    problem = validation.check_meta_options(item)
    if problem:
        problems.append(problem)
    if _key_text(card.back) and _key_text(card.back) not in keys:
        problems.append(f'gives the answer "{validation._short(card.back)}", which is not one of its options')
    return problems


def _support_item(card: CardDraft) -> QuizItemOut:
    answer = unclozed(card.front) if card.card_type == "cloze" else card.back
    return QuizItemOut.model_construct(
        question=card.front, options=[answer], correct=[0], explanation="", page=card.page
    )


def card_problems(card: CardDraft, page_texts: Mapping[int, str], *, kinds: Collection[str] = KINDS) -> list[str]:
    """Every problem of one card, in plain English for the repair prompt (empty when it is fine)."""
    if card.card_type not in CARD_TYPES:
        return [f'has the unknown type "{card.card_type}"; use basic, cloze or multiple_choice']
    if card.card_type not in kinds:
        asked = ", ".join(kinds)
        return [f"is a {card.card_type} card, but only {asked} cards were asked for"]
    front, back = unclozed(card.front), card.back
    if not _key_text(front):
        return ["has an empty front"]
    problems = []
    if not _key_text(back):
        problems.append("has an empty back")
    elif _key_text(front) == _key_text(back):
        problems.append("has the same text on the front and the back")
    if card.card_type == "basic":
        n_words = len(back.split())
        if n_words > MAX_BACK_WORDS:
            problems.append(f"has a back of {n_words} words; test one fact, in at most {MAX_BACK_WORDS} words")
        if len(ex.words(back)) >= 3 and _key_text(back) in _key_text(front):
            problems.append("gives the answer away on the front")
    elif card.card_type == "cloze":
        problem = cloze_problem(card.front)
        if problem:
            problems.append(problem)
    else:
        problems += _option_problems(card)
    item = _support_item(card)
    problem = validation.check_page(item, page_texts) or validation.check_support(item, page_texts)
    if problem:
        problems.append(problem)
    return problems


# --- offline ---------------------------------------------------------------------------------------------


@dataclass
class _Option:
    """A card the deck could take: built lazily (multiple choice needs distractors)."""

    kind: str  # basic | cloze | multiple_choice
    source: str  # definition | repl | figure | sentence
    page: int
    score: float
    fact: str  # one card per fact
    answer: str
    build: Callable[[], CardDraft | None]
    dead: bool = False


def _tidy_card_text(text: str) -> str:
    """Sentence text fit for a card: example values in parentheses dropped ("a value (0.6)")."""
    text = re.sub(r"\s+\(\s*[-+]?\d+(?:\.\d+)?(?:\s*,\s*[-+]?\d+(?:\.\d+)?)*\s*\)", "", text)
    text = re.sub(r"\s+([,;:.!?])", r"\1", " ".join(text.split()))
    return text


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "”", '"', ")")) else text + "."


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fact(text: str) -> str:
    return offline._dedup_key(unclozed(text))


def _pattern(answer: str) -> tuple[str, int]:
    """The regex of every occurrence of ``answer`` in a sentence (terms: any case, plural too), as the quiz's
    blanks use it."""
    if offline._kind(answer) == "term":
        words = [re.escape(w) for w in answer.split()]
        last = answer.split()[-1]
        if len(last) > 3:
            words[-1] = re.escape(ex._stem(last)) + r"(?:s|es)?"
        return r"(?<![\w.-])" + r"[\s-]+".join(words) + r"(?![\w-]|\.\w)", re.I
    if offline._kind(answer) == "symbol":
        return r"(?<![^\s(“\"'‘])" + re.escape(answer) + r"(?![^\s)”\"'’,.;:])", 0
    return r"(?<![\w.])" + re.escape(answer) + r"(?![\w])", 0


def _split_lead(sentence: str) -> tuple[str, str]:
    """("Lead: ", rest) for a list point or a bullet under its slide title, else ("", sentence)."""
    match = _LEAD_RE.match(sentence)
    if match and len(match.group("lead").split()) <= 6:
        return sentence[: match.end()], sentence[match.end() :]
    return "", sentence


def cloze_front(sentence: str, answer: str) -> str | None:
    """``sentence`` with every occurrence of ``answer`` marked ``{{c1::…}}`` (never inside its lead-in
    "Title: "), or None when it does not occur or too little would be left to recall it from."""
    lead, body = _split_lead(sentence)
    pattern, flags = _pattern(answer)
    marked, count = re.subn(pattern, lambda m: "{{c1::" + m.group(0) + "}}", body, flags=flags)
    if not count:
        return None
    front = _as_sentence(lead + marked)
    return None if cloze_problem(front) else front


def _page_frequency(analysis: offline.Analysis) -> Callable[[str], float]:
    """The share of the lecture's pages that mention a term."""
    pages = [p for p in analysis.material.pages if p not in analysis.excluded_pages]
    texts = [" ".join(analysis.material.page_texts.get(p, "").split()) for p in pages]
    if not any(texts):
        texts = [" ".join(u.text for u in analysis.units if u.page == p) for p in pages]
    cache: dict[str, float] = {}

    def share(term: str) -> float:
        if term not in cache:
            hits = sum(bool(offline._occurrence(term, t)) for t in texts) if offline._kind(term) == "term" else 0
            cache[term] = hits / max(1, len(texts))
        return cache[term]

    return share


_DANGLING_RE = re.compile(
    r"^(?:this|that|these|those|it|they|he|she|later|next)\b|\b(?:this|these)\s+(?:is|are|was|were|can|could|will|"
    r"would|with|has|have|does|do|means?|makes?)\b|\b(?:control|do|does|did|use|see|try|avoid|change)\s+(?:this|that|"
    r"it)\b",
    re.I,
)
_QUOTED_RE = re.compile(r"[“\"‘](?P<term>[A-Za-z][\w+#’'-]*(?: [A-Za-z][\w’'-]*){0,2})[”\"’]")
_AFTER_CODE_RE = re.compile(r"(?:\)|[-+*/%=<>!]+)\s*$")


def _stands_alone(text: str) -> bool:
    """A card cannot lean on the slide around it: its first sentence does not start from "this" or "it"."""
    first = ex.split_sentences(unclozed(text))[:1]
    return not (first and _DANGLING_RE.search(first[0]))


def _singular(term: str) -> str:
    words = term.split()
    return " ".join([*words[:-1], ex._stem(words[-1])]) if words and words[-1].islower() else term


def _spans(answer: str, text: str) -> list[tuple[int, int]]:
    pattern, flags = _pattern(answer)
    return [m.span() for m in re.finditer(pattern, text, flags)]


class _Terms:
    """How good a term is as the answer of a card on one sentence: the lecture's defined terms, slide titles
    and top key terms, names of functions and operators, and words the notes put in quotes are; stop words,
    words of the lecture's subject ("Python" in a Python course) and rare generic words are not."""

    def __init__(self, analysis: offline.Analysis, pools: offline._Pools):
        self.pools = pools
        self.rank = {ex.normalise_term(t): i for i, t in enumerate(analysis.terms)}
        self.n_ranked = max(1, len(analysis.terms))
        self.defined = pools.defined
        self.headings = {
            page: heading
            for page, heading in analysis.headings.items()
            if heading and len(heading.split()) <= 4 and not ex.is_boilerplate_heading(heading)
        }
        self.heading_keys = {ex.normalise_term(h) for h in self.headings.values()}
        self.share = _page_frequency(analysis)
        self.n_pages = len([p for p in analysis.material.pages if p not in analysis.excluded_pages])
        self.ranked = list(dict.fromkeys([*(d.term for d in analysis.definitions), *pools.terms]))
        self.rank_terms = analysis.terms

    def _is_subject(self, term: str, body: str) -> bool:
        """A key term the sentence starts with ("Push adds an element ..."): what the sentence is about. A key
        term that reads as noun + verb ("push adds") is not one."""
        words = term.split()
        if len(words) > 1 and re.search(r"[^s]s$", words[-1]) and not re.search(r"s$", words[-2]):
            return False
        pattern, flags = _pattern(term)
        return bool(re.match(r"(?:(?:the|a|an)\s+)?" + pattern, body, flags))

    def found_in(self, body: str, page: int, definition: ex.Definition | None) -> list[str]:
        """The candidate answers written in ``body``, as written there."""
        terms: list[str] = []
        if page in self.headings:
            terms.append(self.headings[page])
        if definition is not None:
            terms.append(definition.term)
        terms += self.ranked
        terms += [t for t in self.rank_terms if self._is_subject(t, body)]
        out: list[str] = [*ex.code_calls(body), *offline._symbols_named(body)]
        out += [m.group("term") for m in _QUOTED_RE.finditer(body) if m.group("term") not in out]
        for term in terms:
            form = next((f for f in (term, _singular(term)) if offline._occurrence(f, body)), None)
            answer = offline._surface(form, body, self.pools) if form else None
            if answer and all(ex.normalise_term(answer) != ex.normalise_term(o) for o in out):
                out.append(answer)
        return out

    def value(self, answer: str, sentence: str, page: int, definition: ex.Definition | None = None) -> float | None:
        """None when ``answer`` should not be blanked in ``sentence``, else how good an answer it is."""
        if blank_problem(answer, sentence):
            return None
        kind = offline._kind(answer)
        if kind == "number":
            return None  # offline clozes never blank a number (the REPL cards ask for results)
        occurrences = _spans(answer, sentence)
        if any(_AFTER_CODE_RE.search(sentence[:start]) for start, _ in occurrences) and kind == "term":
            return None  # "the input() function": the word after the name is only its category
        if kind == "call":
            return 0.7
        if kind == "symbol":
            return 0.5
        key = ex.normalise_term(answer)
        share = self.share(answer)
        if self.pools._is_proper(answer) and share >= 0.15 and share * self.n_pages >= 2 and key not in self.defined:
            return None  # the lecture's subject
        value = 0.0
        if key in self.defined:  # in its own definition the term is the point; elsewhere it is context
            value = 1.0 if definition is not None and ex.normalise_term(definition.term) == key else 0.6
        if ex.normalise_term(self.headings.get(page, "")) == key:
            value = max(value, 0.9)
        elif key in self.heading_keys:
            value = max(value, 0.6)
        if key in self.rank:
            value = max(value, 0.6 * (1 - self.rank[key] / self.n_ranked))
            if self.rank[key] < 0.7 * self.n_ranked and self._is_subject(answer, sentence):
                value = max(value, 0.5) + 0.2
        if len(answer.split()) > 1:
            value += 0.3
        if re.search(r"[“\"'‘]" + re.escape(answer) + r"[”\"'’]", sentence, re.I):
            value = max(value, 0.5) + 0.4  # the notes stress it
        if share > 0.3 and self.n_pages >= 8:
            value -= 0.5  # a word of the whole lecture, not of this fact
        return value if value >= 0.35 else None


def _definition_options(analysis: offline.Analysis, pools: offline._Pools) -> list[_Option]:
    options: list[_Option] = []
    seen: set[str] = set()
    for definition in analysis.definitions:
        term_key = ex.normalise_term(definition.term)
        if term_key in seen:
            continue
        front, back = _definition_card(definition, pools)
        if front is None or not 2 <= len(back.split()) <= MAX_BACK_WORDS:
            continue
        seen.add(term_key)
        card = CardDraft("basic", front, back, definition.page)
        fact = _fact(definition.sentence)
        options.append(_Option("basic", "definition", definition.page, 10.0, fact, definition.term, lambda c=card: c))
    return options


_CALLED_RE = re.compile(r"^(?P<def>.+?),?\s+(?:is|are) called\s+[“\"'‘][^”\"'’]+[”\"'’]\s*(?P<rest>.*)$", re.I)


def _definition_card(definition: ex.Definition, pools: offline._Pools) -> tuple[str | None, str]:
    """("What is a variable?", "A named place in the memory where ...") for one definition."""
    term = definition.term
    display = term if pools._is_proper(term) or re.search(r"[A-Z].*[A-Z]", term) else term.lower()
    last = display.split()[-1].lower()
    plural = ex._stem(last) != last and last not in ex.UNCOUNTABLE
    sentence = definition.sentence.strip()
    article = re.match(rf"^(a|an)\s+{re.escape(term)}\b", sentence, re.I)
    subject = f"{article.group(1).lower()} {display}" if article and not plural else display
    front = f"What {'are' if plural else 'is'} {subject}?"
    body = definition.definition
    called = _CALLED_RE.match(sentence)
    if called and body.startswith(called.group("def").rstrip(" ,")):
        # "Fixed values ..., are called “constants” because their value does not change"
        body = called.group("def").rstrip(" ,")
        rest = called.group("rest").strip(" .")
        if re.match(r"(?:because|since|as)\b", rest, re.I):
            body += f" (so called {rest})"
        elif rest:
            body += f", {rest}"
    back = _capitalise(_tidy_card_text(body).rstrip(" .;:,"))
    if not back or ex.normalise_term(back) == ex.normalise_term(term):
        return None, ""
    return front, back


def _worth_asking(expression: str) -> bool:
    """``1 + 4`` teaches nothing; division, powers, conversions and precedence do."""
    return bool(re.search(r"/|%|\*\*|int\(|float\(", expression)) or len(re.findall(r"[-+*]", expression)) >= 2


def _repl_options(
    analysis: offline.Analysis, pools: offline._Pools, kinds: Collection[str], rng: random.Random
) -> list[_Option]:
    """Results of the lecture's REPL examples, verified by evaluating them ("What does print(9 // 2) display?")."""
    options: list[_Option] = []
    for item in offline._repl_items(analysis):
        if not _worth_asking(item.expression):
            continue
        fact = f"repl {item.expression}"
        score = 1.6 + rng.uniform(0, 0.1)
        if "basic" in kinds:
            card = CardDraft("basic", item.stem, item.answer, item.page)
            options.append(_Option("basic", "repl", item.page, score, fact, item.answer, lambda c=card: c))
        if "multiple_choice" in kinds:  # wrong results a student could get make good options
            build = _mcq_builder(item, item.stem, pools, rng)
            options.append(_Option("multiple_choice", "repl", item.page, score, fact, item.answer, build))
    return options


def _mcq_builder(
    item: offline._Item, front: str, pools: offline._Pools, rng: random.Random
) -> Callable[[], CardDraft | None]:
    """The card with three distractors chosen by the quiz's logic (same kind, same lecture), or None."""

    def build() -> CardDraft | None:
        distractors = offline._choose_distractors(item, pools, rng)
        if len(distractors) != 3 or any(_written_in(d, front) or _too_close(d, item.answer) for d in distractors):
            return None
        return CardDraft("multiple_choice", front, item.answer, item.page, [item.answer, *distractors])

    return build


def _written_in(option: str, text: str) -> bool:
    if offline._kind(option) != "term":
        return bool(re.search(_pattern(option)[0], text))
    return bool(offline._occurrence(option, text) or offline._occurrence(_singular(option), text))


def _too_close(distractor: str, answer: str) -> bool:
    """ "float" next to "floating point": a distractor that is a form of the answer is a second right answer."""
    if offline._kind(answer) != "term":
        return False
    a_words, d_words = ex.normalise_term(answer).split(), ex.normalise_term(distractor).split()
    return any(len(x) >= 4 and len(y) >= 4 and (x.startswith(y) or y.startswith(x)) for x in a_words for y in d_words)


def _sentence_options(
    analysis: offline.Analysis, terms: _Terms, kinds: Collection[str], rng: random.Random
) -> list[_Option]:
    """Each key sentence with each of its good terms as the answer: blanked for a cloze card, and with
    distractors for a multiple-choice one (the deck takes one card per sentence)."""
    pools = terms.pools
    options: list[_Option] = []
    mcq_answers: list[str] = []
    for candidate in analysis.candidates:
        if candidate.example:
            continue
        definition = candidate.definition
        sentences = [offline._tidy(definition.sentence)] if definition else offline._list_sentences(candidate.text)
        page = candidate.pages[0]
        for raw in sentences:
            sentence = _as_sentence(_tidy_card_text(raw))
            lead, body = _split_lead(sentence)
            if len(sentence.split()) > MAX_CLOZE_WORDS or ";" in body or not _stands_alone(body):
                continue
            found = terms.found_in(body, page, definition)
            spans = {answer: _spans(answer, body) for answer in found}
            for answer in found:
                inside = any(  # "Division" inside "Floor Division" is not blanked alone
                    other != answer and (s0, s1) != (o0, o1) and o0 <= s0 and s1 <= o1
                    for other in found
                    for s0, s1 in spans[answer]
                    for o0, o1 in spans[other]
                )
                value = None if inside else terms.value(answer, body, page, definition)
                if value is None:
                    continue
                # a list item, or a term blanked several times (less left to recall it from), is worth less
                score = candidate.score + value - (0.3 if lead else 0.0) - 0.2 * (len(spans[answer]) - 1)
                fact = _fact(sentence)
                front = cloze_front(sentence, answer)
                if front is not None and "cloze" in kinds:
                    card = CardDraft("cloze", front, answer, page)
                    options.append(_Option("cloze", "sentence", page, score, fact, answer, lambda c=card: c))
                stem = offline._blank(body, answer)
                if stem is not None and "multiple_choice" in kinds:
                    stem = lead + stem
                    item = offline._Item(stem, answer, offline._kind(answer), sentence, page, score)
                    build = _mcq_builder(item, stem, pools, rng)
                    options.append(_Option("multiple_choice", "sentence", page, score, fact, answer, build))
                    mcq_answers.append(answer)
    pools.prepare([a for a in mcq_answers if offline._kind(a) == "term"])  # one embedding batch
    return options


def _usable_figures(material: Material, excluded: set[int]) -> list[FigureRef]:
    """Figures of at least 120 px on each side, not on an excluded page and not a logo repeated on slides."""
    sized = []
    for figure in material.figures:
        width, height = figure.width, figure.height
        if not (width and height):
            width, height = offline._png_size(figure.path)
        if min(width, height) >= offline.MIN_FIGURE_SIDE and figure.page not in excluded:
            sized.append((figure, width, height))
    pages_by_size: dict[tuple[int, int], set[int]] = {}
    for figure, width, height in sized:
        pages_by_size.setdefault((width, height), set()).add(figure.page)
    best: dict[int, tuple[int, FigureRef]] = {}
    for figure, width, height in sized:
        if len(pages_by_size[(width, height)]) >= 3:
            continue
        if figure.page not in best or width * height > best[figure.page][0]:
            best[figure.page] = (width * height, figure)
    return [figure for _, figure in sorted(best.values(), key=lambda item: -item[0])]


def _figure_options(analysis: offline.Analysis) -> list[_Option]:
    """ "What does this diagram show?" with the slide's figure: its title and key sentence (or the caption)."""
    options = []
    for rank, figure in enumerate(_usable_figures(analysis.material, analysis.excluded_pages)):
        page = figure.page
        heading = analysis.headings.get(page)
        sentences = [c for c in analysis.candidates if c.pages[0] == page and not c.example]
        best = max(sentences, key=lambda c: (c.definition is None, c.score), default=None)  # a definition has its card
        explanation = _as_sentence(_tidy_card_text(best.text)) if best is not None else figure.caption.strip()
        if not explanation:
            continue  # a picture with nothing said about it
        if heading and not ex.is_boilerplate_heading(heading) and not explanation.startswith(heading):
            explanation = f"{heading.rstrip(' .:')}: {explanation}"
        card = CardDraft("basic", DIAGRAM_FRONT, explanation, page, figure=figure)
        # the figure's sentence is its fact, unless that is a definition (which has a card of its own)
        fact = _fact(best.text) if best is not None and best.definition is None else f"figure {figure.path}"
        options.append(_Option("basic", "figure", page, 5.0 - 0.01 * rank, fact, "", lambda c=card: c))
    return options


def _quotas(n: int, kinds: Sequence[str]) -> dict[str, int]:
    total = sum(SHARES[k] for k in kinds)
    raw = {k: n * SHARES[k] / total for k in kinds}
    quotas = {k: int(raw[k]) for k in kinds}
    for k in sorted(kinds, key=lambda k: raw[k] - int(raw[k]), reverse=True):
        if sum(quotas.values()) < n:
            quotas[k] += 1
    return quotas


def _select(
    options: list[_Option], n: int, kinds: Sequence[str], deck: _Deck, page_texts: Mapping[int, str]
) -> list[CardDraft]:
    quotas = _quotas(n, kinds)
    caps = {"figure": min(MAX_FIGURE_CARDS, max(1, n // 10)), "repl": max(1, n // 6)}
    chosen: list[CardDraft] = []
    by_kind: dict[str, int] = {}
    by_source: dict[str, int] = {}
    by_page: dict[int, int] = {}
    facts: set[str] = set()
    answers: list[tuple[str, int]] = []
    options = sorted(options, key=lambda o: -o.score)
    for relaxed in (False, True):
        for allowance in (1, 2, 3, 99):  # spread over the lecture before taking a page's next best card
            for option in options:
                if len(chosen) >= n:
                    return chosen
                if option.dead or option.fact in facts or by_page.get(option.page, 0) >= allowance:
                    continue
                if not relaxed and option.source != "figure" and by_kind.get(option.kind, 0) >= quotas[option.kind]:
                    continue
                if by_source.get(option.source, 0) >= caps.get(option.source, n):
                    continue
                if option.answer and not _answer_free(option, answers):
                    continue
                card = option.build()
                if card is None:
                    option.dead = True
                    continue
                card.key = card_key(card.front, card.back)
                problems = card_problems(card, page_texts, kinds=kinds)
                if problems or deck.repeats(card):
                    log.debug("cards: skipped %r: %s", card.front, problems or "a repeat")
                    option.dead = True
                    continue
                deck.add(card)
                chosen.append(card)
                facts.add(option.fact)
                if option.answer:
                    answers += [(option.answer, option.page)] * (2 if option.source == "definition" else 1)
                by_kind[option.kind] = by_kind.get(option.kind, 0) + 1
                by_source[option.source] = by_source.get(option.source, 0) + 1
                by_page[option.page] = by_page.get(option.page, 0) + 1
    return chosen


def _answer_free(option: _Option, used: list[tuple[str, int]]) -> bool:
    """An answer is used by two cards at most, never twice on the same page."""
    same = [page for answer, page in used if offline._same_thing(option.answer, answer)]
    return len(same) < 2 and option.page not in same


def _balance(cards: Sequence[CardDraft], rng: random.Random) -> None:
    """Shuffle every multiple-choice card's options, the correct one evenly over the four positions."""
    mcq = [c for c in cards if c.card_type == "multiple_choice" and c.back in c.options]
    questions = [QuizQuestion(c.front, list(c.options), c.options.index(c.back), "", c.page) for c in mcq]
    offline.balance_positions(questions, rng)
    for card, question in zip(mcq, questions, strict=True):
        card.options = question.options


def _report(progress: Progress | None, done: int, total: int, step: str) -> None:
    if progress is not None:
        progress(done, total, step)


def offline_cards(
    material: Material,
    *,
    n: int = 30,
    kinds: Sequence[str] = KINDS,
    existing_keys: Iterable[str] = (),
    seed: int | None = None,
) -> list[CardDraft]:
    """Up to ``n`` cards of the given kinds from the material's own sentences, in page order, none repeating
    ``existing_keys``. Raises ``GenerationError`` when the material has no usable text."""
    kinds = _check_kinds(kinds)
    rng = random.Random(seed)  # noqa: S311 - shuffling options, not security
    analysis = offline.analyse(material)
    offline._require_text(analysis, "set of flashcards")
    pools = offline._Pools(analysis)
    terms = _Terms(analysis, pools)
    options: list[_Option] = []
    if "basic" in kinds:
        options += _definition_options(analysis, pools) + _figure_options(analysis)
    options += _repl_options(analysis, pools, kinds, rng)
    options += _sentence_options(analysis, terms, kinds, rng)
    page_texts = validation.page_texts_of(material)
    cards = _select(options, n, kinds, _Deck(existing_keys), page_texts)
    _balance(cards, rng)
    return sorted(cards, key=lambda c: c.page)


# --- with the model ------------------------------------------------------------------------------------


def _to_draft(out: CardOut) -> CardDraft:
    clean = ai_generation._clean
    kind = out.card_type
    front = clean(out.front)
    options = [clean(o) for o in out.options] if kind == "multiple_choice" else []
    back = clean(out.back)
    if kind == "cloze":
        terms = list(dict.fromkeys(cloze_terms(front)))
        back = "; ".join(terms) if terms else back
    card = CardDraft(kind, front, back, int(out.page or 0), options)
    card.key = card_key(card.front, card.back)
    return card


def _accept(
    found: Iterable[CardOut], deck: _Deck, page_texts: Mapping[int, str], kinds: Sequence[str], n: int
) -> list[tuple[CardDraft, list[str]]]:
    """Move the valid cards into ``deck`` (up to ``n``); return the rejected ones with their problems."""
    rejected = []
    for out in found:
        if len(deck.cards) >= n:
            break
        card = _to_draft(out)
        problems = card_problems(card, page_texts, kinds=kinds)
        if not problems and deck.repeats(card):
            problems = ["repeats another card (or one the student already has); write a card about another fact"]
        if problems:
            rejected.append((card, problems))
        else:
            deck.add(card)
    return rejected


def _dump(reply: CardsReply) -> str:
    return json.dumps({"cards": [c.model_dump() for c in reply.cards]}, ensure_ascii=False)


def _hints(existing_keys: Iterable[str]) -> list[str]:
    hints = []
    for key in sorted(existing_keys)[:EXISTING_HINTS]:
        front, _, back = key.partition(" || ")
        text = f"{front} → {back}" if back else front
        hints.append(text if len(text) <= 120 else text[:119] + "…")
    return hints


def ai_cards(
    material: Material,
    *,
    n: int = 30,
    kinds: Sequence[str] = KINDS,
    existing_keys: Iterable[str] = (),
    seed: int | None = None,
    progress: Progress | None = None,
) -> list[CardDraft]:
    """The model's cards that pass the checks (at most ``n``; after one repair round of the rejected ones).
    Raises ``GenerationError``: ``ai_unavailable`` when the model cannot be reached, ``invalid_output`` when
    its first reply is unusable even after asking it to correct it."""
    kinds = _check_kinds(kinds)
    ai_generation._require_online()
    rng = random.Random(seed)  # noqa: S311 - choosing passages and shuffling options, not security
    passages = ai_generation.select_passages(material.passages, CARDS_NOTES_TOKENS, rng)
    if not passages:
        raise GenerationError(ai_generation.EMPTY_MESSAGE, code="no_material")
    existing_keys = list(existing_keys)
    page_texts = validation.page_texts_of(material)
    deck = _Deck(existing_keys)
    messages = prompts.cards_messages(material.title, passages, n, kinds, _hints(existing_keys))
    reply = ai_generation._call(messages, CardsReply)
    rejected = _accept(reply.cards, deck, page_texts, kinds, n)
    _report(progress, 1, 3, "generate")
    if rejected and len(deck.cards) < n:
        to_fix = rejected[: n - len(deck.cards)]
        repair = [
            *messages,
            {"role": "assistant", "content": _dump(reply)},
            prompts.cards_repair_message([(card.front, problems) for card, problems in to_fix]),
        ]
        try:
            fixed = ai_generation._call(repair, CardsReply).cards
        except GenerationError as exc:
            if exc.code != "invalid_output":
                raise
            fixed = []
        _accept(fixed, deck, page_texts, kinds, n)
    _report(progress, 2, 3, "repair")
    _balance(deck.cards, rng)
    return deck.cards


# --- entry point -----------------------------------------------------------------------------------------


def _check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(k for k in KINDS if k in set(kinds))
    unknown = set(kinds) - set(KINDS)
    if unknown or not chosen:
        raise ValueError(f"card kinds must be among {', '.join(KINDS)}; got {sorted(set(kinds))}")
    return chosen


def make_cards(
    material: Material,
    *,
    n: int = 30,
    kinds: Sequence[str] = KINDS,
    existing_keys: Collection[str] = frozenset(),
    seed: int | None = None,
    progress: Progress | None = None,
) -> Made:
    """``n`` flashcards (``Made.value``: a list of ``CardDraft`` in page order) made by the model when one is
    configured, completed offline when it gives fewer good ones, and made offline when there is no model or it
    cannot be reached (``Made.notice`` says so). Cards whose keys are in ``existing_keys`` are never made."""
    if n < 1:
        raise ValueError("n must be at least 1")
    kinds = _check_kinds(kinds)
    existing = frozenset(existing_keys or ())
    cards: list[CardDraft] = []
    notice = ""
    if not ai.is_offline():
        try:
            cards = ai_cards(material, n=n, kinds=kinds, existing_keys=existing, seed=seed, progress=progress)
        except GenerationError as exc:
            if exc.code not in ("ai_unavailable", "invalid_output"):
                raise
            log.warning("cards: model %s, offline fallback: %s", exc.code, exc.detail or exc.message)
            notice = FALLBACK_NOTICE if exc.code == "ai_unavailable" else INVALID_NOTICE
    from_model = len(cards)
    if len(cards) < n:
        _report(progress, 0 if not from_model else 2, 3, "offline")
        try:
            more = offline_cards(
                material, n=n - len(cards), kinds=kinds, existing_keys=existing | {c.key for c in cards}, seed=seed
            )
        except GenerationError:
            if not cards:
                raise
            more = []
        if from_model and more:
            notice = MIXED_NOTICE.format(ai=from_model, offline=len(more))
        cards = sorted(cards + more, key=lambda c: c.page)
    if not cards:
        raise GenerationError(
            "These notes are too short or too fragmentary to make flashcards from"
            + (", or every card they give is already in your deck." if existing else "; try a longer lecture."),
            code="too_little_text",
        )
    if len(cards) < n:
        why = " without repeating the cards you already have" if existing else ""
        notice = f"{notice} {SHORT_NOTICE.format(got=len(cards), asked=n, why=why)}".strip()
    _report(progress, 3, 3, "done")
    return Made(cards, offline=from_model == 0, notice=notice)


__all__ = [
    "DIAGRAM_FRONT",
    "KINDS",
    "ai_cards",
    "card_key",
    "card_problems",
    "cloze_front",
    "make_cards",
    "offline_cards",
]
