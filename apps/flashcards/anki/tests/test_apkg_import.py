import json
import struct
import zipfile

import pytest

from apps.flashcards.anki import AnkiImportError, CardData, export_apkg, import_apkg, import_apkg_isolated

from .conftest import DECK_ID, MODEL_IDS, make_collection, png_bytes, rewrite_zip

BOMB_BYTES = 300 * 1024 * 1024


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _bomb(path, name="collection.anki2"):
    """A ~300 KB zip whose one member expands to 300 MB of zeros."""
    zero = b"\x00" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as fh:
        for _ in range(BOMB_BYTES // len(zero)):
            fh.write(zero)
    assert path.stat().st_size < 1_000_000
    return path


@pytest.fixture(scope="session")
def bomb(tmp_path_factory):
    return _bomb(tmp_path_factory.mktemp("bomb") / "bomb.apkg")


# --- our own packages ---------------------------------------------------------------------------------------------


def test_import_of_our_own_apkg_gives_back_cards_and_media(apkg, figure):
    result = import_apkg(apkg)
    assert result.warnings == []
    basic, cloze, mcq, cloze2, kept = result.cards
    assert (basic.card_type, basic.front, basic.back) == (
        "basic", 'What does <b> & "x" mean?\nSecond line', "A bold tag & an ampersand"
    )  # fmt: skip
    assert basic.tags == ["html", "week-1"] and basic.source == "Lecture 3 p. 7"
    assert basic.deck == "Algorithms::Week 1"
    assert basic.image_name == "fig_12.png" and basic.image == figure.read_bytes()
    assert result.media == {"fig_12.png": figure.read_bytes()}
    assert (cloze.card_type, cloze.front, cloze.back, cloze.tags) == (
        "cloze", "A ____ is last-in first-out.", "stack", ["data_structures"]
    )  # fmt: skip
    assert (mcq.card_type, mcq.front, mcq.back) == (
        "multiple_choice",
        "Which lookup is O(1) on average?",
        "B) hash table",
    )
    assert mcq.options == ["linked list", "hash table", "sorted array", "binary heap"]
    assert (cloze2.card_type, cloze2.front, cloze2.back) == (
        "cloze", "{{c1::Paris}} is the capital of {{c2::France}}.", "Paris; France"
    )  # fmt: skip
    assert kept.guid == "AbCdEf1234"
    assert all(not c.warnings for c in result.cards)


def test_export_import_export_keeps_guids(apkg, tmp_path):
    first = import_apkg(apkg)
    again = [
        CardData(None, c.card_type, c.front, c.back, c.tags, c.source, c.guid, None, c.options) for c in first.cards
    ]
    out = export_apkg(again, tmp_path / "again.apkg", deck_name="X", deck_id=DECK_ID, model_ids=MODEL_IDS)
    assert [c.guid for c in import_apkg(out).cards] == [c.guid for c in first.cards]


def test_missing_media_map_gives_a_warning_not_a_crash(apkg, tmp_path):
    result = import_apkg(rewrite_zip(apkg, tmp_path / "nomedia.apkg", drop={"media"}))
    assert len(result.cards) == 5 and result.media == {}
    assert result.cards[0].image is None
    assert any("no media list" in w for w in result.warnings)


def test_broken_media_map_or_missing_file_gives_warnings(apkg, tmp_path):
    broken = import_apkg(rewrite_zip(apkg, tmp_path / "broken.apkg", replace={"media": b"{not json"}))
    assert len(broken.cards) == 5 and any("damaged" in w for w in broken.warnings)
    gone = import_apkg(rewrite_zip(apkg, tmp_path / "gone.apkg", drop={"0"}))
    assert gone.media == {} and any("not in the package" in w for w in gone.cards[0].warnings)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    not_png = import_apkg(rewrite_zip(apkg, tmp_path / "svg.apkg", replace={"0": svg}))
    assert not_png.media == {} and any("not a PNG" in w for w in not_png.cards[0].warnings)


def test_wal_mode_collection_still_opens(apkg, tmp_path):
    with zipfile.ZipFile(apkg) as zf:
        db = bytearray(zf.read("collection.anki2"))
    db[18:20] = b"\x02\x02"
    result = import_apkg(rewrite_zip(apkg, tmp_path / "wal.apkg", replace={"collection.anki2": bytes(db)}))
    assert len(result.cards) == 5


# --- packages made by Anki ----------------------------------------------------------------------------------------


def _anki_made(tmp_path, name="collection.anki2", media=None, extra_members=None):
    models = {
        "111": {"name": "Basic", "type": 0, "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}]},
        "222": {"name": "Cloze", "type": 1, "flds": [{"name": "Text", "ord": 0}, {"name": "Back Extra", "ord": 1}]},
        "333": {
            "name": "Vocab",
            "type": 0,
            "flds": [{"name": "Word", "ord": 0}, {"name": "Meaning", "ord": 1}, {"name": "Example", "ord": 2}],
        },
    }
    decks = {"1": {"name": "Default"}, "99": {"name": "Bio::Cells"}}
    notes = [
        (1, "guid-1", 111, " bio leech ", "What is a <i>cell</i>?&nbsp;\x1fThe unit of life<br>(smallest)"),
        (2, "guid-2", 222, " bio ", "The {{c1::mitochondrion}} makes ATP.\x1fpowerhouse"),
        (3, "guid-3", 222, "", "{{c1::DNA}} is read into {{c2::RNA::molecule}}\x1f"),
        (4, "guid-4", 111, "", 'Picture <img src="cell%20diagram.png">\x1f<img src="other.jpg"> answer [sound:a.mp3]'),
        (5, "guid-5", 333, "", "Zelle\x1fcell\x1fDie Zelle teilt sich."),
        (6, "guid-6", 111, "", "<div><br></div>\x1fempty front"),
        (7, "guid-7", 999, "", "unknown model front\x1fback"),
    ]
    cards = [(10 + nid, nid, 99) for nid, *_ in notes]
    db = make_collection(tmp_path / "col.sqlite", models=models, decks=decks, notes=notes, cards=cards)
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 20
    members = {name: db.read_bytes(), "0": png_bytes(), "1": jpeg}
    if media is not False:
        members["media"] = media if media is not None else json.dumps({"0": "cell diagram.png", "1": "other.jpg"})
    members.update(extra_members or {})
    return _zip(tmp_path / "anki.apkg", members)


def test_notes_of_an_anki_made_package(tmp_path):
    result = import_apkg(_anki_made(tmp_path))
    cards = {c.guid: c for c in result.cards}
    assert set(cards) == {"guid-1", "guid-2", "guid-3", "guid-4", "guid-5", "guid-7"}  # 6: empty front skipped
    one = cards["guid-1"]
    assert (one.card_type, one.front, one.back, one.tags, one.deck) == (
        "basic", "What is a cell?", "The unit of life\n(smallest)", ["bio", "leech"], "Bio::Cells"
    )  # fmt: skip
    two = cards["guid-2"]
    assert (two.card_type, two.front, two.back) == ("cloze", "The ____ makes ATP.", "mitochondrion\n\npowerhouse")
    three = cards["guid-3"]
    assert (three.card_type, three.front, three.back) == (
        "cloze", "{{c1::DNA}} is read into {{c2::RNA::molecule}}", "DNA; RNA"
    )  # fmt: skip
    four = cards["guid-4"]
    assert (four.front, four.back) == ("Picture", "answer")
    assert four.image_name == "cell diagram.png" and four.image == png_bytes()
    assert any("more than one image" in w for w in four.warnings)
    assert result.media == {"cell diagram.png": png_bytes()}  # only what the kept cards show
    five = cards["guid-5"]
    assert (five.front, five.back) == ("Zelle", "cell")
    assert cards["guid-7"].front == "unknown model front"
    assert any("empty front" in w for w in result.warnings)
    assert any("audio" in w for w in result.warnings)
    assert any("more fields" in w for w in result.warnings)


def test_anki21_preferred_and_limits(tmp_path):
    path = _anki_made(tmp_path, name="collection.anki21", extra_members={"collection.anki2": b"dummy"})
    assert len(import_apkg(path).cards) == 6
    with pytest.raises(AnkiImportError, match="more than the 3") as exc:
        import_apkg(path, max_notes=3)
    assert exc.value.code == "too_many"
    with pytest.raises(AnkiImportError, match="larger than 0.001 MB") as exc:
        import_apkg(path, max_bytes=1000)
    assert exc.value.code == "too_large"


# --- hostile or wrong files ---------------------------------------------------------------------------------------


def test_not_a_zip_and_zip_without_collection(tmp_path):
    (tmp_path / "x.apkg").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(AnkiImportError, match="not a zip") as exc:
        import_apkg(tmp_path / "x.apkg")
    assert exc.value.code == "not_apkg"
    with pytest.raises(AnkiImportError, match="no Anki collection") as exc:
        import_apkg(_zip(tmp_path / "y.apkg", {"hello.txt": b"hi", "media": b"{}"}))
    assert exc.value.code == "not_apkg"
    with pytest.raises(AnkiImportError, match="not an Anki database"):
        import_apkg(_zip(tmp_path / "z.apkg", {"collection.anki2": b"hello, not sqlite" * 20}))


def test_newer_anki_format_asks_for_legacy_export(tmp_path):
    path = _zip(
        tmp_path / "new.apkg", {"collection.anki2": b"x", "collection.anki21b": b"\x28\xb5\x2f\xfd", "meta": b""}
    )
    with pytest.raises(AnkiImportError, match="Support older Anki versions") as exc:
        import_apkg(path)
    assert exc.value.code == "unsupported_format"


def test_zip_bomb_is_refused_before_extracting(tmp_path, bomb):
    with pytest.raises(AnkiImportError, match="zip bomb") as exc:
        import_apkg(bomb)
    assert exc.value.code == "too_large"
    assert "200 MB" in exc.value.message
    # many members that are small one by one but too big together
    many = _zip(tmp_path / "many.apkg", {f"{i}": b"\x00" * 2_000_000 for i in range(5)})
    with pytest.raises(AnkiImportError, match="more than 5 MB"):
        import_apkg(many, max_uncompressed=5_000_000)


def test_member_lying_about_its_size_is_caught(tmp_path, bomb):
    path = tmp_path / "liar.apkg"
    data = bytearray(bomb.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        pos = data.find(signature)
        struct.pack_into("<I", data, pos + offset, 4096)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.infolist()[0].file_size == 4096
    with pytest.raises(AnkiImportError) as exc:
        import_apkg(path)
    assert exc.value.code in ("corrupt", "too_large", "not_apkg")


@pytest.mark.parametrize("evil", ["../evil.png", "/etc/cron.d/evil", "a/../../b", "..\\evil.png", "C:/evil"])
def test_path_traversal_member_is_refused(apkg, tmp_path, evil):
    path = rewrite_zip(apkg, tmp_path / "evil.apkg", add={evil: png_bytes()})
    with pytest.raises(AnkiImportError, match="unsafe file name") as exc:
        import_apkg(path)
    assert exc.value.code == "unsafe"
    assert not (tmp_path.parent / "evil.png").exists()


def test_damaged_collection(tmp_path):
    path = _zip(tmp_path / "d.apkg", {"collection.anki2": b"SQLite format 3\x00" + b"\xff" * 4000, "media": b"{}"})
    with pytest.raises(AnkiImportError, match="damaged"):
        import_apkg(path)


# --- isolation ----------------------------------------------------------------------------------------------------


def test_isolated_import_of_a_good_file(apkg, figure):
    result = import_apkg_isolated(apkg)
    assert len(result.cards) == 5
    assert result.cards[0].image == figure.read_bytes()
    assert result.media == {"fig_12.png": figure.read_bytes()}


def test_isolated_import_of_a_bomb_fails_cleanly(tmp_path, bomb):
    with pytest.raises(AnkiImportError, match="zip bomb") as exc:
        import_apkg_isolated(bomb)
    assert exc.value.code == "too_large"
    with pytest.raises(AnkiImportError, match="not a zip"):
        (tmp_path / "junk.apkg").write_bytes(b"junk")
        import_apkg_isolated(tmp_path / "junk.apkg")


def test_isolated_import_turns_a_timeout_into_a_clear_error(tmp_path, monkeypatch):
    from apps.flashcards.anki import apkg_import

    def slow(path, limits):
        import time

        time.sleep(30)

    monkeypatch.setattr(apkg_import, "_import_in_child", slow)
    with pytest.raises(AnkiImportError, match="longer than 1 seconds") as exc:
        import_apkg_isolated(tmp_path / "whatever.apkg", timeout_s=1)
    assert exc.value.code == "timeout"
