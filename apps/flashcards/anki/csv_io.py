"""Anki-compatible CSV ("Notes in Plain Text") export and import.

Export (:func:`export_csv`) writes Anki's header lines and then one row per card::

    #separator:Comma
    #html:true
    #notetype column:2
    #deck column:3
    #tags column:6
    #guid column:1
    "guid","notetype","deck","front","back","tags"

Every cell is quoted (a GUID may start with ``#``, which Anki would take for a comment). Note types are
Anki's stock "Basic" (Front, Back) and "Cloze" (Text, Back Extra) so that the file imports into any
collection; multiple-choice options are listed ``A) …`` on the front; the source and images are not part
of a CSV file (use the .apkg export for those).

**Formula guard.** A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` so that a spreadsheet opening the file shows text instead of running a formula (a cell that
already starts with ``'`` and one of those gets one more ``'``). :func:`import_csv` removes one leading
``'`` before those characters, so our own files come back exactly. GUIDs are guarded as well; Anki itself
does not strip the ``'``, so such a GUID (about 4 in 91) will not match a note imported from our .apkg.

Import (:func:`import_csv`) takes Anki's format (header lines ``#separator``, ``#html``, ``#tags``,
``#columns``, ``#notetype``, ``#deck`` and ``#… column:N`` honoured) or a plain ``front,back[,tags]`` file
with or without a header row; the separator is guessed (comma, semicolon, tab, pipe) unless declared.
Encodings: UTF-8 with or without BOM, UTF-16/32 with BOM (UTF-16 without BOM is recognised), else each
line is decoded as strict UTF-8 or, failing that, Windows-1252 — with a warning. Fields in HTML
(``#html:true``, or when the file has HTML tags and no ``#html`` line) are turned into plain text
(``<br>`` → line break); surrounding whitespace is trimmed. Unusable files raise
:class:`AnkiImportError` before anything is returned; single bad rows are skipped with a warning (more
than half of the rows bad makes the file unusable).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from ._text import (
    anki_tags,
    card_guid,
    clean_control,
    cloze_from_anki,
    cloze_to_anki,
    cut,
    has_cloze,
    html_to_text,
    mcq_front,
    neutralise_cell,
    parse_tags,
    restore_cell,
    split_mcq,
    text_to_html,
)
from .types import CARD_TYPES, AnkiImportError, CardData, ImportedCard, ImportedCards, format_mb

BASIC_NOTETYPE = "Basic"
CLOZE_NOTETYPE = "Cloze"

_BAD_LINE_RE = re.compile(r"^[^\n\udc80-\udcff]*+[\udc80-\udcff][^\n]*", re.M)  # anchored, possessive: linear
_SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|", "colon": ":"}
_HEADER_KEYS = {"separator", "html", "tags", "columns", "notetype", "deck", "if matches"}
_GUESS_SEPARATORS = (",", ";", "\t", "|")
_COLUMN_KEYS = {"guid column": "guid", "notetype column": "notetype", "deck column": "deck", "tags column": "tags"}
_HTML_HINT_RE = re.compile(
    r"<(?:br|div|p|span|b|i|u|img|strong|em|ul|ol|li|sub|sup|font|hr|table|tr|td)\b[^<>]*+>|&(?:nbsp|amp|lt|gt|quot);",
    re.I,
)
_FRONT_NAMES = {"front", "question", "q", "term", "text", "prompt", "word"}
_BACK_NAMES = {"back", "answer", "a", "definition", "meaning", "back extra", "extra", "translation"}
_HEADER_NAMES = {
    **dict.fromkeys(_FRONT_NAMES, "front"),
    **dict.fromkeys(_BACK_NAMES, "back"),
    "tags": "tags",
    "tag": "tags",
    "guid": "guid",
    "notetype": "notetype",
    "note type": "notetype",
    "type": "notetype",
    "deck": "deck",
    "source": "source",
}


# --- export -------------------------------------------------------------------------------------------------------


def _row_fields(card: CardData) -> tuple[str, str, str]:
    """(notetype, front html, back html) of one card."""
    if card.card_type not in CARD_TYPES:
        raise ValueError(f"unknown card type {card.card_type!r}")
    if card.card_type == "cloze":
        parts = cloze_to_anki(card.front, card.back)
        if parts is not None:
            return CLOZE_NOTETYPE, text_to_html(parts[0]), text_to_html(parts[1])
    front = mcq_front(card.front, card.options) if card.card_type == "multiple_choice" else card.front
    return BASIC_NOTETYPE, text_to_html(front), text_to_html(card.back)


def export_csv(cards: Iterable[CardData], deck_name: str) -> str:
    """The cards as an Anki CSV text (encode it as UTF-8 to send it)."""
    out = io.StringIO()
    out.write("#separator:Comma\n#html:true\n#notetype column:2\n#deck column:3\n#tags column:6\n#guid column:1\n")
    writer = csv.writer(out, delimiter=",", quotechar='"', quoting=csv.QUOTE_ALL, lineterminator="\n")
    deck = clean_control(deck_name or "").replace("\n", " ").strip()
    for card in cards:
        notetype, front, back = _row_fields(card)
        row = [card_guid(card), notetype, deck, front, back, " ".join(anki_tags(card.tags))]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()


# --- decoding -----------------------------------------------------------------------------------------------------


def _decode_cp1252(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return line.decode("latin-1")


def _decode(data: bytes, warnings: list[str]) -> str:
    boms = (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            body = data[len(bom) :]
            if encoding == "utf-8":
                data = body
                break
            try:
                return body.decode(encoding)
            except UnicodeDecodeError:
                raise AnkiImportError(
                    f"This file says it is {encoding.upper()[:6]} text but is not valid {encoding.upper()[:6]}.",
                    "not_text",
                ) from None
    else:
        head = data[:4000]
        if head.startswith(b"PK\x03\x04"):
            raise AnkiImportError(
                "This is a zip file (perhaps an Anki package), not a CSV file. Import .apkg files as Anki packages.",
                "not_text",
            )
        if b"\x00" in head:
            even, odd = head[0::2].count(0), head[1::2].count(0)
            encoding = "utf-16-le" if odd > 3 * max(even, 1) else "utf-16-be" if even > 3 * max(odd, 1) else None
            if encoding:
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    pass
            raise AnkiImportError("This looks like a binary file, not a CSV text file.", "not_text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Strict UTF-8 failed: keep every line that is valid UTF-8, read the others as cp1252. One C-speed pass marks
    # the bad lines (undecodable bytes become lone surrogates); only those lines are decoded again.
    text = data.decode("utf-8", "surrogateescape")
    fallback = 0

    def redo(m: re.Match) -> str:
        nonlocal fallback
        fallback += 1
        return _decode_cp1252(m.group(0).encode("utf-8", "surrogateescape"))

    text = _BAD_LINE_RE.sub(redo, text)
    if fallback >= sum(1 for line in text.split("\n") if line.strip()):
        warnings.append("This file is not UTF-8; it was read as Windows-1252 (cp1252). Check accented letters.")
    else:
        warnings.append(
            f"{fallback:,} line(s) of this file were not valid UTF-8 and were read as Windows-1252 (cp1252); "
            "check their accented letters."
        )
    return text


# --- header lines -------------------------------------------------------------------------------------------------


class _Header:
    def __init__(self):
        self.anki = False
        self.separator: str | None = None
        self.html: bool | None = None
        self.tags: list[str] = []
        self.columns: list[str] | None = None
        self.notetype = ""
        self.deck = ""
        self.special: dict[str, int] = {}  # role -> 0-based column


def _parse_header(text: str) -> tuple[_Header, str, int]:
    """Leading ``#key:value`` lines → (header, the rest of the text, number of header lines)."""
    header = _Header()
    pos = 0
    n_lines = 0
    while pos < len(text) and text.startswith("#", pos):
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        pos = len(text) if nl < 0 else nl + 1
        n_lines += 1
        key, sep, value = line[1:].rstrip("\r").partition(":")
        key = key.strip().lower()
        if not sep or (key not in _COLUMN_KEYS and key not in _HEADER_KEYS):
            continue
        header.anki = True
        if key == "separator":
            raw = value if value in (" ", "\t") else value.strip()
            sep_char = _SEPARATORS.get(raw.lower(), raw if len(raw) == 1 else None)
            if sep_char is None or sep_char in ('"', "\n", "\r"):
                raise AnkiImportError(f"This file declares an unknown separator {raw[:20]!r}.", "bad_columns")
            header.separator = sep_char
        elif key == "html":
            header.html = value.strip().lower() in ("true", "yes", "1")
        elif key == "tags":
            header.tags = parse_tags(value)
        elif key == "columns":
            header.columns = [value]  # split once the separator is known
        elif key == "notetype":
            header.notetype = value.strip()
        elif key == "deck":
            header.deck = value.strip()
        elif key in _COLUMN_KEYS:
            try:
                column = int(value.strip())
            except ValueError:
                raise AnkiImportError(f"The header line '#{key}:{value.strip()[:20]}' needs a column number.",
                                      "bad_columns") from None  # fmt: skip
            if column < 1:
                raise AnkiImportError(f"The header line '#{key}' has an invalid column number.", "bad_columns")
            header.special[_COLUMN_KEYS[key]] = column - 1
    return header, text[pos:], n_lines


