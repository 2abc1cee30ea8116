import base64
import io
import re
import socket
import time
import urllib.request

import pytest
from PIL import Image

from apps.lectures.pipeline import IngestError, Limits, detect_kind, extract
from apps.lectures.pipeline.html import MAX_WORDS_PER_PAGE, extract_html

from .conftest import fixture_path

DECKS = ("pdr_01-cpp", "pdr_02-lists", "pdr_03-numbers", "pdr_04-arrays-bigoh")
_cache: dict[str, list] = {}


def deck(name: str):
    """Pages of a pdr reveal.js deck through the public ``extract`` (thumbnails included), read once."""
    if name not in _cache:
        path = fixture_path(f"lectures/{name}.html")
        assert detect_kind(path) == "html"
        _cache[name] = extract(path, "html")
    return _cache[name]


def leaf_sections(html: str) -> int:
    """Independent count of reveal.js slides: <section> elements without a nested <section>, ignoring
    commented-out markup and script/textarea bodies (Markdown templates)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    html = re.sub(r"<(script|textarea)\b.*?</\1\s*>", "", html, flags=re.S | re.I)
    leaves, last_was_open = 0, False
    for m in re.finditer(r"<(/?)section\b", html, re.I):
        if m.group(1):
            leaves += last_was_open
            last_was_open = False
        else:
            last_was_open = True
    return leaves


def heading(page) -> str:
    return next((b.text for b in page.blocks if b.kind == "heading"), "")


def write(tmp_path, name: str, content) -> str:
    p = tmp_path / name
    p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return p


def png_data_uri(width=200, height=120) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# --------------------------------------------------------------------------------------------- reveal.js
@pytest.mark.parametrize("name", DECKS)
def test_one_page_per_leaf_slide(name):
    pages = deck(name)
    html = fixture_path(f"lectures/{name}.html").read_text(encoding="utf-8")
    assert len(pages) == leaf_sections(html)
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.method == "native" for p in pages)
    assert all(p.thumbnail and p.thumbnail.startswith(b"\x89PNG") for p in pages)
    with Image.open(io.BytesIO(pages[0].thumbnail)) as im:
        assert im.width > im.height  # slide-shaped (16:9) cards for decks


def test_hand_checked_page_counts():
    # pdr_02, read by hand: title, roadmap, contents, then vertical stacks of 6 (vector), 10 (templates),
    # 16 (stacks), 8 (queues), 9 (ADT lists), 4 (string) slides.
    pages = deck("pdr_02-lists")
    assert len(pages) == 3 + 6 + 10 + 16 + 8 + 9 + 4 == 56
    assert [heading(pages[i - 1]) for i in (4, 10, 20, 36, 44, 53)] == [
        "Standard Library: vector",
        "C++ Templates",
        "Stacks",
        "Queues",
        "Abstract Data Types: Lists",
        "Standard Library: string",
    ]
    # pdr_03 has 76 <section> leaves in the file, 3 of them inside an HTML comment (not slides)
    assert len(deck("pdr_03-numbers")) == 73
    assert len(deck("pdr_01-cpp")) == 122
    assert len(deck("pdr_04-arrays-bigoh")) == 58


def test_titles_on_the_right_page():
    pdr01, pdr02 = deck("pdr_01-cpp"), deck("pdr_02-lists")
    assert ("heading", "CS 2150 Roadmap") in [(b.kind, b.text) for b in pdr01[1].blocks]  # an HTML slide
    assert heading(pdr02[12]) == "Example, continued"  # a Markdown slide, page 13
    assert heading(pdr01[20]) == "Declaring mutually recursive functions"  # <br> inside <h2>
    first = [(b.kind, b.text) for b in pdr02[0].blocks]
    assert first[0] == ("heading", "CS 2150") and ("heading", "Lists (and a bit more C++)") in first


def test_code_keeps_lines_and_punctuation():
    # Markdown fence
    example = deck("pdr_02-lists")[12]
    code = next(b.text for b in example.blocks if "int main()" in b.text)
    assert code.startswith("#include <iostream>\n#include <vector>\n#include <string>\n")
    assert "int main() {\n  vector<int> v1(37);\n" in code and code.endswith("return 0;\n}")
    # HTML <pre><code> with entities
    swap = deck("pdr_01-cpp")[64]
    assert heading(swap) == "swap()"
    assert ("text", "void swap(int * x, int * y) {\n    int temp = *x;\n    *x = *y;\n    *y = temp;\n}") in [
        (b.kind, b.text) for b in swap.blocks
    ]
    hello = next(p for p in deck("pdr_01-cpp") if heading(p) == "Hello World: Java vs. C++")
    java_vs_cpp = '#include <iostream>\nusing namespace std;\nint main() {\n    cout << "Hello World"'
    assert any(java_vs_cpp in b.text for b in hello.blocks)


def test_markdown_slides_are_rendered():
    pdr02 = deck("pdr_02-lists")
    stl = next(p for p in pdr02 if heading(p) == "STL usage")
    assert "you can NOT use an STL data structure" in stl.text and "***" not in stl.text
    iterators = next(p for p in pdr02 if heading(p) == "Iterators")
    assert [b.kind for b in iterators.blocks] == ["heading", "list"]
    assert "- Nested type that represents position" in iterators.text  # *position*
    assert "STL's vector provides:" in iterators.text  # `vector`
    assert "Example (source code: findMax.cpp (src))" in pdr02[11].text  # links -> their text
    lists_adt = next(p for p in pdr02 if heading(p) == "Lists ADT")
    assert "A_0, A_1, A_2" in lists_adt.text  # A<sub>0</sub> in Markdown
    pdr04 = deck("pdr_04-arrays-bigoh")
    text = "\n".join(p.text for p in pdr04)
    assert "∈" in text and "Θ" in text and "&isin;" not in text and "&Theta;" not in text
    for name in DECKS:
        for page in deck(name):
            for block in page.blocks:
                assert "&nbsp;" not in block.text and "```" not in block.text
                assert not re.search(r"\[[^\]]+\]\([^)]*\)", block.text)  # [link](url)
                if block.kind == "heading":
                    assert not re.match(r"#{1,6}\s", block.text)  # ("## #define" is the title "#define")
                    assert "**" not in block.text
                if block.kind == "list":
                    assert not re.search(r"^\s*[*+] ", block.text, re.M)  # bullets normalised to "- "
    # inline HTML tables inside a Markdown template become table blocks
    deref = next(p for p in deck("pdr_01-cpp") if heading(p) == "Dereferencing and Assigning")
    table = next(b for b in deref.blocks if b.kind == "table")
    assert table.text.splitlines()[0] == "Variable | Address | Memory"
    assert ("text", "*x_pointer = 2;") in [(b.kind, b.text) for b in deref.blocks]


def test_no_script_or_chrome_leaks():
    for name in DECKS:
        text = "\n".join(p.text + "\n" + p.notes for p in deck(name))
        for leak in ("<script", "insertCanvas", "Reveal.initialize", "document.createElement", "text/template"):
            assert leak not in text, (name, leak)
        assert "<section" not in text and "<p class" not in text and "<div" not in text


def test_notes_separators_and_hidden_slides(tmp_path):
    html = f"""<!doctype html><html><head><script>var x = 1;</script></head><body>
