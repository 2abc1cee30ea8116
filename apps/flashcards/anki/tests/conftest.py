import json
import sqlite3
import struct
import zipfile
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from apps.flashcards.anki import CardData, export_apkg

DECK_ID = 1_700_000_001
MODEL_IDS = {"basic": 1_600_000_001, "cloze": 1_600_000_002}


def png_bytes(width: int = 2, height: int = 2, shade: int = 0) -> bytes:
    """A real (tiny, grey) PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def figure(tmp_path) -> Path:
    path = tmp_path / "figures" / "fig_12.png"
    path.parent.mkdir()
    path.write_bytes(png_bytes())
    return path


@pytest.fixture
def sample_cards(figure) -> list[CardData]:
    return [
        CardData(
            card_id=1,
            card_type="basic",
            front='What does <b> & "x" mean?\nSecond line',
            back="A bold tag & an ampersand",
            tags=["html", "week-1"],
            source="Lecture 3 p. 7",
            image_path=str(figure),
        ),
        CardData(2, "cloze", "A ____ is last-in first-out.", "stack", ["data_structures"], "Lecture 1 p. 2"),
        CardData(
            3,
            "multiple_choice",
            "Which lookup is O(1) on average?",
            "B) hash table",
            [],
            "Lecture 4 p. 1",
            options=["linked list", "hash table", "sorted array", "binary heap"],
        ),
        CardData(4, "cloze", "{{c1::Paris}} is the capital of {{c2::France}}.", "Paris; France", ["geo"]),
        CardData(5, "basic", "Kept GUID", "yes", guid="AbCdEf1234"),
    ]


@pytest.fixture
def apkg(tmp_path, sample_cards) -> Path:
    return export_apkg(sample_cards, tmp_path / "deck.apkg", deck_name="Algorithms::Week 1", deck_id=DECK_ID,
                       model_ids=MODEL_IDS)  # fmt: skip


def read_collection(apkg_path: Path, tmp_path: Path, name: str = "collection.anki2") -> sqlite3.Connection:
    """Unpack the package's collection and open it read-only."""
    with zipfile.ZipFile(apkg_path) as zf:
        db = tmp_path / f"read-{name}"
        db.write_bytes(zf.read(name))
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def rewrite_zip(src: Path, dst: Path, *, drop=(), replace=None, add=None) -> Path:
    """Copy an archive, leaving out ``drop`` members, swapping ``replace`` contents and adding ``add`` ones."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def make_collection(path: Path, *, models: dict, decks: dict, notes: list[tuple], cards: list[tuple] = ()) -> Path:
    """A minimal schema-11 Anki collection: ``notes`` rows are (id, guid, mid, tags, flds)."""
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(
            """
            CREATE TABLE col (id integer primary key, crt integer, mod integer, scm integer, ver integer,
                dty integer, usn integer, ls integer, conf text, models text, decks text, dconf text, tags text);
            CREATE TABLE notes (id integer primary key, guid text, mid integer, mod integer, usn integer,
                tags text, flds text, sfld text, csum integer, flags integer, data text);
            CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer, mod integer,
                usn integer, type integer, queue integer, due integer, ivl integer, factor integer, reps integer,
                lapses integer, left integer, odue integer, odid integer, flags integer, data text);
            """
        )
        conn.execute(
            "INSERT INTO col VALUES (1, 0, 0, 0, 11, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
            (json.dumps(models), json.dumps(decks)),
        )
        for nid, guid, mid, tags, flds in notes:
            conn.execute("INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, '', 0, 0, '')", (nid, guid, mid, tags, flds))
        for cid, nid, did in cards:
            conn.execute("INSERT INTO cards VALUES (?, ?, ?, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                         (cid, nid, did))  # fmt: skip
        conn.commit()
    return path
