import json
import zipfile

import genanki
import pytest

from apps.flashcards.anki import BASIC_MODEL_NAME, CLOZE_MODEL_NAME, CardData, export_apkg

from .conftest import DECK_ID, MODEL_IDS, png_bytes, read_collection


def _notes(conn):
    rows = conn.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
    return [(guid, mid, tags.split(), flds.split("\x1f")) for guid, mid, tags, flds in rows]


def test_package_is_a_zip_with_collection_and_media(apkg, figure):
    with zipfile.ZipFile(apkg) as zf:
        names = set(zf.namelist())
        assert {"collection.anki2", "media"} <= names
        media = json.loads(zf.read("media"))
        assert media == {"0": "fig_12.png"}
        assert zf.read("0") == figure.read_bytes()


def test_deck_and_models_use_the_given_ids(apkg, tmp_path):
    conn = read_collection(apkg, tmp_path)
    models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
    decks = json.loads(decks_json)
    assert decks[str(DECK_ID)]["name"] == "Algorithms::Week 1"
    models = json.loads(models_json)
    basic, cloze = models[str(MODEL_IDS["basic"])], models[str(MODEL_IDS["cloze"])]
    assert basic["name"] == BASIC_MODEL_NAME and basic["type"] == 0
    assert [f["name"] for f in basic["flds"]] == ["Front", "Back", "Source"]
    assert cloze["name"] == CLOZE_MODEL_NAME and cloze["type"] == 1
    assert [f["name"] for f in cloze["flds"]] == ["Text", "Back Extra", "Source"]
    assert "{{cloze:Text}}" in cloze["tmpls"][0]["qfmt"]
    # every card sits in our deck
    assert {did for (did,) in conn.execute("SELECT did FROM cards")} == {DECK_ID}
    conn.close()


def test_notes_fields_are_escaped_and_typed(apkg, tmp_path):
    conn = read_collection(apkg, tmp_path)
    notes = _notes(conn)
    assert len(notes) == 5
    (g1, m1, t1, f1), (g2, m2, t2, f2), (g3, m3, _t3, f3), (g4, m4, _t4, f4), (g5, _m5, _t5, _f5) = notes

    assert m1 == MODEL_IDS["basic"]
    assert f1[0] == 'What does &lt;b&gt; &amp; "x" mean?<br>Second line<br><img src="fig_12.png">'
    assert f1[1] == "A bold tag &amp; an ampersand"
    assert f1[2] == "Lecture 3 p. 7"
    assert t1 == ["html", "week-1"]

    assert m2 == MODEL_IDS["cloze"]
    assert f2 == ["A {{c1::stack}} is last-in first-out.", "", "Lecture 1 p. 2"]
    assert t2 == ["data_structures"]

    assert m3 == MODEL_IDS["basic"]  # multiple choice: a basic note with the options on the front
    assert f3[0] == (
        "Which lookup is O(1) on average?<br><br>A) linked list<br>B) hash table<br>C) sorted array<br>D) binary heap"
    )
    assert f3[1] == "B) hash table"

    assert m4 == MODEL_IDS["cloze"]
    assert f4[0] == "{{c1::Paris}} is the capital of {{c2::France}}."
    assert f4[1] == ""  # the back only repeated the answers
    # two cloze deletions → two Anki cards
    nid = conn.execute("SELECT id FROM notes WHERE guid = ?", (g4,)).fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM cards WHERE nid = ?", (nid,)).fetchone()[0] == 2

    assert g1 == genanki.guid_for("mysmartnotes", 1)
    assert g2 == genanki.guid_for("mysmartnotes", 2)
    assert g3 == genanki.guid_for("mysmartnotes", 3)
    assert g5 == "AbCdEf1234"  # a given guid is kept
    conn.close()


def test_re_export_keeps_guids_and_ids(tmp_path, sample_cards):
    first = export_apkg(sample_cards, tmp_path / "a.apkg", deck_name="D", deck_id=DECK_ID, model_ids=MODEL_IDS)
    edited = [CardData(c.card_id, c.card_type, c.front + " (edited)", c.back, c.tags, c.source, c.guid, None, c.options)
              for c in reversed(sample_cards)]  # fmt: skip
    second = export_apkg(edited, tmp_path / "b.apkg", deck_name="D", deck_id=DECK_ID, model_ids=MODEL_IDS)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    a, b = read_collection(first, tmp_path / "one"), read_collection(second, tmp_path / "two")
    guids_a = {g for (g,) in a.execute("SELECT guid FROM notes")}
    guids_b = {g for (g,) in b.execute("SELECT guid FROM notes")}
    assert guids_a == guids_b and len(guids_a) == 5
    assert a.execute("SELECT models FROM col").fetchone()[0].count(str(MODEL_IDS["cloze"])) >= 1
    assert json.loads(b.execute("SELECT decks FROM col").fetchone()[0])[str(DECK_ID)]["name"] == "D"
    a.close()
    b.close()


