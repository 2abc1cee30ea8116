"""The second ranking stage over the fused candidates of one search (see retrieval.search).

* Overview pages (agenda, summary, section divider: pipeline/context.py) keep a share of their score, so the
  page that teaches a topic outranks the one that only names it.
* One hit per page: the best-ranked chunk of a page stands for it, so the k hits show k different pages.

A third ranking by the similarity of the question to each candidate's slide title alone (MiniLM) was measured
on bench/eval_retrieval.py and rejected: it lowered top-1 from 0.632 to 0.470 (0.573 at a third of the weight);
the title reaches the ranking through the chunk's embedding text and its full-text weight instead.
Ranking the fused candidates once more by their best piece (a bullet point or sentence pair with its own
vector, pipeline/pieces.py) as a third RRF ranking was measured and kept (README "Retrieval quality"); the
pieces' distances come from retrieval.piece_distances.
No SQL here; the candidates come from retrieval.py.
"""

from __future__ import annotations

from dataclasses import dataclass

RERANK_DEPTH = 30
OVERVIEW_WEIGHT = 0.5
DEDUPLICATE_PAGES = True
RANK_BY_PIECES = True


@dataclass
class Candidate:
    chunk_id: int
    lecture_id: int
    page: int
    title: str
    is_overview: bool
    score: float


def rerank(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates (best fused score first) in their final order."""
    head, tail = candidates[:RERANK_DEPTH], candidates[RERANK_DEPTH:]
    for candidate in head:
        if candidate.is_overview:
            candidate.score *= OVERVIEW_WEIGHT
    ranked = sorted(head, key=lambda c: (-c.score, c.chunk_id)) + tail
    if not DEDUPLICATE_PAGES:
        return ranked
    seen, unique = set(), []
    for candidate in ranked:
        key = (candidate.lecture_id, candidate.page)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique
