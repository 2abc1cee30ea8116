"""The relevance cut-off of retrieval, calibrated for the embedding model in use.

A hit is on topic when its cosine distance to the question is at most a cut-off (see ``retrieval.relevant_hits``).
The right cut-off depends on the model: all-MiniLM-L6-v2 spreads its vectors widely (unrelated texts sit near
distance 1), other models crowd them into a narrow cone (unrelated texts at 0.3), so one constant would refuse
everything or nothing with another model.

The cut-off is measured from the model itself: ``PROBES`` pairs student questions with the passage that answers
them (most in other words), over many subjects. Embedded once per model id, they give two landmarks: the median
distance of a question to its own passage (on topic) and the median distance to the other passages (unrelated).
``REFERENCE_MAX_DISTANCE``, validated for MiniLM on real decks, sits at ``RELATIVE_POSITION`` of the way from the
first landmark to the second; every model gets the cut-off at that same relative place. Nothing here touches the
database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import numpy as np

from smartnotes import ai

log = logging.getLogger(__name__)

# Validated with all-MiniLM-L6-v2 on the shared fixture decks (see retrieval.RELEVANCE_MAX_DISTANCE).
REFERENCE_MAX_DISTANCE = 0.68
# MiniLM on PROBES: on-topic median 0.371, unrelated median 0.952; (0.68 - 0.371) / (0.952 - 0.371).
RELATIVE_POSITION = 0.532
# Below this gap between the landmarks the model does not tell related from unrelated text.
MIN_SEPARATION = 0.05

PROBES: tuple[tuple[str, str], ...] = (
    (
        "How do I convert a string to an integer?",
        "String conversions: int('42') returns the integer 42; float('3.5') returns a floating point number. "
        "Converting text that holds no number raises a ValueError.",
    ),
    (
        "Which operation is done first when a formula mixes + and *?",
        "Operator precedence rules: parentheses first, then exponentiation, then multiplication and division,"
        " then addition and subtraction, left to right.",
    ),
    (
        "What do mitochondria do?",
        "Mitochondria carry out cellular respiration: they turn glucose and oxygen into ATP, releasing carbon"
        " dioxide and water.",
    ),
    (
        "Why did the Roman Empire in the west fall?",
        "Decline of Rome: invasions by Germanic tribes, economic troubles, overreliance on mercenaries and "
        "political instability led to the collapse of the Western Empire in 476.",
    ),
    (
        "How can I find the slope of a curve at one point?",
        "The derivative f'(x) is the limit of (f(x+h) - f(x)) / h as h tends to zero; it gives the slope of "
        "the tangent line.",
    ),
    (
        "What happens to the price when demand goes up?",
        "Supply and demand: when demand rises and supply stays fixed, the equilibrium price increases.",
    ),
    (
        "What makes an XML document well-formed?",
        "XML well-formedness: exactly one root element, every start tag has a matching end tag, elements nest"
        " properly and attribute values are quoted.",
    ),
    (
        "How do I stop my program at a line to inspect variables?",
        "Debugging with breakpoints: set a breakpoint in gdb with break file.c:42, run the program, then "
        "print variables when it stops.",
    ),
    (
        "Why does an apple fall to the ground?",
        "Newton's law of universal gravitation: every mass attracts every other mass with a force "
        "proportional to the product of the masses.",
    ),
    (
        "How fast is binary search?",
        "Binary search halves the search interval at each step, so it runs in O(log n) time on a sorted array.",
    ),
    (
        "Who is the main character of the Danish tragedy about revenge?",
        "Hamlet, Prince of Denmark, seeks revenge on his uncle Claudius, who murdered his father and married "
        "his mother.",
    ),
    (
        "How does a vaccine train the immune system?",
        "Immunisation: a vaccine exposes the immune system to an antigen so that memory B and T cells respond"
        " quickly to a later infection.",
    ),
    (
        "How is the mean of some values computed?",
        "The arithmetic mean is the sum of the values divided by their count; the median is the middle value "
        "once sorted.",
    ),
    (
        "How do I keep only some rows of a table in SQL?",
        "The WHERE clause filters rows: SELECT name FROM students WHERE grade > 12 returns only the matching rows.",
    ),
    (
        "What gives plants their green colour?",
        "Chloroplasts contain chlorophyll, a pigment that absorbs red and blue light and reflects green light.",
    ),
    (
        "How do I repeat some code for every item of a list?",
        "A for loop iterates over a sequence: for item in items: print(item) runs the body once per element.",
    ),
    (
        "What are the steps of compiling a C program?",
        "Compilation translates source code into machine code: preprocessing, compiling to object files, then"
        " linking into an executable.",
    ),
    (
        "Why is the sky blue?",
        "Rayleigh scattering: shorter wavelengths of sunlight are scattered more strongly by the molecules of"
        " the atmosphere, so the sky looks blue.",
    ),
    (
        "How is a new law passed in parliament?",
        "Legislative procedure: a bill is introduced, debated and amended in committee, voted in both "
        "chambers, then signed into law.",
    ),
    (
        "How can I split a string at every comma?",
        "str.split(sep) returns a list of the parts of the string: 'a,b,c'.split(',') gives ['a', 'b', 'c'].",
    ),
    (
        "What is a hash table used for?",
        "Hash tables map keys to values: a hash function picks the bucket, so lookups and insertions take "
        "constant time on average.",
    ),
    (
        "When did the French Revolution begin?",
        "The French Revolution began in 1789 with the storming of the Bastille and ended the absolute "
        "monarchy of Louis XVI.",
    ),
    (
        "What is the difference between an acid and a base?",
        "Acids release hydrogen ions in water and have a pH below 7; bases accept them and have a pH above 7.",
    ),
    (
        "What does a neural network learn during training?",
        "Training a neural network adjusts its weights by gradient descent so that the loss on the training "
        "examples decreases.",
    ),
)

Embed = Callable[[Sequence[str]], np.ndarray]


def landmarks(embed: Embed, probes: Sequence[tuple[str, str]] = PROBES) -> tuple[float, float]:
    """(median on-topic distance, median unrelated distance) of ``probes`` under ``embed`` (texts → unit rows)."""
    questions = np.asarray(embed([q for q, _ in probes]), dtype=np.float64)
    passages = np.asarray(embed([p for _, p in probes]), dtype=np.float64)
    questions /= np.maximum(np.linalg.norm(questions, axis=1, keepdims=True), 1e-12)
    passages /= np.maximum(np.linalg.norm(passages, axis=1, keepdims=True), 1e-12)
    distances = 1.0 - questions @ passages.T
    on_topic = np.diag(distances)
    unrelated = distances[~np.eye(len(probes), dtype=bool)]
    return float(np.median(on_topic)), float(np.median(unrelated))


def calibrate(embed: Embed, probes: Sequence[tuple[str, str]] = PROBES) -> float:
    """The cut-off for the model behind ``embed``."""
    on_topic, unrelated = landmarks(embed, probes)
    if unrelated - on_topic < MIN_SEPARATION:
        log.warning(
            "the embedding model hardly separates related from unrelated text (median distances %.3f and %.3f): "
            "refusals will be unreliable",
            on_topic,
            unrelated,
        )
    return float(np.clip(on_topic + RELATIVE_POSITION * (unrelated - on_topic), 0.0, 2.0))


_lock = threading.Lock()
_by_model: dict[str, float] = {}


def max_distance(settings: ai.AISettings | None = None) -> float:
    """The cut-off for the configured embedding model, measured on first use and then kept per model id. When the
    probes cannot be embedded (endpoint down) the reference value is used, and measuring is tried again later."""
    model_id = ai.embedding_model_id(settings)
    value = _by_model.get(model_id)
    if value is not None:
        return value
    with _lock:
        value = _by_model.get(model_id)
        if value is None:
            try:
                value = calibrate(lambda texts: ai.embed_texts(list(texts), settings=settings))
            except ai.AIError as exc:
                log.warning("could not calibrate the relevance cut-off for %s: %r", model_id, exc)
                return REFERENCE_MAX_DISTANCE
            log.info("relevance cut-off for %s: %.3f", model_id, value)
            _by_model[model_id] = value
    return value


def forget() -> None:
    """Measure again on next use (tests, a model replaced under the same id)."""
    with _lock:
        _by_model.clear()
