from apps.lectures.pipeline import IngestError, extract
from apps.lectures.pipeline.text_formats import parse_markdown, parse_text

from .conftest import fixture_path


def test_quarto_slides():
    pages = extract(fixture_path("lectures/grobol_xml-slides.qmd"), "markdown")
    assert len(pages) > 20
    assert all(p.method == "native" and p.thumbnail.startswith(b"\x89PNG") for p in pages)
    text = "\n".join(p.text for p in pages)
    assert "format:" not in text and "revealjs" not in text  # YAML front matter stripped
    assert pages[0].blocks[0] == pages[0].blocks[0].__class__("Décrire et manipuler un document numérique", "heading")
    intro = next(p for p in pages if p.blocks and p.blocks[0].text == "Introduction")
    assert [b.kind for b in intro.blocks][:3] == ["heading", "text", "list"]
    # a page per '---' slide and per #/## heading; code blocks stay text
    assert any(b.kind == "text" and "<address>" in b.text for p in pages for b in p.blocks)
    assert not any(b.text.strip() == "" for p in pages for b in p.blocks)


def test_markdown_blocks_and_pages():
    md = """---
title: Demo
---

# Part one

Intro paragraph
over two lines.

- item one
- item two
  continued

| a | b |
|---|---|
| 1 | 2 |

Second part
-----------

```python
print("# not a heading")
```

::: {.notes}
Say hello.
:::

---

### Sub heading stays on the slide

1. numbered
"""
    pages = parse_markdown(md)
    assert len(pages) == 4
    assert [(b.kind, b.text) for b in pages[0].blocks] == [("heading", "Demo")]
    p1 = [(b.kind, b.text) for b in pages[1].blocks]
    assert p1 == [
        ("heading", "Part one"),
        ("text", "Intro paragraph\nover two lines."),
        ("list", "- item one\n- item two\n  continued"),
        ("table", "a | b\n1 | 2"),
    ]
    assert [(b.kind, b.text) for b in pages[2].blocks] == [
        ("heading", "Second part"),
        ("text", 'print("# not a heading")'),
    ]
    assert pages[2].notes == "Say hello."
    assert [b.kind for b in pages[3].blocks] == ["heading", "list"]


def test_plain_text_pages():
    text = "\n".join(f"line {i}" + ("\n" if i % 10 == 0 else "") for i in range(150))
    pages = parse_text(text)
    assert len(pages) >= 3
    assert all(len(p.text.split("\n")) <= 80 for p in pages)
    ff = parse_text("first page\f- a\n- b\f\fthird")
    assert [p.text for p in ff] == ["first page", "- a\n- b", "third"]
    assert ff[1].blocks[0].kind == "list"


def test_text_fixture(fixtures):
    pages = extract(fixtures / "scans/ocrmypdf_linn.txt", "text")
    assert pages and "LinnSequencer" in pages[0].text


def test_empty_markdown_is_no_text(tmp_path):
    p = tmp_path / "empty.md"
    p.write_text("---\nfoo: bar\n---\n\n\n", encoding="utf-8")
    try:
        extract(p, "markdown")
    except IngestError as exc:
        assert exc.code == "no_text"
    else:
        raise AssertionError("expected no_text")
