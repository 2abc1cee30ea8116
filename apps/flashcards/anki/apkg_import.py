"""Import an Anki package (``.apkg``): an UNTRUSTED zip holding a SQLite collection and media files.

Before anything is unpacked the archive is checked: it must be a zip with at most ``MAX_MEMBERS`` members,
safe member names (no absolute paths, ``..``, backslashes or drive letters: the whole file is refused),
no encryption, known compression, every member and all members together no bigger (uncompressed, as
declared) than ``max_uncompressed``. Reading then streams each member with a byte budget, so a member that
expands past its declared size is caught too (zipfile also stops at the declared size and checks the CRC).

The collection (``collection.anki21``, else ``collection.anki2``) is copied to a temporary file and opened
with the standard ``sqlite3`` module read-only (``file:…?mode=ro``, ``trusted_schema=OFF``, ATTACH denied).
The zstd-compressed ``collection.anki21b`` of newer Anki versions is refused with a clear message.

Notes → cards: a note with cloze deletions (``{{c1::…}}``) becomes a cloze card (see
``_text.cloze_from_anki``); any other note takes its first field as the front and its second as the back
(a field named "Source" goes to ``source``); a front ending in lines ``A) …``, ``B) …`` becomes a
multiple-choice card. HTML is turned into plain text. Images the note shows (``<img src="x.png">``) are
looked up in the ``media`` map and attached when they are PNG, JPEG, GIF or WebP; SVG and other files are
left out with a warning. A missing or broken ``media`` map imports the cards without images and warns.

Use :func:`import_apkg_isolated` from the web/worker process: it runs the import in a memory- and
time-limited child so that a hostile file can only take down the child.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import urllib.parse
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ._text import (
    clean_control,
    cloze_from_anki,
    cut,
    has_cloze,
    html_to_text,
    parse_tags,
    split_mcq,
)
from .types import AnkiImportError, ImportedCard, ImportResult, format_mb

MAX_MEMBERS = 100_000
MAX_MEDIA_FILE = 20_000_000  # one image
MAX_MEDIA_MAP = 20_000_000  # the ``media`` JSON
MAX_RAW_FIELD = 1_000_000  # characters of one note field looked at (the text is then cut to MAX_FIELD_CHARS)
SQLITE_MAX_VALUE = 64_000_000
ISOLATED_MEMORY_MB = 512
ISOLATED_TIMEOUT_S = 60
_CHUNK = 1 << 20

_SAFE_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_NEWER_FORMAT = (
    "This Anki package uses the newer Anki format, which cannot be imported here. In Anki, export it again "
    "with 'Support older Anki versions' ticked."
)
_NOT_APKG = "This file is not an Anki package (.apkg)."
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def _image_kind(data: bytes) -> str | None:
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


# --- the zip ------------------------------------------------------------------------------------------------------

_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE_RE.match(name):
        return True
    return any(part == ".." for part in name.split("/"))


def _check_members(zf: zipfile.ZipFile, max_uncompressed: int) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise AnkiImportError(f"This Anki package holds more than {MAX_MEMBERS:,} files.", "too_many")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if _unsafe_name(info.orig_filename) or _unsafe_name(info.filename):
            raise AnkiImportError(
                f"This file contains an unsafe file name ({info.orig_filename[:80]!r}) and was refused.", "unsafe"
            )
        if info.filename in members:
            raise AnkiImportError(f"{_NOT_APKG} It contains the file {info.filename[:80]!r} twice.", "unsafe")
        if info.flag_bits & 0x1:
            raise AnkiImportError("This Anki package is password-protected (encrypted) and cannot be read.", "corrupt")
        if info.compress_type not in _SAFE_COMPRESSION:
            raise AnkiImportError(f"{_NOT_APKG} It uses an unsupported kind of zip compression.", "corrupt")
        if info.file_size > max_uncompressed:
            raise AnkiImportError(
                f"A file inside this Anki package unpacks to {format_mb(info.file_size)}, more than the "
                f"{format_mb(max_uncompressed)} we allow; it may be a zip bomb.",
                "too_large",
            )
        total += info.file_size
        if total > max_uncompressed:
            raise AnkiImportError(
                f"This Anki package unpacks to more than {format_mb(max_uncompressed)}, the most we allow; "
                "it may be a zip bomb.",
                "too_large",
            )
        members[info.filename] = info
    return members


class _Budget:
    """Bytes still allowed to be unpacked from the archive (all members together)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise AnkiImportError(
                f"This Anki package unpacks to more than {format_mb(self.limit)}, the most we allow; "
                "it may be a zip bomb.",
                "too_large",
            )


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, limit: int, sink) -> int:
    """Copy one member into ``sink(chunk)`` without ever exceeding ``limit``, its declared size or the budget."""
    cap = min(limit, info.file_size)
    done = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            done += len(chunk)
            if done > cap:
                raise AnkiImportError(
                    f"A file inside this Anki package unpacks to more than it declares ({format_mb(cap)}); "
                    "it may be a zip bomb.",
                    "too_large",
                )
            budget.take(len(chunk))
            sink(chunk)
    return done