def test_cloze_blank_replaced_everywhere_and_longer_back_becomes_extra(tmp_path):
    cards = [
        CardData(1, "cloze", "A ____ pops what the ____ pushed last.", "stack\n\nLIFO order."),
        CardData(2, "cloze", "Write ____ in C++.", "std::vector"),
        CardData(3, "cloze", "No blank at all", "so a basic note"),
    ]
    out = export_apkg(cards, tmp_path / "c.apkg", deck_name="D", deck_id=DECK_ID, model_ids=MODEL_IDS)
    notes = _notes(read_collection(out, tmp_path))
    assert notes[0][3][:2] == ["A {{c1::stack}} pops what the {{c1::stack}} pushed last.", "LIFO order."]
    # "::" inside an answer would end it early: a zero-width space keeps it whole
    assert notes[1][3][0] == "Write {{c1::std:\u200b:vector}} in C++."
    assert notes[2][1] == MODEL_IDS["basic"] and notes[2][3][:2] == ["No blank at all", "so a basic note"]


def test_media_names_made_unique_and_missing_images_skipped(tmp_path):
    (tmp_path / "l1").mkdir()
    (tmp_path / "l2").mkdir()
    (tmp_path / "l1" / "fig_1.png").write_bytes(png_bytes(shade=10))
    (tmp_path / "l2" / "fig_1.png").write_bytes(png_bytes(shade=200))
    cards = [
        CardData(1, "basic", "a", "b", image_path=str(tmp_path / "l1" / "fig_1.png")),
        CardData(2, "basic", "c", "d", image_path=str(tmp_path / "l2" / "fig_1.png")),
        CardData(3, "basic", "e", "f", image_path=str(tmp_path / "l1" / "fig_1.png")),
        CardData(4, "basic", "g", "h", image_path=str(tmp_path / "gone.png")),
    ]
    out = export_apkg(cards, tmp_path / "m.apkg", deck_name="D", deck_id=DECK_ID, model_ids=MODEL_IDS)
    with zipfile.ZipFile(out) as zf:
        media = json.loads(zf.read("media"))
        by_name = {name: zf.read(idx) for idx, name in media.items()}
    assert len(by_name) == 2 and by_name["fig_1.png"] == png_bytes(shade=10)
    other = next(n for n in by_name if n != "fig_1.png")
    assert other.startswith("fig_1-") and by_name[other] == png_bytes(shade=200)
    fronts = [f[0] for *_rest, f in _notes(read_collection(out, tmp_path))]
    assert fronts[0].endswith('<img src="fig_1.png">') and fronts[2].endswith('<img src="fig_1.png">')
    assert fronts[1].endswith(f'<img src="{other}">')
    assert fronts[3] == "g"


def test_bad_arguments_are_refused(tmp_path):
    card = [CardData(1, "basic", "a", "b")]
    with pytest.raises(ValueError, match="cloze"):
        export_apkg(card, tmp_path / "x.apkg", deck_name="D", deck_id=DECK_ID, model_ids={"basic": 1})
    with pytest.raises(ValueError, match="must differ"):
        export_apkg(card, tmp_path / "x.apkg", deck_name="D", deck_id=DECK_ID, model_ids={"basic": 7, "cloze": 7})
    with pytest.raises(ValueError, match="deck_id"):
        export_apkg(card, tmp_path / "x.apkg", deck_name="D", deck_id="12", model_ids=MODEL_IDS)
    with pytest.raises(ValueError, match="deck_name"):
        export_apkg(card, tmp_path / "x.apkg", deck_name=" ", deck_id=DECK_ID, model_ids=MODEL_IDS)
    with pytest.raises(ValueError, match="card type"):
        export_apkg([CardData(1, "essay", "a", "b")], tmp_path / "x.apkg", deck_name="D", deck_id=DECK_ID,
                    model_ids=MODEL_IDS)  # fmt: skip
    assert not (tmp_path / "x.apkg").exists()
    assert not list(tmp_path.glob(".anki-*"))  # no partial file left behind
