import csv
import io

import genanki
import pytest

from apps.flashcards.anki import AnkiImportError, CardData, export_csv, import_csv
from apps.flashcards.anki._text import neutralise_cell, restore_cell

TRICKY = [
    CardData(1, "basic", 'Commas, "quotes" and\nnew lines', "Ünïcödé — 日本語 ✓", ["tag1", "élève"]),
    CardData(2, "basic", "=SUM(A1:A3)", "+1 is positive", ["-minus"]),
    CardData(3, "basic", "-1 is negative", "@mention", []),
    CardData(4, "basic", "\tstarts with a tab", "'=already quoted", []),
    CardData(5, "basic", "'plain apostrophe", "<b>not markup</b> & &amp;", []),
    CardData(6, "cloze", "A ____ is LIFO.", "stack", ["ds"]),
    CardData(7, "cloze", "{{c1::Paris}} is in {{c2::France}}.", "Paris; France", []),
    CardData(8, "multiple_choice", "Pick one, please:", "B) two", [], options=["one", "two", "three"]),
    CardData(9, "basic", "Kept guid", "x", guid="=Xy+z"),
    CardData(10, "basic", "Line\n\nwith blank line", "semi;colon|pipe\ttab", []),
]


def _rows(text):
    body = "\n".join(line for line in text.split("\n") if not line.startswith("#"))
    return list(csv.reader(io.StringIO(body)))


def test_export_has_anki_header_lines_and_quoted_rows():
    text = export_csv(TRICKY[:1], "Algorithms")
    lines = text.split("\n")
    assert lines[:6] == [
        "#separator:Comma",
        "#html:true",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:6",
        "#guid column:1",
    ]
    assert lines[6].startswith('"') and lines[6].count('","') == 5
    [row] = _rows(text)
    guid = genanki.guid_for("mysmartnotes", 1)
    assert row[:3] == [neutralise_cell(guid), "Basic", "Algorithms"]
    assert row[3:] == ['Commas, "quotes" and<br>new lines', "Ünïcödé — 日本語 ✓", "tag1 élève"]


def test_export_neutralises_formula_cells():
    rows = {row[3]: row for row in _rows(export_csv(TRICKY, "D"))}
    assert "'=SUM(A1:A3)" in rows
    assert rows["'=SUM(A1:A3)"][4] == "'+1 is positive"
    assert rows["'=SUM(A1:A3)"][5] == "'-minus"
    assert rows["'-1 is negative"][4] == "'@mention"
    assert rows["'\tstarts with a tab"][4] == "''=already quoted"  # one more ' so the import gives it back
    assert rows["'plain apostrophe"][4] == "&lt;b&gt;not markup&lt;/b&gt; &amp; &amp;amp;"
    assert rows["Kept guid"][0] == "'=Xy+z"
    for row in rows.values():
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", row


def test_csv_round_trip_is_lossless():
    cards = import_csv(export_csv(TRICKY, "Algorithms::Week 1").encode("utf-8"))
    assert cards.warnings == []
    assert len(cards) == len(TRICKY)
    for original, back in zip(TRICKY, cards, strict=True):
        assert back.front == original.front
        assert back.back == original.back
        assert back.tags == original.tags
        assert back.card_type == original.card_type
        assert back.options == original.options
        assert back.guid == (original.guid or genanki.guid_for("mysmartnotes", original.card_id))
        assert back.deck == "Algorithms::Week 1"


def test_formula_guard_both_directions():
    for value in ["=1+1", "+x", "-y", "@z", "\tt", "\rr", "'=q", "''@w"]:
        assert neutralise_cell(value).startswith("'")
        assert restore_cell(neutralise_cell(value)) == value
    for value in ["plain", "'apostrophe first", "a=b", "", "#hash"]:
        assert neutralise_cell(value) == value
        assert restore_cell(value) == value
    # a third-party file's "'=x" is read as "=x" (the ' was the spreadsheet's text marker)
    [card] = import_csv(b"'=A1,'-answer\n")
    assert (card.front, card.back) == ("=A1", "-answer")


def test_anki_csv_with_semicolons_and_column_headers():
    data = (
        b"#separator:Semicolon\n"
        b"#html:true\n"
        b"#tags:imported\n"
        b"#columns:Front;Back;Tags\n"
        b"#tags column:3\n"
        b"Capital of <b>France</b>?;Paris<br>on the Seine;geo europe\n"
        b'"Semi; colon &amp; more";"<div>line 1</div><div>line 2</div>";\n'
    )
    cards = import_csv(data)
    assert [(c.front, c.back, c.tags) for c in cards] == [
        ("Capital of France?", "Paris\non the Seine", ["imported", "geo", "europe"]),
        ("Semi; colon & more", "line 1\nline 2", ["imported"]),
    ]
    assert all(c.card_type == "basic" for c in cards)


