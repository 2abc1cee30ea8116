"""Anki interop for MySmartNotes flashcards — a Django-free library working on plain data.

Public interface::

    path = export_apkg(cards, out_path, deck_name="Algorithms", deck_id=deck.anki_deck_id,
                       model_ids={"basic": deck.anki_basic_id, "cloze": deck.anki_cloze_id})
    text = export_csv(cards, "Algorithms")           # Anki "Notes in Plain Text" CSV
    cards = import_csv(uploaded_bytes)                # list[ImportedCard] with .warnings
    result = import_apkg_isolated(uploaded_path)      # ImportResult(cards, media, warnings), in a child process

``cards`` are :class:`CardData`; importers return :class:`ImportedCard` (plain text, no HTML) and raise
:class:`AnkiImportError` (``.message`` for the student, ``.code`` for the program) before returning anything
when a file is unusable. Ids for new decks/note types: :func:`new_anki_id` (store them with the app deck).
"""

from .apkg_export import BASIC_MODEL_NAME, CLOZE_MODEL_NAME, export_apkg
from .apkg_import import import_apkg, import_apkg_isolated
from .csv_io import export_csv, import_csv
from .types import (
    AnkiImportError,
    CardData,
    CardType,
    ImportedCard,
    ImportedCards,
    ImportResult,
    new_anki_id,
)

__all__ = [
    "BASIC_MODEL_NAME",
    "CLOZE_MODEL_NAME",
    "AnkiImportError",
    "CardData",
    "CardType",
    "ImportResult",
    "ImportedCard",
    "ImportedCards",
    "export_apkg",
    "export_csv",
    "import_apkg",
    "import_apkg_isolated",
    "import_csv",
    "new_anki_id",
]
