"""Plain data exchanged with the Anki interop library (no Django, no genanki).

``CardData`` goes into the exporters; ``ImportedCard`` comes out of the importers. Both use plain text for
``front``/``back`` (never HTML): the exporters escape, the importers strip HTML.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal

CardType = Literal["basic", "cloze", "multiple_choice"]
CARD_TYPES: tuple[str, ...] = ("basic", "cloze", "multiple_choice")

#: Anki ids (deck and note type ids) are signed 64-bit integers; genanki recommends 31-bit random ones.
MAX_ANKI_ID = 2**63 - 1


def new_anki_id() -> int:
    """A fresh random id for a deck or note type, in the range genanki recommends (2**30 .. 2**31).

    Create the ids once per app deck and store them: re-using them on every export is what lets Anki update
    the existing deck and note types instead of creating copies.
    """
    return (1 << 30) + secrets.randbelow(1 << 30)


@dataclass
class CardData:
    """One app flashcard to export.

    - ``card_type``: ``basic`` | ``cloze`` | ``multiple_choice``.
    - ``front``/``back``: plain text (line breaks allowed). A cloze front holds a ``____`` blank (``back`` is the
      term) or Anki cloze syntax ``{{c1::term}}``.
    - ``source``: shown under the answer, e.g. ``"Lecture 3 p. 7"``.
    - ``guid``: the Anki note GUID to keep (e.g. one that came from an import); ``None`` derives it from
      ``card_id`` with ``genanki.guid_for("mysmartnotes", card_id)``.
    - ``image_path``: a PNG (or JPEG/GIF/WebP) shown on the front; sent as package media.
    - ``options``: the choices of a multiple-choice card (listed as A), B), … on the front).
    """

    card_id: int | None
    card_type: CardType
    front: str
    back: str
    tags: list[str] = field(default_factory=list)
    source: str = ""
    guid: str | None = None
    image_path: str | None = None
    options: list[str] = field(default_factory=list)


@dataclass
class ImportedCard:
    """One card read from a CSV file or an ``.apkg`` package (plain text, ready to become a Flashcard).

    Same as :class:`CardData` minus the app id, plus:

    - ``guid``: the Anki note GUID (``None`` when the file has none); store it to recognise re-imports and
      to keep it on a later export;
    - ``deck``: the Anki deck name (``"Parent::Child"``) or ``""``;
    - ``image_name``/``image``: the first image the note shows (name as a key of ``ImportResult.media`` and
      its bytes; ``image`` is ``None`` for CSV files, which carry no media);
    - ``warnings``: sentences about what could not be kept for this card.
    """

    card_type: CardType
    front: str
    back: str
    tags: list[str] = field(default_factory=list)
    source: str = ""
    guid: str | None = None
    options: list[str] = field(default_factory=list)
    deck: str = ""
    image_name: str | None = None
    image: bytes | None = None
    warnings: list[str] = field(default_factory=list)


class ImportedCards(list):
    """The list of cards :func:`import_csv` returns, with the file-level ``warnings`` (skipped rows, encoding)."""

    def __init__(self, cards=(), warnings: list[str] | None = None):
        super().__init__(cards)
        self.warnings: list[str] = list(warnings or [])

    def __reduce__(self):
        return (ImportedCards, (list(self), self.warnings))


@dataclass
class ImportResult:
    """What :func:`import_apkg` returns: the cards, the media they reference, and file-level warnings."""

    cards: list[ImportedCard]
    media: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class AnkiImportError(Exception):
    """A file that cannot be imported; ``message`` is a sentence a student understands.

    ``code`` is machine readable: ``too_large``, ``empty``, ``not_text``, ``bad_columns``, ``too_many``,
    ``not_apkg``, ``unsafe``, ``unsupported_format``, ``corrupt``, ``timeout``, ``too_much_memory``.
    It is raised before anything is returned, so a caller never sees part of an unusable file.
    """

    def __init__(self, message: str, code: str = "corrupt"):
        self.message = message
        self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # survive pickling across processes with both attributes
        return (AnkiImportError, (self.message, self.code))


def format_mb(n_bytes: int) -> str:
    """``5_000_000`` → ``"5 MB"`` (decimal megabytes, as the limits are written)."""
    return f"{n_bytes / 1_000_000:g} MB"