<div class="reveal"><div class="slides">
  <section><h1>Intro</h1><p>Hello <img src="{png_data_uri()}"></p>
    <aside class="notes">Say <b>hi</b> first.</aside></section>
  <section data-markdown data-separator="^\\n---\\n$" data-separator-vertical="^\\n--\\n$">
    <script type="text/template">
    ## One
    - a *b*

    ---

    ## Two
    Note: spoken, not shown

    --

    ## Three
    | x | y |
    |---|---|
    | **1** | `2` |
    </script>
  </section>
  <section data-visibility="hidden"><h2>Hidden</h2></section>
  <section>
    <section><h2>Vertical A</h2><p>a</p></section>
    <section data-markdown><textarea data-template>
## Vertical B
<aside class="notes">aside inside Markdown</aside>
Body
---
still the same slide (no separator attribute)
</textarea></section>
  </section>
</div></div></body></html>"""
    pages = extract(write(tmp_path, "deck.html", html), "html")
    assert [heading(p) for p in pages] == ["Intro", "One", "Two", "Three", "Vertical A", "Vertical B"]
    assert pages[0].notes == "Say hi first." and "Say hi" not in pages[0].text
    assert [(f.width, f.height) for f in pages[0].figures] == [(200, 120)]  # inline data: image
    assert pages[1].blocks[1].text == "- a b"
    assert pages[2].notes == "spoken, not shown" and "spoken" not in pages[2].text
    assert ("table", "x | y\n1 | 2") in [(b.kind, b.text) for b in pages[3].blocks]
    assert pages[5].notes == "aside inside Markdown"
    assert "Body" in pages[5].text and "still the same slide" in pages[5].text
    assert "Hidden" not in "\n".join(p.text for p in pages)


def test_remote_resources_are_never_fetched(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    html = """<!DOCTYPE html SYSTEM "http://example.com/evil.dtd"><html><head>
<link rel="stylesheet" href="http://example.com/style.css"><script src="https://example.com/app.js"></script>
</head><body><div class="reveal"><div class="slides">
<section><h2>Remote things</h2><img src="http://example.com/figure.png"><img src="https://example.com/a.jpg">
<iframe src="http://example.com/embed"></iframe><p>Text stays.</p></section>
<section data-markdown="http://example.com/external.md"></section>
<section data-markdown><script type="text/template">## Markdown
![remote](http://example.com/b.png)
</script></section>
</div></div></body></html>"""
    pages = extract_html(write(tmp_path, "remote.html", html), Limits())
    assert [heading(p) for p in pages] == ["Remote things", "Markdown"]
    assert "Text stays." in pages[0].text
    assert all(not p.figures for p in pages)


# ------------------------------------------------------------------------------------------- plain HTML
def test_plain_html_notes(tmp_path):
    long_section = "<p>" + " ".join(f"word{i}" for i in range(7000)) + "</p>"
    html = f"""<!DOCTYPE html><html><head><title>Week 1 notes</title><style>p {{ color: red }}</style></head>
<body><nav><a href="/">Home</a> | <a href="/next">Next</a></nav>
<h1>Week 1</h1><h2>Overview</h2><p>Intro with &eacute; and <code>x &lt; y</code>.</p>
<h2>Lists</h2><ol><li>first</li><li>second<ul><li>nested <b>bold</b></li></ul></li></ol>
<h2>Code</h2><pre><code>int main() {{
    return 0;
}}</code></pre>
<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
<h2>Long</h2>{long_section}
<footer>Copyright footer</footer><script>alert("x")</script></body></html>"""
    path = write(tmp_path, "notes.html", html)
    assert detect_kind(path) == "html"
    pages = extract(path, "html")
    assert [heading(p) for p in pages[:3]] == ["Week 1", "Lists", "Code"]
    assert [(b.kind, b.text) for b in pages[0].blocks] == [
        ("heading", "Week 1"),
        ("heading", "Overview"),  # an h2 right after the h1 stays on its page
        ("text", "Intro with é and x < y."),
    ]
    assert pages[1].blocks[1] == pages[1].blocks[1].__class__("1. first\n2. second\n  - nested bold", "list")
    assert [(b.kind, b.text) for b in pages[2].blocks[1:]] == [
        ("text", "int main() {\n    return 0;\n}"),
        ("table", "a | b\n1 | 2"),
    ]
    long_pages = pages[3:]
    assert len(long_pages) == 3 and heading(long_pages[0]) == "Long"
    assert all(len(p.text.split()) <= MAX_WORDS_PER_PAGE + 1 for p in long_pages)
    assert sum(len(p.text.split()) for p in long_pages) == 7001
    text = "\n".join(p.text for p in pages)
    assert "Home" not in text and "Copyright" not in text and "alert" not in text and "color" not in text
    assert all(p.method == "native" for p in pages)
    with Image.open(io.BytesIO(pages[0].thumbnail)) as im:
        assert im.height > im.width  # document-shaped cards


def test_plain_html_without_headings_is_one_page_with_its_title(tmp_path):
    html = "<html><head><title>Handout</title></head><body><p>Just text.</p>"
    pages = extract(write(tmp_path, "p.htm", html), "html")
    assert [(b.kind, b.text) for p in pages for b in p.blocks] == [("heading", "Handout"), ("text", "Just text.")]


def test_nbconvert_notebook(tmp_path):
    code1 = (
        '<span class="k">for</span> <span class="n">i</span> <span class="ow">in</span> <span class="nb">range</span>'
        '<span class="p">(</span><span class="mi">3</span><span class="p">):</span>'
    )
    code2 = '<span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>'
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>loops</title>
<script src="https://scripts.example.org/require.min.js"></script><style>.jp-Cell {{}}</style></head>
<body class="jp-Notebook">
<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-Cell-inputWrapper">
 <div class="jp-InputPrompt jp-InputArea-prompt"></div>
 <div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" data-mime-type="text/markdown">
 <h1 id="Loops">Loops<a class="anchor-link" href="#Loops">&#182;</a></h1><p>A <code>for</code> loop repeats.</p>
</div></div></div>
<div class="jp-Cell jp-CodeCell jp-Notebook-cell"><div class="jp-Cell-inputWrapper"><div class="jp-InputArea">
 <div class="jp-InputPrompt jp-InputArea-prompt">In&nbsp;[1]:</div>
 <div class="jp-CodeMirrorEditor jp-Editor"><div class="highlight hl-ipython3"><pre><span></span>{code1}
    <span class="nb">print</span><span class="p">(</span><span class="n">i</span><span class="p">)</span>
</pre></div></div></div></div>
 <div class="jp-Cell-outputWrapper"><div class="jp-OutputArea">
  <div class="jp-OutputArea-child"><div class="jp-OutputPrompt jp-OutputArea-prompt">Out[1]:</div>
   <div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"><pre>0
1
2</pre></div></div>
  <div class="jp-OutputArea-child"><div class="jp-RenderedText jp-OutputArea-output"
   data-mime-type="application/vnd.jupyter.stderr"><pre>Traceback: boom</pre></div></div>
</div></div></div>
<div class="cell border-box-sizing code_cell rendered"><div class="input">
 <div class="prompt input_prompt">In&nbsp;[2]:</div>
 <div class="inner_cell"><div class="input_area"><div class="highlight hl-ipython3"><pre>{code2}
</pre></div></div></div></div></div>
</body></html>"""
    pages = extract(write(tmp_path, "nb.html", html), "html")
    assert len(pages) == 1
    assert [(b.kind, b.text) for b in pages[0].blocks] == [
        ("heading", "Loops"),
        ("text", "A for loop repeats."),
        ("text", "for i in range(3):\n    print(i)"),
        ("text", "0\n1\n2"),
        ("text", "x = 1"),
    ]
    assert "In [" not in pages[0].text and "Out[" not in pages[0].text and "¶" not in pages[0].text


# ---------------------------------------------------------------------------------------------- hostile
def _finishes(path, seconds=15, **limits):
    start = time.monotonic()
    try:
        result = extract(path, detect_kind(path), limits=Limits(**limits))
    except IngestError as exc:
        result = exc
    assert time.monotonic() - start < seconds
    return result


def test_ten_megabytes_of_nested_divs(tmp_path):
    head = b"<!doctype html><html><body><h1>Bomb</h1><p>survivor</p>"
    short = _finishes(write(tmp_path, "short.html", head + b"<div>" * 2_000_000))  # 10 MB, 2M tags
    assert isinstance(short, IngestError) and short.code == "too_much_memory"
    deep = _finishes(write(tmp_path, "deep.html", head + b'<div class="n">' * 700_000))  # 10.5 MB, 700k tags
    assert not isinstance(deep, IngestError)
    assert "survivor" in deep[0].text


def test_deep_nesting_in_a_slide_and_in_lists(tmp_path):
    html = (
        "<html><body><div class='reveal'><div class='slides'><section><h2>Deep</h2><p>kept</p>"
        + "<ul><li>" * 3000
        + "x"
        + "</li></ul>" * 3000
        + "</section></div></div></body></html>"
    )
    pages = _finishes(write(tmp_path, "deep.html", html))
    assert heading(pages[0]) == "Deep" and "kept" in pages[0].text


def test_unclosed_and_malformed_tags(tmp_path):
    html = b"<html><body><h1>Title<p>para <b>bold <i>it <ul><li>one<li>two"
    html += b"<table><tr><td>a<td>b<tr><td>c</table><pre>code;\n{x}"
    pages = _finishes(write(tmp_path, "bad.html", html))
    blocks = [(b.kind, b.text) for b in pages[0].blocks]
    assert blocks[0] == ("heading", "Title")
    assert ("list", "- one\n- two") in blocks and ("table", "a | b\nc") in blocks and ("text", "code;\n{x}") in blocks
    truncated = fixture_path("lectures/pdr_02-lists.html").read_bytes()[:12000]  # cut in the middle of a slide
    pages = _finishes(write(tmp_path, "cut.html", truncated))
    assert 5 <= len(pages) < 56


def test_ampersand_soup_and_entity_bomb(tmp_path):
    soup = b"<html><body><p>" + b"&amp;&&#&#x;&#99999999999;&lt;&bogus;&nbsp" * 50_000 + b"</p>"
    pages = _finishes(write(tmp_path, "soup.html", soup))
    assert "&bogus;" in pages[0].text and "<" in pages[0].text
    bomb = (
        b'<!DOCTYPE html [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><html><body><p>&d;&d;&d;&d; real text</p></body></html>'
    )
    pages = _finishes(write(tmp_path, "bomb.html", bomb))
    text = "\n".join(p.text for p in pages)
    assert "real text" in text and len(text) < 200 and "aaaa" not in text  # internal entities are never expanded


def test_page_limit_stops_cleanly(tmp_path):
    many = "<html><body>" + "<h2>Part</h2><p>text</p>" * 2000
    err = _finishes(write(tmp_path, "many.html", many), max_pages=50)
    assert isinstance(err, IngestError) and err.code == "too_many_pages"
    slides = "<div class='reveal'><div class='slides'>" + "<section><p>s</p></section>" * 1000 + "</div></div>"
    err = _finishes(write(tmp_path, "slides.html", "<html><body>" + slides), max_pages=100)
    assert isinstance(err, IngestError) and err.code == "too_many_pages"


def test_empty_and_binary_pages(tmp_path):
    for name, data in (("empty.html", b"<html><body>  </body></html>"), ("comment.html", b"<!-- x --><html></html>")):
        err = _finishes(write(tmp_path, name, data))
        assert isinstance(err, IngestError) and err.code == "no_text"
    pages = extract_html(write(tmp_path, "ctrl.html", b"<html><body><p>ok\x01\x02\x1b\x00 text</p>"))
    assert pages[0].text == "ok text"
