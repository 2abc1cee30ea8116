import zipfile

import pytest

from apps.lectures.pipeline import IngestError, detect_kind

from .conftest import fixture_path

EXPECTED = {
    "lectures/py4e_Pythonlearn-02-Expressions.pdf": "pdf",
    "lectures/py4e_Pythonlearn-02-Expressions.pptx": "pptx",
    "lectures/scicomp_lectures_tut_2018_5.pdf": "pdf",
    "lectures/grobol_xml-slides.pdf": "pdf",
    "lectures/grobol_xml-slides.qmd": "markdown",
    "lectures/gjbex_debugging.pptx": "pptx",
    "scans/tess_phototest.tif": "image",
    "scans/tess_phototest.pdf": "pdf",
    "scans/tess_phototest.txt": "text",
    "scans/tess_eurotext.tif": "image",
    "scans/tess_eurotext.txt": "text",
    "scans/tess_8087_054.3B.tif": "image",
    "scans/tess_8087_054.3B.pdf": "pdf",
    "scans/tess_8087_054.3B.txt": "text",
    "scans/tess_8087_054.3B.uzn": "text",
    "scans/ocrmypdf_linn.pdf": "pdf",
    "scans/ocrmypdf_linn.txt": "text",
    "scans/ocrmypdf_skew.pdf": "pdf",
    "scans/ocrmypdf_cardinal.pdf": "pdf",
    "hostile/ocrmypdf_invalid.pdf": "pdf",
    "hostile/pdfjs_bug1250079.pdf": "pdf",
    "hostile/pdfjs_poppler-937-0-fuzzed.pdf": "pdf",
    "hostile/pdfjs_Pages-tree-refs.pdf": "pdf",
    "hostile/pdfjs_bomb_giant.pdf": "pdf",
    "hostile/ocrmypdf_hugemono.pdf": "pdf",
    "hostile/ocrmypdf_skew-encrypted.pdf": "pdf",
    "hostile/ocrmypdf_encrypted_algo4.pdf": "pdf",
    "hostile/ocrmypdf_type3_font_nomapping.pdf": "pdf",
    "hostile/pythonpptx_missing_rels_item.pptx": "pptx",
    "lectures/pdr_01-cpp.html": "html",
    "lectures/pdr_02-lists.html": "html",
    "lectures/pdr_03-numbers.html": "html",
    "lectures/pdr_04-arrays-bigoh.html": "html",
    "exams/pdr_exam1-f21.pdf": "pdf",
    "transcripts/py4e_ch2_part1.srt": "transcript",
    "transcripts/py4e_ch2_part2.srt": "transcript",
}


@pytest.mark.parametrize("rel,kind", sorted(EXPECTED.items()))
def test_detect_every_fixture(rel, kind):
    assert detect_kind(fixture_path(rel)) == kind


def test_every_fixture_is_covered(fixtures):
    on_disk = {str(p.relative_to(fixtures)) for p in fixtures.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk <= set(EXPECTED), f"new fixtures without a detect_kind expectation: {on_disk - set(EXPECTED)}"


def test_extension_does_not_matter(tmp_path, fixtures):
    fake = tmp_path / "slides.pptx"
    fake.write_bytes((fixtures / "lectures/grobol_xml-slides.pdf").read_bytes())
    assert detect_kind(fake) == "pdf"
    img = tmp_path / "notes.pdf"
    img.write_bytes((fixtures / "scans/tess_phototest.tif").read_bytes())
    assert detect_kind(img) == "image"


@pytest.mark.parametrize(
    "name,data",
    [
        ("junk.bin", bytes(range(256)) * 20),
        ("junk.txt", b"\x00\x01\x02binary\x00junk" * 100),
        ("latin1.md", "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1") * 20),
        ("empty.txt", b""),
        ("old.ppt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("fake.zip", b"PK\x03\x04" + b"\x13\x37" * 300),
        ("elf", b"\x7fELF\x02\x01\x01" + b"\x00" * 500),
    ],
)
def test_junk_is_unsupported(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(IngestError) as exc:
        detect_kind(p)
    assert exc.value.code == "unsupported"
    assert exc.value.message


def test_zip_that_is_not_office(tmp_path):
    p = tmp_path / "archive.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(IngestError) as exc:
        detect_kind(p)
    assert exc.value.code == "unsupported"


def test_markdown_vs_text_by_extension(tmp_path):
    for name, kind in (("a.md", "markdown"), ("b.qmd", "markdown"), ("c.txt", "text"), ("d", "text")):
        p = tmp_path / name
        p.write_text("# Title\n\nSome *text* with ünïcode.\n", encoding="utf-8")
        assert detect_kind(p) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b"\xef\xbb\xbf\n  <!-- generated -->\n<HTML lang='en'><p>x</p>",
        b"<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0//EN' 'x'>\n<html>",
        b"<section data-markdown><script type='text/template'>## Slide</script></section>",
        b"<body><p>fragment</p></body>",
        "\ufeff<html><body>wide</body></html>".encode("utf-16-le"),
    ],
)
def test_html_by_content(tmp_path, data):
    p = tmp_path / "page.txt"  # the extension does not matter
    p.write_bytes(data)
    assert detect_kind(p) == "html"


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("notes.md", b"# Title\n\nSome <b>inline</b> HTML and <html> later.\n", "markdown"),
        ("late.txt", b" " * 1100 + b"<html><body>too late</body></html>", "text"),
        ("htmlx.txt", b"<htmlish>not a tag we know</htmlish>", "text"),
        ("open-comment.txt", b"<!-- never closed " + b"x" * 2000 + b"<html>", "text"),
    ],
)
def test_not_html(tmp_path, name, data, kind):
    p = tmp_path / name
    p.write_bytes(data)
    assert detect_kind(p) == kind


def test_binary_after_html_tag_is_not_html(tmp_path):
    p = tmp_path / "junk.html"
    p.write_bytes(b"<html>" + bytes(range(1, 256)) * 20)
    with pytest.raises(IngestError) as exc:
        detect_kind(p)
    assert exc.value.code == "unsupported"
