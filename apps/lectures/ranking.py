"""How the candidates of one search are scored and put in their final order (see retrieval.search).

* ``combined_scores``: every candidate (the nearest chunks by vector and the best full-text matches) gets
  VECTOR_WEIGHT x its cosine similarity to the question + PIECE_WEIGHT x the similarity of its closest piece
  (a bullet point or sentence pair with its own vector, pipeline/pieces.py; the chunk itself when it has none)
  + TEXT_WEIGHT x its full-text score (the mean of its share of the question's rarity and its rank relative
  to the best full-text match; 0 when the words do not match). Scores, not ranks, are combined: reciprocal rank
  fusion gave a passage that only the vectors found (a paraphrase with no shared word) 1/61 against 2/65 for
  one that both lists placed fifth, so a loose word match often outranked the page that answers; measured on
  bench/eval_retrieval.py (README "Retrieval quality").
* Overview pages (agenda, summary, section divider: pipeline/context.py) keep a share of their score, so the
  page that teaches a topic outranks the one that only names it.
* One hit per page: the best-ranked chunk of a page stands for it, so the k hits show k different pages.

A ranking by the similarity of the question to each candidate's slide title alone (MiniLM) was measured and
rejected: it lowered top-1 from 0.632 to 0.470; the title reaches the ranking through the chunk's embedding
text and its full-text weight instead. No SQL here; the candidates come from retrieval.py.
"""

from __future__ import annotations

from dataclasses import dataclass

RERANK_DEPTH = 30
OVERVIEW_WEIGHT = 0.5
DEDUPLICATE_PAGES = True
VECTOR_WEIGHT = 1.0
PIECE_WEIGHT = 1.0
TEXT_WEIGHT = 0.2


@dataclass(frozen=True)
class TextMatch:
    chunk_id: int
    rank: float  # retrieval.text_ids: IDF-weighted ts_rank_cd
    coverage: float  # the share of the question's rarity the chunk contains, 0-1


def combined_scores(distances: dict[int, tuple[float, float]], texts: list[TextMatch]) -> list[tuple[int, float]]:
    """(chunk id, score) best first. ``distances``: chunk id -> (cosine distance of the chunk, of its closest
    piece or itself), for every candidate when the search has a vector (else empty: full-text order alone)."""
    best_rank = max((t.rank for t in texts), default=0.0) or 1.0
    text = {t.chunk_id: 0.5 * t.coverage + 0.5 * t.rank / best_rank for t in texts}
    if not distances:
        return sorted(text.items(), key=lambda item: (-item[1], item[0]))
    scores = {
        cid: VECTOR_WEIGHT * (1 - whole) + PIECE_WEIGHT * (1 - piece) + TEXT_WEIGHT * text.get(cid, 0.0)
        for cid, (whole, piece) in distances.items()
    }
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


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
