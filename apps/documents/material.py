"""What a document is made from, read from the database into the generation module's plain data."""

from apps.lectures import retrieval
from apps.lectures.models import Figure, Lecture, LecturePage
from smartnotes.generation import offline
from smartnotes.generation.types import FigureRef, Material, Passage

ANSWER_PASSAGES = 6
QUERY_HITS = 8  # of each query's ranking, fused with the others
SYMBOL_HITS = 2
HEADING_MAX_CHARS = 90


def _blocks(page: LecturePage, lecture: Lecture) -> list[Passage]:
    """A page's paragraphs in order; a short first paragraph is the page's title."""
    passages = []
    for i, block in enumerate(b.strip() for b in page.text.split("\n\n")):
        if not block:
            continue
        kind = "heading" if i == 0 and len(block) <= HEADING_MAX_CHARS and "\n" not in block else "text"
        passages.append(Passage(page.number, block, kind, lecture.pk, lecture.name))
    return passages


def lecture_material(lecture: Lecture) -> Material:
    pages = list(LecturePage.objects.filter(lecture=lecture).order_by("number").only("number", "text"))
    passages = [p for page in pages for p in _blocks(page, lecture)]
    figures = [
        FigureRef(page=f.page, path=f.image.path, width=f.width, height=f.height, caption=f.caption)
        for f in Figure.objects.filter(lecture=lecture).order_by("page", "index")
        if f.image
    ]
    return Material(
        title=lecture.name,
        passages=passages,
        figures=figures,
        page_texts={page.number: page.text for page in pages},
    )


def passages_for_question(owner, subject_id: int, question: str) -> list[Passage]:
    """The subject's lecture passages that look relevant to one exam question, best first (exams themselves
    are never indexed, so they cannot answer themselves).

    The question is searched for as written, without its boilerplate (marks, "Briefly,", "Show your work!",
    code) and sentence by sentence, so each part of a long question finds the page it is about. Only hits that
    retrieval's calibrated relevance keeps count, and the rankings of the several searches are fused by
    reciprocal rank.
    """
    asks = offline.question_asks(question)
    queries = list(dict.fromkeys(q for q in (question.strip(), " ".join(asks), *asks) if q))
    symbols = offline.question_symbols(" ".join(asks) or question)
    scores: dict[int, float] = {}
    found: dict[int, retrieval.Hit] = {}
    for query in queries:
        hits = retrieval.relevant_hits(
            retrieval.search(owner, query, subject_id=subject_id, k=retrieval.CANDIDATES, fusion="ranks")
        )
        kept = hits[:QUERY_HITS]
        if symbols:
            kept += [h for h in hits[QUERY_HITS:] if offline.mentions_symbol(h.text, symbols)][:SYMBOL_HITS]
        for hit in kept:
            rank = hits.index(hit) + 1
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (retrieval.RRF_K + rank)
            found.setdefault(hit.chunk_id, hit)
    ranked = sorted(scores, key=lambda cid: (-scores[cid], cid))
    best = ranked[:ANSWER_PASSAGES]
    if symbols and not any(offline.mentions_symbol(found[cid].text, symbols) for cid in best):
        # Embeddings hardly see a named call or operator ("push_back()", "//"), and an answer has to come from
        # notes that name it: the best passages that do take the last places.
        naming = [cid for cid in ranked[ANSWER_PASSAGES:] if offline.mentions_symbol(found[cid].text, symbols)]
        if naming:
            best = best[: ANSWER_PASSAGES - len(naming[:SYMBOL_HITS])] + naming[:SYMBOL_HITS]
    pages = _page_texts([found[cid] for cid in best])
    return [_passage(found[cid], pages.get((found[cid].lecture_id, found[cid].page), "")) for cid in best]


def _page_texts(hits: list[retrieval.Hit]) -> dict[tuple[int, int], str]:
    wanted = {(h.lecture_id, h.page) for h in hits}
    rows = LecturePage.objects.filter(lecture_id__in={lid for lid, _ in wanted}, number__in={n for _, n in wanted})
    return {(r.lecture_id, r.number): r.text for r in rows.only("lecture_id", "number", "text")}


def _passage(hit: retrieval.Hit, page_text: str) -> Passage:
    """The hit as a passage, with the paragraph breaks of its page back (a chunk joins the page's blocks with
    single newlines, which would run a title, its bullets and a code sample together)."""
    blocks = [b.strip() for b in page_text.split("\n\n") if b.strip()]
    kept = [b for b in blocks if b in hit.text]
    text = "\n\n".join(kept) if sum(len(b) for b in kept) >= 0.8 * len(hit.text.strip()) else hit.text
    return Passage(hit.page, text, hit.content_type, hit.lecture_id, hit.lecture_name)
