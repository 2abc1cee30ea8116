"""Pydantic (v2) models of every JSON reply the generation prompts ask a model for.

They are lenient about form (a bare list instead of ``{"questions": [...]}``, ``"page": 3`` instead of
``"pages": [3]``, options prefixed "A) ", a correct answer given as a letter, an index or the option's text)
and strict about substance: anything that cannot be read raises ``pydantic.ValidationError``. Rules about
content (exactly one correct answer, distinct options, supported pages...) live in ``validation.py``, so a
single bad quiz question can be repaired without throwing the others away.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_LETTERS = "ABCD"
_INT = re.compile(r"\d+")
_RANGE = re.compile(r"(\d+)\s*[-\u2013]\s*(\d+)")
# "A) ...", "a. ...", "(B) ...", "C: ...", "Option D - ..." at the start of an option.
_PREFIX = re.compile(r"^\s*(?:option\s+)?(?:\(([A-Da-d])\)|([A-Da-d])\s*[).:\]\-\u2013])\s*", re.IGNORECASE)
# The whole of a correct-answer value naming a letter: "B", "(b)", "B)", "Option B".
_LETTER_ONLY = re.compile(r"^\s*(?:option\s+)?\(?([A-Da-d])\)?[.):]?\s*$", re.IGNORECASE)
_SPLIT_LETTERS = re.compile(r"\s*(?:,|;|/|&|\band\b|\bor\b)\s*", re.IGNORECASE)


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _page_numbers(value: Any) -> list[int]:
    """Page numbers from ``3``, ``"3"``, ``"p. 3"``, ``"3-4"``, ``[3, "4"]``... (unreadable items are skipped)."""
    pages: list[int] = []
    for item in _as_list(value):
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            pages.append(item)
        elif isinstance(item, float) and item.is_integer():
            pages.append(int(item))
        elif isinstance(item, str):
            for a, b in _RANGE.findall(item):  # "3-5" -> 3, 4, 5 (short ranges only)
                if 0 <= int(b) - int(a) <= 10:
                    pages.extend(range(int(a), int(b) + 1))
            pages.extend(int(m) for m in _INT.findall(item))
        elif isinstance(item, dict) and "page" in item:
            pages.extend(_page_numbers(item["page"]))
    return list(dict.fromkeys(pages))


def _wrap_list(data: Any, key: str) -> Any:
    return {key: data} if isinstance(data, list) else data


# --- cheat sheet -------------------------------------------------------------------------------------


class PointOut(_Reply):
    text: str = Field(min_length=1)
    pages: list[int] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _pages_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "pages" not in data and "page" in data:
            data = {**data, "pages": data["page"]}
        return data

    @field_validator("pages", mode="before")
    @classmethod
    def _pages(cls, value: Any) -> list[int]:
        return _page_numbers(value)


class SectionOut(_Reply):
    heading: str = Field(min_length=1)
    points: list[PointOut]


class CheatSheetMapReply(_Reply):
    """Map step: the condensed points of one batch of passages."""

    sections: list[SectionOut]

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return _wrap_list(data, "sections")


class CheatSheetReduceReply(CheatSheetMapReply):
    """Reduce step: the final sections of the sheet."""


# --- quiz --------------------------------------------------------------------------------------------


def strip_option_prefixes(options: list[str]) -> list[str]:
    """Remove "A) "/"B. "/"(C) " prefixes when every option carries the one of its own position."""
    if not options or len(options) > len(_LETTERS):
        return options
    stripped = []
    for i, option in enumerate(options):
        match = _PREFIX.match(option)
        letter = match and (match.group(1) or match.group(2))
        if not letter or letter.upper() != _LETTERS[i]:
            return options
        stripped.append(option[match.end() :].strip())
    return stripped


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _correct_indices(value: Any, options: list[str]) -> list[int]:
    """Indices (0-based) named by a correct-answer value; out-of-range indices are kept for validation."""
    indices: list[int] = []
    for item in _as_list(value):
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            indices.append(item)
            continue
        if not isinstance(item, str):
            continue
        text = item.strip()
        letter = _LETTER_ONLY.match(text)
        if letter:
            indices.append(_LETTERS.index(letter.group(1).upper()))
            continue
        by_text = [i for i, option in enumerate(options) if _norm(option) == _norm(text)]
        if by_text:
            indices.extend(by_text)
            continue
        prefixed = _PREFIX.match(text)
        if prefixed:
            indices.append(_LETTERS.index((prefixed.group(1) or prefixed.group(2)).upper()))
            continue
        parts = [p for p in _SPLIT_LETTERS.split(text) if p]
        if len(parts) > 1 and all(_LETTER_ONLY.match(p) for p in parts):
            indices.extend(_LETTERS.index(_LETTER_ONLY.match(p).group(1).upper()) for p in parts)
            continue
        if text.lstrip("-").isdigit():
            indices.append(int(text))
    return list(dict.fromkeys(indices))


class QuizItemOut(_Reply):
    """One multiple-choice question as the model wrote it (``correct`` normalised to 0-based indices)."""

    question: str = Field(min_length=1)
    options: list[str]
    correct: list[int] = Field(default_factory=list)
    explanation: str = ""
    page: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        options = data.get("options", data.get("choices"))
        if isinstance(options, dict):  # {"A": "...", "B": "..."}
            options = [options[k] for k in sorted(options, key=str)]
        if isinstance(options, list):
            options = [o.get("text", "") if isinstance(o, dict) else o for o in options]
            if all(isinstance(o, str) for o in options):
                options = strip_option_prefixes([o.strip() for o in options])
        data["options"] = options
        for alias in ("correct", "answer", "correct_answer", "correct_option"):
            if alias in data:
                raw = data[alias]
                break
        else:
            raw = None
        data["correct"] = _correct_indices(raw, options if isinstance(options, list) else [])
        if "page" not in data and "pages" in data:
            data["page"] = data["pages"]
        pages = _page_numbers(data.get("page"))
        data["page"] = pages[0] if pages else None
        if data.get("explanation") is None:
            data["explanation"] = ""
        return data


class QuizReply(_Reply):
    questions: list[QuizItemOut]

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return _wrap_list(data, "questions")


# --- past paper --------------------------------------------------------------------------------------


class CitationOut(_Reply):
    page: int
    lecture: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, (int, str)) and not isinstance(data, bool):
            pages = _page_numbers(data)
            return {"page": pages[0] if pages else data}
        if isinstance(data, dict) and "lecture" not in data:
            for alias in ("lecture_name", "source", "title"):
                if isinstance(data.get(alias), str):
                    return {**data, "lecture": data[alias]}
        return data


class AnswerReply(_Reply):
    answer: str = ""
    citations: list[CitationOut] = Field(default_factory=list)
    covered: bool

    @model_validator(mode="before")
    @classmethod
    def _pages_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("citations") and data.get("pages"):
            data = {**data, "citations": _page_numbers(data["pages"])}
        return data


class ExamQuestionOut(_Reply):
    label: str = Field(min_length=1)
    text: str = Field(min_length=1)
    points: int | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, value: Any) -> Any:  # "5 marks" -> 5
        if isinstance(value, str):
            numbers = _page_numbers(value)
            return numbers[0] if numbers else None
        return value


class ExamSplitReply(_Reply):
    """Optional: an exam paper's text split into its questions."""

    questions: list[ExamQuestionOut]

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return _wrap_list(data, "questions")


# --- flashcards --------------------------------------------------------------------------------------

_CARD_TYPE_ALIASES = {
    "basic": "basic",
    "qa": "basic",
    "q_a": "basic",
    "question": "basic",
    "question_answer": "basic",
    "definition": "basic",
    "front_back": "basic",
    "cloze": "cloze",
    "cloze_deletion": "cloze",
    "fill_in": "cloze",
    "fill_in_the_blank": "cloze",
    "multiple_choice": "multiple_choice",
    "multiplechoice": "multiple_choice",
    "multiple_choice_question": "multiple_choice",
    "mcq": "multiple_choice",
    "mc": "multiple_choice",
    "choice": "multiple_choice",
}


def _card_type(value: Any, data: dict[str, Any]) -> str:
    """The card's type as one of basic / cloze / multiple_choice; guessed from its content when absent.
    An unknown type is kept as written (validation rejects it)."""
    if isinstance(value, str) and value.strip():
        key = re.sub(r"[\s/&-]+", "_", value.strip().casefold())
        return _CARD_TYPE_ALIASES.get(key, key)
    if data.get("options"):
        return "multiple_choice"
    if "{{c" in str(data.get("front", "")):
        return "cloze"
    return "basic"


class CardOut(_Reply):
    """One flashcard as the model wrote it. For a multiple-choice card ``back`` is the text of the correct
    option (a letter or an index given instead is turned into that text)."""

    card_type: str
    front: str = ""
    back: str = ""
    options: list[str] = Field(default_factory=list)
    page: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for target, aliases in (
            ("front", ("front", "question", "prompt", "text", "cloze")),
            ("back", ("back", "answer", "correct_answer", "correct")),
        ):
            value = next((data[a] for a in aliases if data.get(a) not in (None, "", [])), "")
            data[target] = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        options = data.get("options", data.get("choices"))
        if isinstance(options, dict):  # {"A": "...", "B": "..."}
            options = [options[k] for k in sorted(options, key=str)]
        if isinstance(options, list):
            options = [o.get("text", "") if isinstance(o, dict) else o for o in options]
            if all(isinstance(o, str) for o in options):
                options = strip_option_prefixes([o.strip() for o in options])
        data["options"] = options if options is not None else []
        kind = next((data[a] for a in ("card_type", "type", "kind") if data.get(a)), None)
        data["card_type"] = _card_type(kind, data)
        back, options = data["back"], data["options"]
        if data["card_type"] == "multiple_choice" and isinstance(options, list) and options:
            by_letter = not isinstance(back, str) or _LETTER_ONLY.match(back) or back.strip().isdigit()
            named = _correct_indices(back, options) if by_letter and back not in options else []
            if len(named) == 1 and 0 <= named[0] < len(options):
                data["back"] = options[named[0]]
        if "page" not in data and "pages" in data:
            data["page"] = data["pages"]
        pages = _page_numbers(data.get("page"))
        data["page"] = pages[0] if pages else None
        return data


class CardsReply(_Reply):
    cards: list[CardOut]

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and "cards" not in data and isinstance(data.get("flashcards"), list):
            data = {**data, "cards": data["flashcards"]}
        return _wrap_list(data, "cards")
