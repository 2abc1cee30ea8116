"""Checks of generated quiz questions beyond the schema.

Each ``check_*`` rule returns ``None`` when the question passes, else a short problem in plain English
("has 3 options; exactly 4 are needed") that is shown to the model in the repair prompt; ``quiz_problems``
runs them all. Questions are ``schemas.QuizItemOut`` (``correct`` is a list of 0-based indices, so "two
correct answers" can be seen); anything with ``.question`` works as an already accepted question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from .schemas import QuizItemOut
from .types import Material

LETTERS = "ABCD"
SIMILARITY_THRESHOLD = 0.9  # token-set similarity from which two options (or questions) count as the same
SUPPORT_THRESHOLD = 0.6  # share of significant words that must appear on the cited page (or its neighbours)

_ARTICLES = frozenset({"a", "an", "the"})
_STOPWORD_TEXT = """a an the and or nor but if then than so of to in on at by for from with without into onto over under
    about as is are was were be been being has have had do does did it its this that these those there their
    they them which what who whom whose when where why how not no yes can could may might must shall should
    will would very more most less least also only such each any all some both either neither other another
    one same because therefore thus hence while whereas following true false correct incorrect answer
    question option options statement best describes describe"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_META = re.compile(
    r"^(?:all|none|both|neither|either|any)(?: of)?(?: the)? (?:above|below|these|those|them|options|answers|"
    r"choices|previous)\b"
    r"|^(?:both |only |either |neither )?(?:options? )?[a-d](?: (?:and|or|nor)? ?(?:options? )?[a-d])+(?: only)?$"
    r"|^(?:all|none) (?:are|is) (?:correct|true|right|wrong|false)$"
)


def normalise(text: str) -> str:
    """Casefolded, punctuation replaced by spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def token_set(text: str, *, drop: frozenset[str] = _ARTICLES) -> frozenset[str]:
    return frozenset(_stem(w) for w in normalise(text).split() if w not in drop)


def similarity(a: str, b: str, *, drop: frozenset[str] = _ARTICLES) -> float:
    """Jaccard similarity of the two texts' (normalised, lightly stemmed) word sets."""
    ta, tb = token_set(a, drop=drop), token_set(b, drop=drop)
    if not ta and not tb:
        return 1.0 if normalise(a) == normalise(b) else 0.0
    return len(ta & tb) / len(ta | tb)


def near_duplicate(a: str, b: str, *, drop: frozenset[str] = _ARTICLES) -> bool:
    return normalise(a) == normalise(b) or similarity(a, b, drop=drop) >= SIMILARITY_THRESHOLD


def page_texts_of(material: Material) -> dict[int, str]:
    """The material's page texts (built from its passages when ``page_texts`` is empty)."""
    if material.page_texts:
        return dict(material.page_texts)
    pages: dict[int, list[str]] = {}
    for passage in material.passages:
        pages.setdefault(passage.page, []).append(passage.text)
    return {page: "\n".join(texts) for page, texts in pages.items()}


def _letter(i: int) -> str:
    return LETTERS[i] if 0 <= i < len(LETTERS) else str(i)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- rules ---------------------------------------------------------------------------------------------


def check_option_count(item: QuizItemOut) -> str | None:
    if len(item.options) != 4:
        return f"has {len(item.options)} options; exactly 4 are needed"
    empty = [_letter(i) for i, option in enumerate(item.options) if not normalise(option)]
    if empty:
        return f"option {' and '.join(empty)} is empty"
    return None


def check_one_correct(item: QuizItemOut) -> str | None:
    if not item.correct:
        return "does not say which option is correct"
    if len(item.correct) > 1:
        letters = " and ".join(_letter(i) for i in item.correct)
        return f"marks {len(item.correct)} options ({letters}) as correct; exactly one must be correct"
    if not 0 <= item.correct[0] < len(item.options):
        return f"names {_letter(item.correct[0])} as the correct answer, which is not one of its options"
    return None


def check_distinct_options(item: QuizItemOut) -> str | None:
    options = item.options
    for i in range(len(options)):
        for j in range(i + 1, len(options)):
            if normalise(options[i]) and near_duplicate(options[i], options[j]):
                return (
                    f'options {_letter(i)} and {_letter(j)} are the same or nearly the same ("{_short(options[i])}" / '
                    f'"{_short(options[j])}"); all four must be clearly different'
                )
    return None


def check_meta_options(item: QuizItemOut) -> str | None:
    for i, option in enumerate(item.options):
        if _META.search(normalise(option)):
            return (
                f'option {_letter(i)} ("{_short(option)}") refers to other options; "all/none of the above" or '
                f'"both A and B" style options are not allowed'
            )
    return None


def check_not_duplicate(item: QuizItemOut, others: Iterable[object]) -> str | None:
    for other in others:
        text = getattr(other, "question", "")
        if text and near_duplicate(item.question, text, drop=STOPWORDS):
            return f'asks the same as another question in the quiz ("{_short(text)}"); ask about something else'
    return None


def _page_range(pages: Iterable[int]) -> str:
    pages = sorted(pages)
    if not pages:
        return "the notes have no pages"
    return f"the notes have page {pages[0]}" if len(pages) == 1 else f"the notes have pages {pages[0]}-{pages[-1]}"


def check_page(item: QuizItemOut, page_texts: Mapping[int, str]) -> str | None:
    if item.page is None:
        return "gives no source page; give the page of the notes that states the answer"
    if item.page not in page_texts:
        return f"cites page {item.page}, which does not exist ({_page_range(page_texts)})"
    return None


def _significant(text: str) -> set[str]:
    return {w for w in token_set(text, drop=STOPWORDS) if w.isdigit() or len(w) >= 3}


def _found(words: set[str], page_words: set[str], page_prefixes: set[str]) -> float:
    if not words:
        return 0.0
    hits = sum(1 for w in words if w in page_words or (len(w) >= 6 and w[:6] in page_prefixes))
    return hits / len(words)


def check_support(item: QuizItemOut, page_texts: Mapping[int, str]) -> str | None:
    """The significant words of the correct option, or of the explanation, appear on the cited page or on
    the pages next to it (a fuzzy check: 60 % of them, comparing word stems)."""
    if item.page is None or item.page not in page_texts or len(item.correct) != 1:
        return None  # reported by the other rules
    if not 0 <= item.correct[0] < len(item.options):
        return None
    window = " ".join(page_texts.get(p, "") for p in (item.page - 1, item.page, item.page + 1))
    page_words = {_stem(w) for w in normalise(window).split()}
    prefixes = {w[:6] for w in page_words if len(w) >= 6}
    answer_words = _significant(item.options[item.correct[0]])
    explanation_words = _significant(item.explanation)
    if not answer_words and not explanation_words:
        return None  # nothing to compare (e.g. "Yes")
    if max(_found(answer_words, page_words, prefixes), _found(explanation_words, page_words, prefixes)) >= (
        SUPPORT_THRESHOLD
    ):
        return None
    return (
        f"the notes on page {item.page} do not support the answer "
        f'"{_short(item.options[item.correct[0]])}"; base it on what that page says or cite the right page'
    )


def quiz_problems(item: QuizItemOut, page_texts: Mapping[int, str], others: Iterable[object] = ()) -> list[str]:
    """Every problem of ``item``; ``others`` are the questions already in the quiz."""
    if not normalise(item.question):
        return ["has no question text"]
    rules = [
        check_option_count(item),
        check_one_correct(item),
        check_distinct_options(item),
        check_meta_options(item),
        check_not_duplicate(item, others),
        check_page(item, page_texts),
        check_support(item, page_texts),
    ]
    return [problem for problem in rules if problem]