def _reader(text: str, sep: str):
    return csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=False)


def _guess_separator(text: str) -> str:
    sample = text[:65536]
    best, best_score = ",", -1.0
    for sep in _GUESS_SEPARATORS:
        widths = []
        try:
            for i, row in enumerate(_reader(sample, sep)):
                if i >= 50:
                    break
                if any(cell.strip() for cell in row):
                    widths.append(len(row))
        except csv.Error:
            continue
        if not widths:
            continue
        if len(text) > len(sample) and len(widths) > 1:
            widths = widths[:-1]  # the sample may cut the last row
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = widths.count(common) / len(widths) + 0.01 * min(common, 10)
        if score > best_score:
            best, best_score = sep, score
    return best


# --- import -------------------------------------------------------------------------------------------------------


def _header_roles(row: list[str]) -> dict[str, int] | None:
    """A plain file's first row as column roles, if it is a header row (``Front,Back,Tags`` …)."""
    names = [cell.strip().lower().lstrip("\ufeff") for cell in row]
    filled = [n for n in names if n]
    if len(filled) < 2 or any(n not in _HEADER_NAMES for n in filled):
        return None
    roles: dict[str, int] = {}
    for i, name in enumerate(names):
        if name:
            roles.setdefault(_HEADER_NAMES[name], i)
    if "front" not in roles:
        return None
    return roles


