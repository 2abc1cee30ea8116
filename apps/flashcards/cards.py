"""Writes to cards themselves: create, edit, suspend, delete, tag, bulk actions, cards from generation,
imports and missed quiz questions. Scheduling writes live in reviewing.py."""

import hashlib
import re
import unicodedata

from django.db import transaction

from apps.flashcards.models import CardOrigin, CardType, Flashcard

MAX_TEXT = 4000
MAX_TAGS = 12
TAG_MAX = 40  # Flashcard.tags' item length


class CardRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_owner(actor, obj) -> None:
    if obj.owner_id != actor.pk:
        raise PermissionError("not yours")


def dedup_key(question: str, answer: str) -> str:
    """The same fact in other spacing, case or punctuation gives the same key."""

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold()
        text = re.sub(r"\{\{c\d+::(.*?)(::.*?)?\}\}", r"\1", text)
        return " ".join(re.sub(r"[^\w\s]", " ", text).split())

    return hashlib.sha256(f"{norm(question)}\x1f{norm(answer)}".encode()).hexdigest()[:40]


def clean_tags(raw) -> list[str]:
    if isinstance(raw, str):
        raw = re.split(r"[,\s]+", raw)
    tags = []
    for tag in raw or ():
        tag = re.sub(r"[^\w\-:.]", "", str(tag))[:TAG_MAX]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def _clean_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CardRefused(f"The {what} of a card cannot be empty.")
    if len(value) > MAX_TEXT:
        raise CardRefused(f"The {what} is too long (at most {MAX_TEXT} characters).")
    return value


def _page(lecture, page) -> int | None:
    try:
        page = int(page) if page not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if page is not None and not (1 <= page <= (lecture.page_count or 0)):
        raise CardRefused(f"“{lecture.name}” has no page {page}.")
    return page


def create_card(
    *,
    actor,
    lecture,
    question: str,
    answer: str,
    card_type: str = CardType.BASIC,
    source_page=None,
    tags=(),
    options=None,
    origin: str = CardOrigin.MANUAL,
) -> Flashcard:
    _check_owner(actor, lecture)
    if card_type not in CardType.values:
        raise CardRefused("Unknown card type.")
    question, answer = _clean_text(question, "front"), _clean_text(answer, "back")
    return Flashcard.objects.create(
        owner=actor,
        subject_id=lecture.subject_id,
        lecture=lecture,
        card_type=card_type,
        question=question,
        answer=answer,
        options=list(options or []),
        source_page=_page(lecture, source_page),
        tags=clean_tags(tags),
        origin=origin,
        dedup_key=dedup_key(question, answer),
    )


def update_card(*, actor, card: Flashcard, question: str, answer: str, tags=None, source_page=None) -> Flashcard:
    _check_owner(actor, card)
    card.question, card.answer = _clean_text(question, "front"), _clean_text(answer, "back")
    if tags is not None:
        card.tags = clean_tags(tags)
    if source_page is not None:
        card.source_page = _page(card.lecture, source_page)
    card.edited = True
    card.save(update_fields=["question", "answer", "tags", "source_page", "edited", "updated_at"])
    return card


def set_suspended(*, actor, card: Flashcard, suspended: bool) -> Flashcard:
    _check_owner(actor, card)
    Flashcard.objects.filter(pk=card.pk).update(suspended=suspended)
    card.suspended = suspended
    return card


def delete_card(*, actor, card: Flashcard) -> None:
    _check_owner(actor, card)
    card.delete()


BULK_ACTIONS = ("suspend", "unsuspend", "delete", "tag", "untag")


def bulk_action(*, actor, card_ids, action: str, tag: str = "") -> int:
    """Apply one action to many of the actor's cards; ids of other users' cards are ignored."""
    if action not in BULK_ACTIONS:
        raise CardRefused("Choose what to do with the selected cards.")
    ids = [int(i) for i in card_ids if str(i).isdigit()]
    cards = Flashcard.objects.filter(owner=actor, pk__in=ids)
    if action == "delete":
        return cards.delete()[1].get("flashcards.Flashcard", 0)
    if action in ("suspend", "unsuspend"):
        return cards.update(suspended=action == "suspend")
    tags = clean_tags([tag])
    if not tags:
        raise CardRefused("Type a tag first.")
    changed = 0
    with transaction.atomic():
        for card in cards.select_for_update():
            new = [t for t in card.tags if t != tags[0]] if action == "untag" else clean_tags([*card.tags, tags[0]])
            if new != card.tags:
                card.tags = new
                card.save(update_fields=["tags", "updated_at"])
                changed += 1
    return changed


def existing_keys(lecture) -> set[str]:
    return set(Flashcard.objects.filter(lecture=lecture).values_list("dedup_key", flat=True))


def add_cards(*, actor, lecture, drafts, origin: str, figures_by_page=None) -> tuple[int, int]:
    """Store new cards, skipping any the lecture already has (kept, edited or imported): (created, skipped)."""
    _check_owner(actor, lecture)
    keys = existing_keys(lecture)
    rows, skipped = [], 0
    for draft in drafts:
        key = dedup_key(draft["question"], draft["answer"])
        if key in keys:
            skipped += 1
            continue
        keys.add(key)
        rows.append(
            Flashcard(
                owner=actor,
                subject_id=lecture.subject_id,
                lecture=lecture,
                card_type=draft.get("card_type", CardType.BASIC),
                question=draft["question"][:MAX_TEXT],
                answer=draft["answer"][:MAX_TEXT],
                options=list(draft.get("options") or []),
                source_page=draft.get("page"),
                figure_id=(figures_by_page or {}).get(draft.get("figure_page")),
                tags=clean_tags(draft.get("tags", ())),
                origin=origin,
                dedup_key=key,
                guid=draft.get("guid", "")[:64],
            )
        )
    Flashcard.objects.bulk_create(rows, batch_size=500)
    return len(rows), skipped


def cards_from_missed_questions(*, actor, attempt) -> tuple[int, int]:
    """One click on a quiz review: every question answered wrong becomes a basic card on its source page."""
    _check_owner(actor, attempt)
    questions = attempt.document.content.get("questions", [])
    drafts = []
    for i, q in enumerate(questions):
        pick = attempt.answers[i] if i < len(attempt.answers) else None
        if pick == q["correct"]:
            continue
        answer = q["options"][q["correct"]]
        explanation = q.get("explanation", "")
        drafts.append(
            {
                "question": q["question"],
                "answer": f"{answer}\n\n{explanation}".strip() if explanation else answer,
                "page": q.get("page"),
                "tags": ["quiz"],
            }
        )
    return add_cards(actor=actor, lecture=attempt.document.lecture, drafts=drafts, origin=CardOrigin.QUIZ)
