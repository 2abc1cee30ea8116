"""Anki and CSV in and out: the app's glue around the Django-free ``apps.flashcards.anki`` library.

Exports keep stable deck and note-type ids per deck (``AnkiDeck``) and note GUIDs per card, so importing a
re-export into Anki updates the deck. Imports read untrusted files with size limits (an ``.apkg`` in an
isolated, memory- and time-limited child process) and store every card in one transaction.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from apps.flashcards import cards as card_service
from apps.flashcards.anki.apkg_export import export_apkg
from apps.flashcards.anki.apkg_import import import_apkg_isolated
from apps.flashcards.anki.csv_io import export_csv, import_csv
from apps.flashcards.anki.types import AnkiImportError, CardData, new_anki_id
from apps.flashcards.models import AnkiDeck, CardOrigin, Flashcard
from apps.lectures.models import Figure

MAX_UPLOAD_BYTES = 50_000_000
MAX_CSV_BYTES = 5_000_000


@dataclass
class Exported:
    data: bytes
    content_type: str
    filename: str


@dataclass
class Imported:
    created: int
    skipped: int
    warnings: list[str] = field(default_factory=list)


class ImportRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _deck_ids(actor, subject, lecture) -> AnkiDeck:
    deck, _ = AnkiDeck.objects.get_or_create(
        owner=actor,
        subject=subject,
        lecture=lecture,
        defaults={"deck_id": new_anki_id(), "model_ids": {"basic": new_anki_id(), "cloze": new_anki_id()}},
    )
    return deck


def _card_data(card: Flashcard) -> CardData:
    source = f"{card.lecture.name} p. {card.source_page}" if card.source_page else card.lecture.name
    image = card.figure.image.path if card.figure_id and card.figure and card.figure.image else None
    return CardData(
        card_id=card.pk,
        card_type=card.card_type,
        front=card.question,
        back=card.answer,
        tags=list(card.tags),
        source=source,
        guid=card.guid or None,
        image_path=image,
        options=list(card.options or []),
    )


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in text).strip()[:80] or "deck"


def export_deck(*, actor, subject, lecture=None, fmt: str) -> Exported:
    if subject.user_id != actor.pk or (lecture is not None and lecture.owner_id != actor.pk):
        raise PermissionError("not yours")
    cards = Flashcard.objects.filter(owner=actor, subject=subject).select_related("lecture", "figure")
    if lecture is not None:
        cards = cards.filter(lecture=lecture)
    cards = cards.order_by("lecture_id", "source_page", "pk")
    deck_name = f"{subject.name}::{lecture.name}" if lecture is not None else subject.name
    stem = _safe_name(lecture.name if lecture is not None else subject.name)
    data = [_card_data(card) for card in cards]
    if fmt == "csv":
        return Exported(export_csv(data, deck_name).encode("utf-8"), "text/csv; charset=utf-8", f"{stem}.csv")
    if fmt != "apkg":
        raise ImportRefused("Export as .apkg or .csv.")
    deck = _deck_ids(actor, subject, lecture)
    with tempfile.TemporaryDirectory(prefix="smartnotes-anki-") as tmp:
        path = export_apkg(
            data, Path(tmp) / "deck.apkg", deck_name=deck_name, deck_id=deck.deck_id, model_ids=deck.model_ids
        )
        return Exported(path.read_bytes(), "application/octet-stream", f"{stem}.apkg")


def _read(uploaded_file) -> tuple[list, dict, list[str]]:
    name = (uploaded_file.name or "").lower()
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ImportRefused("That file is larger than 50 MB, the most we import.")
    head = uploaded_file.read(4)
    uploaded_file.seek(0)
    try:
        if head.startswith(b"PK\x03\x04") or name.endswith(".apkg"):
            with tempfile.NamedTemporaryFile(prefix="smartnotes-import-", suffix=".apkg") as tmp:
                for chunk in uploaded_file.chunks():
                    tmp.write(chunk)
                tmp.flush()
                result = import_apkg_isolated(tmp.name)
            return result.cards, result.media, list(result.warnings)
        if uploaded_file.size > MAX_CSV_BYTES:
            raise ImportRefused("That CSV file is larger than 5 MB, the most we import.")
        cards = import_csv(uploaded_file.read(), max_bytes=MAX_CSV_BYTES)
        return list(cards), {}, list(cards.warnings)
    except AnkiImportError as exc:
        raise ImportRefused(exc.message) from exc


def import_deck(*, actor, lecture, uploaded_file) -> Imported:
    """Add the cards of an ``.apkg`` or CSV file to a lecture, all or nothing; cards it already has are
    skipped. Images of imported notes become figures of no page, shown on the card's front."""
    if lecture.owner_id != actor.pk:
        raise PermissionError("not yours")
    imported, media, warnings = _read(uploaded_file)
    if not imported:
        raise ImportRefused("No cards were found in that file.")
    drafts, images = [], {}
    for card in imported:
        drafts.append(
            {
                "card_type": card.card_type,
                "question": card.front,
                "answer": card.back,
                "options": card.options,
                "tags": list(card.tags),  # as in the file (origin="imported" says where it came from)
                "guid": card.guid or "",
            }
        )
        warnings.extend(card.warnings)
        if card.image_name and (card.image or media.get(card.image_name)):
            images[len(drafts) - 1] = (card.image_name, card.image or media[card.image_name])
    with transaction.atomic():
        created, skipped = card_service.add_cards(
            actor=actor, lecture=lecture, drafts=drafts, origin=CardOrigin.IMPORTED
        )
        if images and created:
            _attach_images(lecture, drafts, images)
    return Imported(created=created, skipped=skipped, warnings=list(dict.fromkeys(warnings)))


def _attach_images(lecture, drafts, images) -> None:
    """Imported images are stored like figures (page 0: not from a page of the lecture)."""
    keys = {card_service.dedup_key(d["question"], d["answer"]): i for i, d in enumerate(drafts)}
    cards = Flashcard.objects.filter(lecture=lecture, dedup_key__in=list(keys), figure__isnull=True)
    start = (
        Figure.objects.filter(lecture=lecture, page=0).order_by("-index").values_list("index", flat=True).first()
    ) or 0
    for offset, card in enumerate(cards, start=1):
        index = keys.get(card.dedup_key)
        if index not in images:
            continue
        name, data = images[index]
        figure = Figure(lecture=lecture, page=0, index=start + offset, caption=name[:300])
        figure.image.save(f"imported_{start + offset:04d}.png", ContentFile(data), save=False)
        figure.save()
        Flashcard.objects.filter(pk=card.pk).update(figure=figure)
