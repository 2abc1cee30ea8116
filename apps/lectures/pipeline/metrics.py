"""Text-quality helpers (used by the tests and the benchmark script; cheap, numpy only)."""

from __future__ import annotations

import numpy as np


def normalise_ws(text: str) -> str:
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Exact edit distance, O(len(a)*len(b)) time but vectorised per row (fast for a few thousand chars)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    offsets = np.arange(len(b) + 1, dtype=np.int64)
    prev = offsets.copy()
    for i, ch in enumerate(a, start=1):
        cost = (bb != ord(ch)).astype(np.int64)
        row = np.empty_like(prev)
        row[0] = i
        row[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)  # deletion, substitution
        # insertions: row[j] = min_k<=j row[k] + (j - k)
        row = np.minimum.accumulate(row - offsets) + offsets
        prev = row
    return int(prev[-1])


def cer(hypothesis: str, truth: str) -> float:
    """Character error rate after whitespace normalisation: edit distance / len(truth)."""
    h, t = normalise_ws(hypothesis), normalise_ws(truth)
    return levenshtein(h, t) / max(1, len(t))
