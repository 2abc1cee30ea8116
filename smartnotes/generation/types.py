"""Plain data exchanged between material selection, generation and the document builders (no Django).

Material comes in (a lecture's passages in page order, its figures); cheat sheets, quizzes and past-paper
answers come out. Every generated item carries the page(s) it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LETTERS = "ABCD"


@dataclass(frozen=True)
class Passage:
    page: int  # 1-based page (slide) number in its lecture
    text: str
    kind: str = "text"  # heading | text | list | table
    lecture_id: int | None = None
    lecture_name: str = ""


@dataclass(frozen=True)
class FigureRef:
    page: int
    path: str  # a PNG on disk
    width: int = 0
    height: int = 0
    caption: str = ""


@dataclass
class Material:
    """What a document is made from: one lecture (or several, for a subject), in page order."""

    title: str
    passages: list[Passage]
    figures: list[FigureRef] = field(default_factory=list)
    # page number -> the page's full text (used to check that a cited page supports an item)
    page_texts: dict[int, str] = field(default_factory=dict)

    @property
    def pages(self) -> list[int]:
        return sorted(self.page_texts) if self.page_texts else sorted({p.page for p in self.passages})


# --- cheat sheet ---------------------------------------------------------------------------------------


@dataclass
class Point:
    text: str
    pages: list[int]


@dataclass
class Section:
    heading: str
    points: list[Point]
    figures: list[FigureRef] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        return sorted({p for point in self.points for p in point.pages})


@dataclass
class CheatSheet:
    title: str  # e.g. the lecture name
    sections: list[Section]
    made_offline: bool = False
    generated_on: dt.date = field(default_factory=dt.date.today)
    subtitle: str = ""  # e.g. the subject name


# --- quiz ----------------------------------------------------------------------------------------------


@dataclass
class QuizQuestion:
    question: str
    options: list[str]  # exactly four, shown as A-D
    correct: int  # index 0-3 into options
    explanation: str
    page: int

    @property
    def correct_letter(self) -> str:
        return LETTERS[self.correct]


@dataclass
class Quiz:
    title: str
    questions: list[QuizQuestion]
    made_offline: bool = False
    generated_on: dt.date = field(default_factory=dt.date.today)


# --- past paper ----------------------------------------------------------------------------------------


@dataclass
class ExamQuestion:
    label: str  # as printed: "1", "3(a)", "Q4"
    text: str
    points: int | None = None


@dataclass(frozen=True)
class Citation:
    lecture_name: str
    page: int
    lecture_id: int | None = None


@dataclass
class ExamAnswer:
    question: ExamQuestion
    answer: str  # plain text / light Markdown; empty when not covered
    citations: list[Citation] = field(default_factory=list)
    covered: bool = True


@dataclass
class PastPaperAnswers:
    title: str  # the exam's name
    answers: list[ExamAnswer]
    made_offline: bool = False
    generated_on: dt.date = field(default_factory=dt.date.today)


# --- flashcards ----------------------------------------------------------------------------------------

CARD_TYPES = ("basic", "cloze", "multiple_choice")


@dataclass
class CardDraft:
    """One flashcard, before the student keeps (or edits) it. A cloze front marks its answer as
    ``{{c1::term}}``; a multiple-choice card has four ``options`` and ``back`` is the correct one; a diagram
    card shows ``figure`` on its front. ``key`` is the normalised front + back used to skip duplicates."""

    card_type: str  # "basic" | "cloze" | "multiple_choice"
    front: str
    back: str
    page: int
    options: list[str] = field(default_factory=list)
    figure: FigureRef | None = None
    key: str = ""
