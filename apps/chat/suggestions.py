"""Suggested first questions for an empty conversation, from the slide/page titles of the notes in scope."""

import re

from apps.lectures.models import LecturePage, LectureStatus

MAX_SUGGESTIONS = 4
_TITLE_OK = re.compile(r"[A-Za-zÀ-ÿ]")


def _title_of(text: str) -> str | None:
    """The page's title line (a slide title), or the start of its first sentence."""
    for line in (text or "").splitlines():
        line = " ".join(line.split()).strip(" •-–—:*#…")
        if not line:
            continue
        if not _TITLE_OK.search(line) or line.lower().startswith(("http", "www.")):
            return None
        if len(line) > 60:
            sentence = re.split(r"(?<=[a-z])[.:;!?](?:\s|$)", line, maxsplit=1)[0]
            if len(sentence) > 60:
                return None
            line = sentence
        return line if len(line) >= 4 else None
    return None


def suggested_questions(conversation, limit: int = MAX_SUGGESTIONS) -> list[str]:
    pages = LecturePage.objects.filter(
        lecture__owner_id=conversation.owner_id, lecture__status=LectureStatus.COMPLETED, number__gt=1
    )
    if conversation.lecture_id:
        pages = pages.filter(lecture_id=conversation.lecture_id)
    else:
        pages = pages.filter(lecture__subject_id=conversation.subject_id)
    titles: list[str] = []
    seen: set[str] = set()
    for text in pages.order_by("lecture_id", "number").values_list("text", flat=True)[:400]:
        title = _title_of(text)
        if title and title.casefold() not in seen:
            seen.add(title.casefold())
            titles.append(title)
    if not titles:
        return []
    # Spread the picks over the material instead of taking the first few slides.
    step = max(1, len(titles) // limit)
    picked = titles[step // 2 :: step][:limit]
    return [f"Explain “{title}” from my notes" for title in picked]