def test_anki_csv_column_positions_notetype_deck_guid_and_separators():
    data = (
        b"#separator:Tab\n#html:false\n#guid column:4\n#notetype column:3\n#deck column:5\n"
        b"front <b>raw</b>\tback\tBasic\tg1\tDeck A\n"
        b"{{c1::Rome}} was not built in a day\tproverb\tCloze\tg2\tDeck B\n"
    )
    a, b = import_csv(data)
    assert (a.front, a.back, a.guid, a.deck, a.card_type) == ("front <b>raw</b>", "back", "g1", "Deck A", "basic")
    assert (b.front, b.back, b.guid, b.deck, b.card_type) == (
        "____ was not built in a day", "Rome\n\nproverb", "g2", "Deck B", "cloze"
    )  # fmt: skip
    for name, sep in [("Pipe", "|"), ("Space", " "), ("Comma", ","), (";", ";")]:
        [card] = import_csv(f"#separator:{name}\nfront{sep}back\n".encode())
        assert (card.front, card.back) == ("front", "back"), name


def test_plain_front_back_csv_with_and_without_header():
    [card] = import_csv(b"front,back\nWhat is 2+2?,4\n")
    assert (card.front, card.back, card.tags) == ("What is 2+2?", "4", [])
    a, b = import_csv(b"What is 2+2?,4\nCapital of Peru,Lima,geo south-america\n")
    assert (a.front, a.back, a.tags) == ("What is 2+2?", "4", [])
    assert (b.front, b.back, b.tags) == ("Capital of Peru", "Lima", ["geo", "south-america"])
    [c] = import_csv(b"Tags;Answer;Question\nx y;Lima;Capital of Peru?\n")
    assert (c.front, c.back, c.tags) == ("Capital of Peru?", "Lima", ["x", "y"])
    [d] = import_csv(b"q\ta\nhello\tworld\n")
    assert (d.front, d.back) == ("hello", "world")
    # html detected without a header line; multiple-choice fronts recognised
    [e] = import_csv(b'"Which?<br><br>A) x<br>B) y",B\n')
    assert (e.card_type, e.front, e.options, e.back) == ("multiple_choice", "Which?", ["x", "y"], "B")


def test_cp1252_file_is_read_with_a_warning():
    data = "Café;naïve – “quoted” résumé\nÉcole;€ 5\n".encode("cp1252")
    cards = import_csv(data)
    assert [(c.front, c.back) for c in cards] == [("Café", "naïve – “quoted” résumé"), ("École", "€ 5")]
    assert any("cp1252" in w for w in cards.warnings)


def test_mixed_encodings_decode_line_by_line():
    data = "Straße,street\n".encode() + "Garçon,boy\n".encode("cp1252")
    cards = import_csv(data)
    assert [(c.front, c.back) for c in cards] == [("Straße", "street"), ("Garçon", "boy")]
    assert any("1 line(s)" in w for w in cards.warnings)


def test_utf16_and_utf8_bom_files():
    for encoding in ("utf-16", "utf-16-le", "utf-8-sig", "utf-32"):
        cards = import_csv("front\tback\nÄpfel\tapples ✓\n".encode(encoding))
        assert [(c.front, c.back) for c in cards] == [("Äpfel", "apples ✓")], encoding
        assert cards.warnings == []


def test_too_large_file_is_refused():
    data = b"front,back\n" + b"q,a\n" * 1_600_000  # 6.4 MB
    assert len(data) > 6_000_000
    with pytest.raises(AnkiImportError, match="larger than 5 MB") as exc:
        import_csv(data)
    assert exc.value.code == "too_large"


def test_one_column_file_is_refused():
    with pytest.raises(AnkiImportError, match="only one column") as exc:
        import_csv(b"just one thing\nanother thing\nthird\n")
    assert exc.value.code == "bad_columns"


def test_bad_rows_skipped_with_warnings_but_mostly_bad_file_refused():
    cards = import_csv(b"q1,a1\n,orphan answer\nq2,a2\nlonely\nq3,a3\n")
    assert [c.front for c in cards] == ["q1", "q2", "q3"]
    assert "Line 2 has an empty front and was skipped." in cards.warnings
    assert "Line 4 has a single column and was skipped." in cards.warnings
    multi_line = import_csv(b'#html:false\n"q1\nmore",a1\n,x\nq2,a2\nq3,a3\n')
    assert multi_line.warnings == ["Line 4 has an empty front and was skipped."]
    with pytest.raises(AnkiImportError, match="could not be read|could be imported"):
        import_csv(b"q1,a1\n,x\n,y\n,z\n")
    with pytest.raises(AnkiImportError):
        import_csv(b",a\n,b\n")


def test_other_unusable_files():
    with pytest.raises(AnkiImportError, match="empty"):
        import_csv(b"  \n")
    with pytest.raises(AnkiImportError, match="zip"):
        import_csv(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(AnkiImportError, match="more than 3 rows"):
        import_csv(b"a,b\nc,d\ne,f\ng,h\n", max_rows=3)
    with pytest.raises(AnkiImportError, match="separator"):
        import_csv(b"#separator:Weird\na,b\n")


def test_single_column_of_cloze_text_is_fine():
    cards = import_csv(b"{{c1::Oxygen}} has atomic number 8\n{{c1::H}} and {{c2::He}} are light\n")
    assert [(c.card_type, c.front, c.back) for c in cards] == [
        ("cloze", "____ has atomic number 8", "Oxygen"),
        ("cloze", "{{c1::H}} and {{c2::He}} are light", "H; He"),
    ]


def test_images_in_csv_are_named_but_not_included():
    [card] = import_csv(b'#html:true\n"Look <img src=""fig.png"">",answer\n')
    assert card.front == "Look" and card.image_name == "fig.png" and card.image is None
    assert any("CSV files carry no images" in w for w in card.warnings)
