"""Generated documents to and from JSON (stored with the document, for the on-screen view, the quiz taken in
the browser and the other download formats)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from .types import (
    CheatSheet,
    Citation,
    ExamAnswer,
    ExamQuestion,
    FigureRef,
    PastPaperAnswers,
    Point,
    Quiz,
    QuizQuestion,
    Section,
)


def to_json(value: Any) -> dict:
    def convert(obj):
        if isinstance(obj, dt.date):
            return obj.isoformat()
        if isinstance(obj, dict):
            return {k: convert(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [convert(v) for v in obj]
        return obj

    return convert(dataclasses.asdict(value))


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else dt.date.today()


def cheat_sheet_from_json(data: dict) -> CheatSheet:
    return CheatSheet(
        title=data.get("title", ""),
        subtitle=data.get("subtitle", ""),
        made_offline=bool(data.get("made_offline")),
        generated_on=_date(data.get("generated_on")),
        sections=[
            Section(
                heading=s.get("heading", ""),
                points=[Point(text=p["text"], pages=list(p.get("pages", []))) for p in s.get("points", [])],
                figures=[FigureRef(**f) for f in s.get("figures", [])],
            )
            for s in data.get("sections", [])
        ],
    )


def quiz_from_json(data: dict) -> Quiz:
    return Quiz(
        title=data.get("title", ""),
        made_offline=bool(data.get("made_offline")),
        generated_on=_date(data.get("generated_on")),
        questions=[QuizQuestion(**q) for q in data.get("questions", [])],
    )


def past_paper_from_json(data: dict) -> PastPaperAnswers:
    return PastPaperAnswers(
        title=data.get("title", ""),
        made_offline=bool(data.get("made_offline")),
        generated_on=_date(data.get("generated_on")),
        answers=[
            ExamAnswer(
                question=ExamQuestion(**a["question"]),
                answer=a.get("answer", ""),
                citations=[Citation(**c) for c in a.get("citations", [])],
                covered=bool(a.get("covered", True)),
            )
            for a in data.get("answers", [])
        ],
    )