def _read_bytes(zf, info, budget, limit) -> bytes:
    parts: list[bytes] = []
    _stream(zf, info, budget, limit, parts.append)
    return b"".join(parts)


# --- the collection -----------------------------------------------------------------------------------------------


@dataclass
class _NoteType:
    name: str
    fields: list[str]
    is_cloze: bool


def _authorizer(action, *_args):
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _open_readonly(db_path: Path) -> sqlite3.Connection:
    with open(db_path, "r+b") as fh:
        header = fh.read(100)
        if not header.startswith(b"SQLite format 3\x00"):
            raise AnkiImportError(f"{_NOT_APKG} Its collection is not an Anki database.", "not_apkg")
        if header[18:20] == b"\x02\x02":  # WAL mode: our private copy has no -wal file, so mark it rollback-mode
            fh.seek(18)
            fh.write(b"\x01\x01")
    uri = "file:" + urllib.parse.quote(str(db_path)) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_VALUE)
    except (AttributeError, sqlite3.Error):
        pass
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_authorizer)
    return conn


def _json_or_none(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _read_note_types_and_decks(conn, tables: set[str], warnings: list[str]):
    note_types: dict[int, _NoteType] = {}
    decks: dict[int, str] = {}
    if "notetypes" in tables and "fields" in tables:  # Anki 2.1.28+ schema
        fields: dict[int, list[str]] = {}
        for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            fields.setdefault(int(ntid), []).append(str(name))
        for ntid, name in conn.execute("SELECT id, name FROM notetypes"):
            note_types[int(ntid)] = _NoteType(str(name), fields.get(int(ntid), []), "cloze" in str(name).lower())
    if "decks" in tables:
        for did, name in conn.execute("SELECT id, name FROM decks"):
            decks[int(did)] = str(name).replace("\x1f", "::")
    if "col" in tables:
        row = conn.execute("SELECT models, decks FROM col LIMIT 1").fetchone()
        if row:
            models, col_decks = _json_or_none(row[0]), _json_or_none(row[1])
            if isinstance(models, dict):
                for mid, model in models.items():
                    if not isinstance(model, dict):
                        continue
                    try:
                        flds = sorted(model.get("flds") or [], key=lambda f: int(f.get("ord", 0)))
                        note_types[int(mid)] = _NoteType(
                            str(model.get("name", "")), [str(f.get("name", "")) for f in flds], model.get("type") == 1
                        )
                    except (TypeError, ValueError, AttributeError):
                        continue
            if isinstance(col_decks, dict):
                for did, deck in col_decks.items():
                    if isinstance(deck, dict):
                        try:
                            decks[int(did)] = str(deck.get("name", ""))
                        except (TypeError, ValueError):
                            continue
    if not note_types:
        warnings.append("The note types of this package could not be read; fields were taken in order.")
    return note_types, decks


def _field_index(names: list[str], *wanted: str) -> int | None:
    lowered = [n.strip().lower() for n in names]
    for w in wanted:
        if w in lowered:
            return lowered.index(w)
    return None


@dataclass
class _Counts:
    empty: int = 0
    extra_fields: int = 0
    sound: int = 0
    remote_images: int = 0


def _note_to_card(flds: str, note_type: _NoteType | None, tags: str, guid, deck: str, counts: _Counts):
    """(card, image srcs in display order) or ``(None, [])`` for a note without a usable front."""
    raw_fields = flds.split("\x1f")
    converted = [html_to_text(f[:MAX_RAW_FIELD]) for f in raw_fields]
    texts = [c[0] for c in converted]
    names = note_type.fields if note_type else []
    source_idx = _field_index(names, "source")
    if source_idx == 0:
        source_idx = None
    content = [i for i in range(len(texts)) if i != source_idx]
    card_warnings: list[str] = []

    cloze_idx = next((i for i in content if has_cloze(texts[i])), None)
    options: list[str] = []
    if cloze_idx is not None:
        extra_idx = _field_index(names, "back extra", "extra")
        if extra_idx is None or extra_idx in (cloze_idx, source_idx):
            extra_idx = next((i for i in content if i > cloze_idx), None)
        front, back = cloze_from_anki(texts[cloze_idx], texts[extra_idx] if extra_idx is not None else "")
        card_type = "cloze"
        used = [cloze_idx] + ([extra_idx] if extra_idx is not None else [])
    else:
        front = texts[content[0]] if content else ""
        back = texts[content[1]] if len(content) > 1 else ""
        card_type = "basic"
        used = content[:2]
        if note_type and note_type.is_cloze:
            card_warnings.append("This cloze note has no cloze deletion; it was imported as a basic card.")
        mcq = split_mcq(front)
        if mcq:
            front, options = mcq
            card_type = "multiple_choice"
    if any(texts[i] for i in content if i not in used):
        counts.extra_fields += 1
    if any(c[2] for c in converted):
        counts.sound += 1

    order = used + [i for i in range(len(texts)) if i not in used]
    images = [src for i in order for src in converted[i][1]]
    if not front and not images:
        counts.empty += 1
        return None, []
    if not front:
        front = "(image)"
    card = ImportedCard(
        card_type=card_type,
        front=cut(front, "front", card_warnings),
        back=cut(back, "back", card_warnings),
        tags=parse_tags(clean_control(str(tags or ""))),
        source=cut(texts[source_idx], "source", card_warnings) if source_idx is not None else "",
        guid=str(guid) if guid else None,
        options=options,
        deck=deck,
        warnings=card_warnings,
    )
    if not back and card_type != "cloze":
        card_warnings.append("This card has an empty back.")
    return card, images


# --- media --------------------------------------------------------------------------------------------------------


def _safe_media_name(name: str, taken: set[str]) -> str:
    base = clean_control(name.replace("\\", "/").rsplit("/", 1)[-1]).replace("\n", "").replace("\t", "").strip()
    base = base.lstrip(".") or "image"
    stem, ext = os.path.splitext(base)
    stem, ext = stem[:100], ext[:10]
    candidate, n = stem + ext, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{ext}"
    taken.add(candidate)
    return candidate


class _MediaReader:
    def __init__(self, zf, members, budget: _Budget, warnings: list[str]):
        self.zf, self.members, self.budget = zf, members, budget
        self.by_name: dict[str, str] | None = None  # anki media name -> zip member
        self.loaded: dict[str, tuple[str, bytes] | str] = {}  # anki name -> (safe name, bytes) | problem sentence
        self.media: dict[str, bytes] = {}
        self.taken: set[str] = set()
        info = members.get("media")
        if info is None:
            warnings.append("This package has no media list; its cards were imported without images.")
            return
        if info.file_size > MAX_MEDIA_MAP:
            warnings.append("The media list of this package is too large; its cards were imported without images.")
            return
        data = _json_or_none(_read_bytes(zf, info, budget, MAX_MEDIA_MAP))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            warnings.append("The media list of this package is damaged; its cards were imported without images.")
            return
        self.by_name = {}
        for member, name in data.items():
            if str(member) in members:
                self.by_name.setdefault(name, str(member))

    def get(self, src: str) -> tuple[str, bytes] | str:
        """(safe name, bytes) or a sentence saying why the image is not attached."""
        assert self.by_name is not None
        for name in (src, urllib.parse.unquote(src)):
            if name in self.by_name:
                break
        else:
            return f"The image {src[:80]!r} is not in the package."
        if name in self.loaded:
            return self.loaded[name]
        info = self.members[self.by_name[name]]
        if info.file_size > MAX_MEDIA_FILE:
            result = f"The image {name[:80]!r} is larger than {format_mb(MAX_MEDIA_FILE)} and was left out."
        else:
            data = _read_bytes(self.zf, info, self.budget, MAX_MEDIA_FILE)
            if _image_kind(data) is None:
                result = f"The file {name[:80]!r} is not a PNG, JPEG, GIF or WebP image and was left out."
            else:
                safe = _safe_media_name(name, self.taken)
                self.media[safe] = data
                result = (safe, data)
        self.loaded[name] = result
        return result


# --- entry points -------------------------------------------------------------------------------------------------


def import_apkg(
    path: str | os.PathLike,
    *,
    max_bytes: int = 50_000_000,
    max_uncompressed: int = 200_000_000,
    max_notes: int = 20_000,
) -> ImportResult:
    """Read an Anki package into plain cards and their images. Raises :class:`AnkiImportError`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise AnkiImportError("The uploaded file could not be read.", "corrupt") from None
    if size > max_bytes:
        raise AnkiImportError(
            f"This Anki package is {format_mb(size)}, larger than {format_mb(max_bytes)}, the most we import.",
            "too_large",
        )
    if not zipfile.is_zipfile(path):
        raise AnkiImportError(f"{_NOT_APKG} It is not a zip archive.", "not_apkg")
    try:
        with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory(prefix="anki-import-") as tmp:
            return _import_zip(zf, Path(tmp), max_uncompressed=max_uncompressed, max_notes=max_notes)
    except AnkiImportError:
        raise
    except sqlite3.Error as exc:
        raise AnkiImportError(
            "The collection inside this Anki package is damaged and could not be read.", "corrupt"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise AnkiImportError("This Anki package is damaged or incomplete and could not be read.", "corrupt") from exc


def _import_zip(zf: zipfile.ZipFile, tmp: Path, *, max_uncompressed: int, max_notes: int) -> ImportResult:
    members = _check_members(zf, max_uncompressed)
    if "collection.anki21b" in members:
        raise AnkiImportError(_NEWER_FORMAT, "unsupported_format")
    name = next((n for n in ("collection.anki21", "collection.anki2") if n in members), None)
    if name is None:
        raise AnkiImportError(f"{_NOT_APKG} It has no Anki collection inside.", "not_apkg")
    budget = _Budget(max_uncompressed)
    db_path = tmp / "collection.sqlite"
    with open(db_path, "wb") as out:
        _stream(zf, members[name], budget, max_uncompressed, out.write)

    warnings: list[str] = []
    conn = _open_readonly(db_path)
    try:
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "notes" not in tables:
            raise AnkiImportError(f"{_NOT_APKG} Its collection has no notes table.", "not_apkg")
        (n_notes,) = conn.execute("SELECT COUNT(*) FROM notes").fetchone()
        if n_notes > max_notes:
            raise AnkiImportError(
                f"This Anki package has {n_notes:,} notes, more than the {max_notes:,} we import at once. "
                "Split the deck in Anki and export the parts.",
                "too_many",
            )
        if n_notes == 0:
            raise AnkiImportError("This Anki package contains no notes.", "empty")
        note_types, decks = _read_note_types_and_decks(conn, tables, warnings)
        note_deck: dict[int, int] = {}
        if "cards" in tables:
            for nid, did in conn.execute("SELECT nid, MIN(did) FROM cards GROUP BY nid"):
                if isinstance(nid, int) and isinstance(did, int):
                    note_deck[nid] = did
        rows = conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()

    counts = _Counts()
    pending: list[tuple[ImportedCard, list[str]]] = []
    for nid, guid, mid, tags, flds in rows:
        if isinstance(flds, bytes):
            flds = flds.decode("utf-8", "replace")
        note_type = note_types.get(mid) if isinstance(mid, int) else None
        deck = decks.get(note_deck.get(nid, -1), "") if isinstance(nid, int) else ""
        card, images = _note_to_card(str(flds or ""), note_type, tags, guid, deck, counts)
        if card is not None:
            pending.append((card, images))
    if not pending:
        raise AnkiImportError(f"None of the {n_notes:,} notes in this Anki package has a front we can import.", "empty")

    media = _MediaReader(zf, members, budget, warnings)
    for card, images in pending:
        if media.by_name is None:
            continue
        attached = False
        for src in images:
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", src, flags=re.I):  # http:, data:, file:, //host …
                counts.remote_images += 1
                continue
            if attached:
                card.warnings.append("This note shows more than one image; only the first was kept.")
                break
            got = media.get(src)
            if isinstance(got, str):
                card.warnings.append(got)
            else:
                card.image_name, card.image = got
                attached = True

    if counts.empty:
        warnings.append(f"{counts.empty:,} note(s) with an empty front were skipped.")
    if counts.extra_fields:
        warnings.append(f"{counts.extra_fields:,} note(s) have more fields than front, back and source; "
                        "only those were imported.")  # fmt: skip
    if counts.sound:
        warnings.append(f"{counts.sound:,} note(s) contain audio, which is not imported.")
    if counts.remote_images:
        warnings.append(f"{counts.remote_images:,} image(s) pointing outside the package were left out.")
    return ImportResult(cards=[card for card, _ in pending], media=media.media, warnings=warnings)


def _import_in_child(path: str, limits: dict):
    try:
        return ("ok", import_apkg(path, **limits))
    except AnkiImportError as exc:
        return ("error", exc.message, exc.code)


def import_apkg_isolated(
    path: str | os.PathLike,
    *,
    timeout_s: float = ISOLATED_TIMEOUT_S,
    memory_mb: int = ISOLATED_MEMORY_MB,
    **limits,
) -> ImportResult:
    """:func:`import_apkg` in a forked child limited to ``memory_mb`` of extra memory and ``timeout_s`` seconds.

    Every failure ends as :class:`AnkiImportError`: the child's own (message kept), or one for a child that ran
    out of time or memory, or crashed.
    """
    from apps.lectures.pipeline import IngestError, run_isolated

    try:
        outcome = run_isolated(_import_in_child, str(path), dict(limits), timeout_s=timeout_s, memory_mb=memory_mb)
    except IngestError as exc:
        if exc.code == "timeout":
            message = f"Reading this Anki package took longer than {timeout_s:g} seconds and was stopped."
        elif exc.code == "too_much_memory":
            message = (
                f"Reading this Anki package needed more than {memory_mb} MB of memory and was stopped; "
                "the file may be damaged or built to overload the server."
            )
        else:
            message = "This Anki package could not be read; it is probably damaged."
        code = exc.code if exc.code in ("timeout", "too_much_memory") else "corrupt"
        raise AnkiImportError(message, code) from None
    if outcome[0] == "ok":
        return outcome[1]
    raise AnkiImportError(outcome[1], outcome[2])
