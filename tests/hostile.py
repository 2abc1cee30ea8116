"""Hostile text for every input of the site: the kinds of string a broken or malicious client sends.

``UNSTORABLE`` values (NUL, a lone surrogate) can never be stored and must get a clear 4xx from the input-hygiene
middleware (apps/core/hygiene.py); ``STORABLE`` ones (bidi overrides, emoji, 10 000 characters) are legal text and
must be stored or refused with a 4xx, never a 5xx. ``hostile_text()`` is the hypothesis strategy drawing more of
both kinds around generated text; each field gets the fixed values plus a few drawn ones.
"""

import os

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

NUL = "\x00"
SURROGATE = "\ud83d"  # the first half of an emoji's UTF-16 pair, alone
RLO, RLM = "\u202e", "\u200f"  # right-to-left override, right-to-left mark
EMOJI = "📚🧬👩🏽‍🔬🏳️‍🌈"
LONG = 10_000

UNSTORABLE = {"nul": f"a{NUL}b", "surrogate": f"x{SURROGATE}y"}
STORABLE = {
    "bidi": f"{RLO}txt.exe{RLM} {RLO}evil",
    "emoji": f"{EMOJI} notes",
    "long": (f"{RLO}{EMOJI}{RLM}" + "lorem ipsum " * LONG)[:LONG],
}
FIXED = {**UNSTORABLE, **STORABLE}
# Values drawn by hypothesis per field on top of the fixed ones (raise it locally to search harder).
DRAWN_PER_FIELD = int(os.environ.get("HOSTILE_EXAMPLES", "2"))

_hostile_char = st.sampled_from([NUL, SURROGATE, RLO, RLM, "\u200d", "\ufeff", *EMOJI])


@st.composite
def hostile_text(draw) -> str:
    """Generated text with at least one hostile character in it, sometimes padded to LONG characters."""
    head = draw(st.text(max_size=12))
    tail = draw(st.text(max_size=12))
    middle = "".join(draw(st.lists(_hostile_char, min_size=1, max_size=4)))
    text = head + middle + tail
    if draw(st.booleans()):
        text = (text * (LONG // max(len(text), 1) + 1))[:LONG]
    return text


def for_each_value(check) -> None:
    """``check(value)`` for every fixed value (as hypothesis examples) and DRAWN_PER_FIELD drawn ones; a failure
    is reported with the value that failed. Derandomized, so CI runs the same values every time."""

    def test(value):
        check(value)

    test = given(hostile_text())(test)
    for value in FIXED.values():
        test = example(value)(test)
    settings(
        max_examples=max(DRAWN_PER_FIELD, 1),
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate] if DRAWN_PER_FIELD else [Phase.explicit],
        suppress_health_check=list(HealthCheck),
    )(test)()


def is_unstorable(value: str) -> bool:
    return NUL in value or any("\ud800" <= ch <= "\udfff" for ch in value)
