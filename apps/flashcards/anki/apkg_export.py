"""Export app flashcards as an Anki package (``.apkg``) with genanki.

Stable identities make re-imports into Anki *update* instead of duplicating:

- the deck id and the note type ids come from the caller (stored once per app deck, see ``new_anki_id``);
- each note's GUID is the card's ``guid`` or ``genanki.guid_for("mysmartnotes", card_id)``.

Note types (all with a ``Source`` field shown under the answer):

- ``model_ids["basic"]`` → "MySmartNotes Basic" (Front, Back, Source): basic and multiple-choice cards
  (the options are listed ``A) …`` on the front);
- ``model_ids["cloze"]`` → "MySmartNotes Cloze" (Text, Back Extra, Source), a cloze note type like genanki's
  ``CLOZE_MODEL``. A ``____`` blank becomes ``{{c1::term}}``; a cloze card without blank or cloze syntax is
  exported as a basic note.

Fields are HTML-escaped plain text with ``<br>`` line breaks; a card's image is appended to the front as
``<img src="name.png">`` and shipped as package media (names made unique when two files share one).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

import genanki

from ._text import anki_tags, card_guid, cloze_to_anki, mcq_front, text_to_html
from .types import CARD_TYPES, MAX_ANKI_ID, CardData

log = logging.getLogger(__name__)

BASIC_MODEL_NAME = "MySmartNotes Basic"
CLOZE_MODEL_NAME = "MySmartNotes Cloze"

_CSS = genanki.CLOZE_MODEL.css + "\n.source {\n font-size: 14px;\n color: #777;\n margin-top: 1em;\n}\n"
_SOURCE = "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"


def _check_id(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ANKI_ID:
        raise ValueError(f"{what} must be a positive 64-bit integer, not {value!r}")
    return value


def basic_model(model_id: int) -> genanki.Model:
    return genanki.Model(
        _check_id(model_id, "model_ids['basic']"),
        BASIC_MODEL_NAME,
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Source"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}\n" + _SOURCE,
            }
        ],
        css=_CSS,
    )


def cloze_model(model_id: int) -> genanki.Model:
    return genanki.Model(
        _check_id(model_id, "model_ids['cloze']"),
        CLOZE_MODEL_NAME,
        model_type=genanki.Model.CLOZE,
        fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Source"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}\n" + _SOURCE,
            }
        ],
        css=_CSS,
    )


class _Media:
    """Media files by unique Anki name; files with the same name but other content get a suffix."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.by_name: dict[str, str] = {}  # anki name -> real path
        self.by_path: dict[str, str] = {}  # real path -> anki name
        self.digests: dict[str, str] = {}

    def _digest(self, path: str) -> str:
        if path not in self.digests:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self.digests[path] = h.hexdigest()
        return self.digests[path]

    def add(self, image_path: str) -> str | None:
        real = os.path.realpath(image_path)
        if real in self.by_path:
            return self.by_path[real]
        if not os.path.isfile(real):
            log.warning("anki export: image %s is missing; card exported without it", image_path)
            return None
        name = os.path.basename(real).replace('"', "").strip() or "image.png"
        if name in self.by_name and self._digest(self.by_name[name]) != self._digest(real):
            stem, ext = os.path.splitext(name)
            name = f"{stem}-{self._digest(real)[:10]}{ext}"
        if name not in self.by_name:
            if name != os.path.basename(real):  # genanki names media after the file: stage a renamed copy
                staged = self.staging / name
                shutil.copyfile(real, staged)
                real_or_staged = str(staged)
            else:
                real_or_staged = real
            self.by_name[name] = real_or_staged
        self.by_path[real] = name
        return name

    @property
    def files(self) -> list[str]:
        return list(self.by_name.values())


def _with_image(field: str, image_name: str | None) -> str:
    if not image_name:
        return field
    tag = '<img src="' + text_to_html(image_name).replace('"', "&quot;") + '">'
    return f"{field}<br>{tag}" if field else tag


def build_note(card: CardData, basic: genanki.Model, cloze: genanki.Model, guid: str, image_name: str | None, due=0):
    """The genanki note of one card (exposed for tests and for the CSV exporter's field logic)."""
    if card.card_type not in CARD_TYPES:
        raise ValueError(f"unknown card type {card.card_type!r}")
    tags = anki_tags(card.tags)
    source = text_to_html(card.source or "")
    if card.card_type == "cloze":
        parts = cloze_to_anki(card.front, card.back)
        if parts is not None:
            text, extra = parts
            fields = [_with_image(text_to_html(text), image_name), text_to_html(extra), source]
            return genanki.Note(model=cloze, fields=fields, tags=tags, guid=guid, due=due)
    front = card.front
    if card.card_type == "multiple_choice":
        front = mcq_front(card.front, card.options)
    fields = [_with_image(text_to_html(front), image_name), text_to_html(card.back), source]
    return genanki.Note(model=basic, fields=fields, tags=tags, guid=guid, due=due)


def export_apkg(
    cards: Iterable[CardData],
    out_path: str | os.PathLike,
    *,
    deck_name: str,
    deck_id: int,
    model_ids: dict[str, int],
    description: str = "",
) -> Path:
    """Write ``cards`` as an Anki package at ``out_path`` (atomically) and return its path.

    ``model_ids`` needs the keys ``"basic"`` and ``"cloze"``. Raises ``ValueError`` for bad ids or card types.
    A missing image file is skipped (logged), not fatal.
    """
    deck_name = (deck_name or "").strip()
    if not deck_name:
        raise ValueError("deck_name must not be empty")
    for key in ("basic", "cloze"):
        if key not in model_ids:
            raise ValueError(f"model_ids needs a {key!r} id")
    if model_ids["basic"] == model_ids["cloze"]:
        raise ValueError("model_ids['basic'] and model_ids['cloze'] must differ")
    basic = basic_model(model_ids["basic"])
    cloze = cloze_model(model_ids["cloze"])
    deck = genanki.Deck(_check_id(deck_id, "deck_id"), deck_name, description=text_to_html(description))
    deck.add_model(basic)
    deck.add_model(cloze)

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="anki-export-") as tmp:
        media = _Media(Path(tmp))
        used_guids: set[str] = set()
        for position, card in enumerate(cards):
            guid = card_guid(card)
            if guid in used_guids:  # two cards claiming one note: keep the second apart
                guid = card_guid(CardData(card.card_id, card.card_type, card.front, card.back))
                if guid in used_guids:
                    guid = genanki.guid_for("mysmartnotes-position", position, card.front, card.back)
            used_guids.add(guid)
            image_name = media.add(card.image_path) if card.image_path else None
            deck.add_note(build_note(card, basic, cloze, guid, image_name, due=position))
        package = genanki.Package(deck, media_files=media.files)
        fd, partial = tempfile.mkstemp(prefix=".anki-", suffix=".apkg.part", dir=out_path.parent)
        os.close(fd)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                package.write_to_file(partial)
            os.replace(partial, out_path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return out_path
