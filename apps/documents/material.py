"""What a document is made from, read from the database into the generation module's plain data."""

from apps.lectures import retrieval
from apps.lectures.models import Figure, Lecture, LecturePage
from smartnotes.generation import offline
from smartnotes.generation.types import FigureRef, Material, Passage

ANSWER_PASSAGES = 6
QUERY_HITS = 8  # per query, before the queries' rankings are fused
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

    The question is searched for without its boilerplate (marks, "Briefly,", "Show your work!", code), as a
    whole and sentence by sentence, so a long multi-part question still finds the page each part is about;
    only the hits retrieval judges on topic count, and the rankings are fused like retrieval fuses its own.
    """
    asks = offline.question_asks(question)
    queries = [" ".join(asks), *asks] if len(asks) > 1 else asks or [question]
    scores: dict[int, float] = {}
    found: dict[int, retrieval.Hit] = {}
    for query in queries:
        hits = retrieval.relevant_hits(retrieval.search(owner, query, subject_id=subject_id, k=QUERY_HITS))
        for rank, hit in enumerate(hits, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (retrieval.RRF_K + rank)
            found.setdefault(hit.chunk_id, hit)
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))[:ANSWER_PASSAGES]
    return [_passage(found[cid]) for cid in best]


def _passage(hit: retrieval.Hit) -> Passage:
    return Passage(hit.page, hit.text, hit.content_type, hit.lecture_id, hit.lecture_name)
