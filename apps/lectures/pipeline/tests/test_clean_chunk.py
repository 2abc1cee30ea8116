from apps.lectures.pipeline import Block, Figure, Page, chunk_pages, clean_pages
from apps.lectures.pipeline.chunking import estimate_tokens


def _deck(n=6):
    pages = []
    for i in range(1, n + 1):
        pages.append(
            Page(
                number=i,
                method="text",
                blocks=[
                    Block("Physics 101 — Spring term", "text"),  # running header
                    Block(f"Topic {i}", "heading"),
                    Block("- first point\n- second point", "list"),  # same list on every slide: not at an edge
                    Block(f"Body text for slide {i} about energy.\nThe result is\n{i * 7}", "text"),
                    Block(f"Dr. Smith · University of Somewhere · slide {i + 1}", "text"),  # running footer
                    Block(f"{i} / {n}" if i % 2 else str(i), "text"),  # slide number
                ],
                figures=[Figure(1, b"\x89PNG...", 100, 100)] if i == 2 else [],
            )
        )
    return pages


def test_clean_pages_drops_running_header_footer_and_numbers():
    pages = _deck()
    cleaned = clean_pages(pages)
    assert len(cleaned) == len(pages)
    for before, after in zip(pages, cleaned, strict=True):
        assert after.number == before.number
        text = after.text
        assert "Physics 101" not in text
        assert "Dr. Smith" not in text
        assert not any(b.text.strip() in (str(after.number), f"{after.number} / 6") for b in after.blocks)
        # content (incl. a number that is not the page number) and block kinds survive
        assert f"Topic {after.number}" in text and f"{after.number * 7}" in text
        assert [b.kind for b in after.blocks] == ["heading", "list", "text"]
    assert cleaned[1].figures and cleaned[1].figures[0].width == 100
    assert "Physics 101" in pages[0].text  # input not modified


def test_clean_pages_explicit_page_labels_and_small_docs():
    pages = [
        Page(number=1, blocks=[Block("Intro\nPage 1 of 2", "text")]),
        Page(number=2, blocks=[Block("Slide 2\nMore", "text")]),
    ]
    cleaned = clean_pages(pages)
    assert cleaned[0].text == "Intro" and cleaned[1].text == "More"
    # two pages are too few to call a repeated line a footer
    pages = [Page(number=i, blocks=[Block("Same line", "text"), Block(f"Unique {i}", "text")]) for i in (1, 2)]
    assert [p.text for p in clean_pages(pages)] == [p.text for p in pages]


def test_chunks_stay_within_pages_and_overlap():
    words = [f"w{i}" for i in range(1200)]
    long_text = "\n".join(" ".join(words[i : i + 12]) for i in range(0, 1200, 12))
    pages = [
        Page(number=1, blocks=[Block("Big title", "heading"), Block(long_text, "text")]),
        Page(number=2, blocks=[Block("- a\n- b\n- c", "list")], notes="Remember to mention the exam."),
        Page(number=3, blocks=[]),
        Page(number=4, blocks=[Block("x | y\n1 | 2", "table"), Block("short note", "text")]),
    ]
    chunks = chunk_pages(pages, target_tokens=500, overlap_tokens=60)
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    page1 = [c for c in chunks if c.page == 1]
    assert len(page1) >= 3
    for c in page1:
        assert estimate_tokens(c.text) <= 520
        assert all(w.startswith("w") or w in ("Big", "title") for w in c.text.split())
    # consecutive chunks of a page overlap by roughly overlap_tokens
    for a, b in zip(page1, page1[1:], strict=False):
        tail = a.text.split()[-30:]
        assert " ".join(tail[-10:]) in b.text
        shared = len(set(a.text.split()) & set(b.text.split()))
        assert 20 <= shared <= 80
    # every word of the page is in some chunk
    covered = set(" ".join(c.text for c in page1).split())
    assert set(words) <= covered
    # a small page is one chunk; speaker notes are a separate chunk of the same page
    page2 = [c for c in chunks if c.page == 2]
    assert [c.content_type for c in page2] == ["list", "text"]
    assert page2[1].text == "Speaker notes: Remember to mention the exam."
    assert not [c for c in chunks if c.page == 3]
    page4 = [c for c in chunks if c.page == 4]
    assert len(page4) == 1 and page4[0].content_type == "table"


def test_chunk_long_single_line_and_no_spaces():
    blob = "x" * 20000
    chunks = chunk_pages([Page(number=7, blocks=[Block(blob, "text")])], target_tokens=500, overlap_tokens=60)
    assert len(chunks) > 5
    assert all(c.page == 7 and estimate_tokens(c.text) <= 520 for c in chunks)