def _card_type(notetype: str, front: str) -> str:
    lowered = notetype.lower()
    if "cloze" in lowered or has_cloze(front):
        return "cloze"
    if "multiple" in lowered or "choice" in lowered or "mcq" in lowered:
        return "multiple_choice"
    return "basic"


def import_csv(data: bytes, *, max_bytes: int = 5_000_000, max_rows: int = 20_000) -> ImportedCards:
    """Parse a CSV/TSV flashcard file into plain cards (a list with a ``warnings`` attribute).

    Raises :class:`AnkiImportError` for a file that is too large, not text, has a single column, too many
    rows, or no usable row.
    """
    if len(data) > max_bytes:
        raise AnkiImportError(
            f"This file is {format_mb(len(data))}, larger than {format_mb(max_bytes)}, the most we import from CSV.",
            "too_large",
        )
    if not data.strip():
        raise AnkiImportError("This file is empty.", "empty")
    warnings: list[str] = []
    text = _decode(data, warnings).lstrip("\ufeff")
    header, body, header_lines = _parse_header(text)
    sep = header.separator or _guess_separator(body)
    html_mode = header.html if header.html is not None else bool(_HTML_HINT_RE.search(body[:200_000]))

    try:
        rows = []
        line_numbers: list[int] = []  # the file line each row starts on
        reader = _reader(body, sep)
        previous_line = 0
        for row in reader:
            start_line, previous_line = previous_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            line_numbers.append(header_lines + start_line)
            if len(rows) > max_rows + 1:  # +1: a header row
                break
    except csv.Error as exc:
        if "field limit" in str(exc):
            message = f"This file has a cell longer than {csv.field_size_limit():,} characters."
        else:
            message = f"This CSV file could not be read ({exc})."
        raise AnkiImportError(message + " Check that it is a flashcard CSV file.", "bad_columns") from None
    if not rows:
        raise AnkiImportError("This file has no rows of cards.", "empty")

    roles = dict(header.special)
    first_data = 0
    if header.columns is not None:
        names = next(_reader(header.columns[0], sep), [])
        for i, name in enumerate(names):
            role = _HEADER_NAMES.get(name.strip().lower())
            if role in ("tags", "guid", "notetype", "deck", "source") and role not in roles:
                roles[role] = i
    elif not header.anki:
        detected = _header_roles(rows[0])
        if detected:
            first_data = 1
            roles = detected
    rows, line_numbers = rows[first_data:], line_numbers[first_data:]
    if len(rows) > max_rows:
        raise AnkiImportError(f"This file has more than {max_rows:,} rows; split it into smaller files.", "too_many")
    if not rows:
        raise AnkiImportError("This file has a header row but no cards.", "empty")

    width = max(len(row) for row in rows)
    special_cols = {roles[r] for r in ("guid", "notetype", "deck", "tags", "source") if r in roles}
    if "front" in roles:  # a plain file's header row named the columns
        front_col = roles["front"]
        back_col = roles.get("back")
        if back_col is None:
            back_col = next((i for i in range(width) if i != front_col and i not in special_cols), None)
        field_cols = [front_col] + ([back_col] if back_col is not None else [])
    else:
        field_cols = [i for i in range(width) if i not in special_cols]
        if not header.anki and "tags" not in roles and len(field_cols) >= 3:
            roles["tags"] = field_cols[2]  # plain front,back,tags
            field_cols = field_cols[:2] + field_cols[3:]
    extra_cols = field_cols[2:]
    field_cols = field_cols[:2]

    def cell(row: list[str], col: int | None) -> str:
        return restore_cell(row[col].strip()) if col is not None and col < len(row) else ""

    def field(row: list[str], col: int | None, what: str, card_warnings: list[str]) -> tuple[str, list[str]]:
        raw = row[col] if col is not None and col < len(row) else ""
        if html_mode:
            value, images, _sound = html_to_text(raw)
        else:
            value, images = clean_control(raw).strip(), []
        # the guard's ' comes off after trimming, so a guarded leading tab survives
        return cut(restore_cell(value), what, card_warnings), images

    all_cloze = all(has_cloze(cell(row, field_cols[0] if field_cols else None)) for row in rows)
    if len(field_cols) < 2 and not all_cloze:
        raise AnkiImportError(
            "This file has only one column. A flashcard file needs at least two columns, front and back "
            f"(separated by {_separator_name(sep)}).",
            "bad_columns",
        )

    cards: list[ImportedCard] = []
    skipped: list[str] = []
    extra_used = False
    for row, line_number in zip(rows, line_numbers, strict=True):
        where = f"Line {line_number}"
        card_warnings: list[str] = []
        front, images = field(row, field_cols[0], "front", card_warnings)
        back, back_images = field(row, field_cols[1] if len(field_cols) > 1 else None, "back", card_warnings)
        notetype = cell(row, roles.get("notetype")) or header.notetype
        if (len(field_cols) < 2 or field_cols[1] >= len(row)) and not has_cloze(front):
            skipped.append(f"{where} has a single column and was skipped.")
            continue
        if not front:  # an image alone cannot carry a card: CSV files bring no image files
            skipped.append(f"{where} has an empty front and was skipped.")
            continue
        if any(cell(row, c) for c in extra_cols):
            extra_used = True
        card_type = _card_type(notetype, front)
        options: list[str] = []
        if card_type == "cloze":
            if has_cloze(front):
                front, back = cloze_from_anki(front, back)
        else:
            mcq = split_mcq(front)
            if mcq:
                front, options = mcq
                card_type = "multiple_choice"
            elif card_type == "multiple_choice":
                card_type = "basic"
        if not back and card_type != "cloze":
            card_warnings.append("This card has an empty back.")
        image_name = (images + back_images)[0] if images + back_images else None
        if image_name:
            card_warnings.append(f"The image {image_name[:80]!r} is not included: CSV files carry no images.")
        tags = parse_tags(cell(row, roles.get("tags")))
        cards.append(
            ImportedCard(
                card_type=card_type,
                front=front,
                back=back,
                tags=[*header.tags, *[t for t in tags if t not in header.tags]],
                source=cell(row, roles.get("source")),
                guid=cell(row, roles.get("guid")) or None,
                options=options,
                deck=cell(row, roles.get("deck")) or header.deck,
                image_name=image_name,
                warnings=card_warnings,
            )
        )

    if not cards:
        raise AnkiImportError(
            "No row of this file could be imported. " + (skipped[0] if skipped else ""), "bad_columns"
        )
    if len(skipped) > len(rows) / 2:
        raise AnkiImportError(
            f"{len(skipped):,} of {len(rows):,} rows could not be read (for example: {skipped[0]}). "
            f"Check that the columns are separated by {_separator_name(sep)}.",
            "bad_columns",
        )
    if extra_used:
        warnings.append("This file has more than two card columns; only the first two (front and back) were used.")
    if len(skipped) > 20:
        warnings.extend(skipped[:20])
        warnings.append(f"… and {len(skipped) - 20:,} more rows were skipped.")
    else:
        warnings.extend(skipped)
    return ImportedCards(cards, warnings)


def _separator_name(sep: str) -> str:
    names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes", " ": "spaces", ":": "colons"}
    return names.get(sep, repr(sep))
