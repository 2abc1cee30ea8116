"""Flashcards: offline on a real lecture (py4e chapter 2) and on small synthetic texts, and the model-backed
path against the fake OpenAI server (no database)."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest

from smartnotes.generation import cards as cards_module
from smartnotes.generation import extractive as ex
from smartnotes.generation import validation
from smartnotes.generation.cards import (
    DIAGRAM_FRONT,
    card_key,
    card_problems,
    cloze_problem,
    cloze_terms,
    make_cards,
    offline_cards,
    unclozed,
)
from smartnotes.generation.errors import GenerationError
from smartnotes.generation.make import FALLBACK_NOTICE
from smartnotes.generation.schemas import CardsReply
from smartnotes.generation.types import CardDraft, FigureRef, Material, Passage


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.fixture
def no_model(monkeypatch):
    """No model endpoint: make_cards takes the offline path."""
    from tests.fake_openai.fixtures import reset_ai_caches

    for name in ("OPENAI_BASE_URL", "CHAT_MODEL", "GENERATION_MODEL"):
        monkeypatch.delenv(name, raising=False)
    reset_ai_caches()
    yield
    reset_ai_caches()


@pytest.fixture(scope="module")
def deck(py4e) -> list[CardDraft]:
    return offline_cards(py4e, n=30, seed=3)


# --- offline on py4e -----------------------------------------------------------------------------------


def _key_words(text: str) -> set[str]:
    return {w.lower() for w in ex.words(text) if len(w) > 3 and w.lower() not in ex.STOPWORDS}


def _said_on(text: str, page_text: str) -> bool:
    """The text is on the page: literally (give or take case and spacing), or every content word of it."""
    page = _squash(page_text)
    return _squash(text) in page or bool(_key_words(text)) and all(w in page for w in _key_words(text))


def test_deck_has_n_cards_of_mixed_kinds(deck):
    assert len(deck) == 30
    kinds = Counter(c.card_type for c in deck)
    assert set(kinds) == {"basic", "cloze", "multiple_choice"}
    assert min(kinds.values()) >= 5, kinds
    assert [c.page for c in deck] == sorted(c.page for c in deck)  # in the order of the lecture


def test_every_card_cites_a_real_page_that_says_its_answer(py4e, deck):
    for card in deck:
        assert card.page in py4e.page_texts, card
        page = py4e.page_texts[card.page]
        assert _said_on(card.back, page), card
        if card.card_type == "cloze":
            assert _said_on(unclozed(card.front), page), card
        assert card_problems(card, py4e.page_texts) == [], card


def test_definitions_become_basic_cards(deck):
    basic = {c.front: c.back for c in deck if c.card_type == "basic"}
    assert basic["What is a variable?"].startswith("A named place in the memory")
    assert "What are constants?" in basic and "What is operator precedence?" in basic
    for back in basic.values():
        assert len(back.split()) <= cards_module.MAX_BACK_WORDS


def test_cloze_blanks_are_key_terms(deck):
    clozes = [c for c in deck if c.card_type == "cloze"]
    assert len(clozes) >= 8
    for card in clozes:
        assert cloze_problem(card.front) is None, card
        terms = set(cloze_terms(card.front))
        assert len(terms) == 1, card  # one fact: one term (every occurrence of it)
        term = terms.pop()
        assert term == card.back
        assert term.lower() not in ex.STOPWORDS and term.lower() not in validation.STOPWORDS, card
        assert not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", term), card
        if term.isalpha():
            assert len(term) > 2, card
        assert term.lower() != "python", card  # the lecture's subject is no answer
        left = [w for w in ex.words(cards_module.CLOZE_RE.sub(" ", card.front)) if w.lower() not in ex.STOPWORDS]
        assert len(left) >= 3, card
    assert any(c.back == "reserved words" for c in clozes)


def test_multiple_choice_has_four_distinct_options_with_the_answer(deck):
    mcq = [c for c in deck if c.card_type == "multiple_choice"]
    assert len(mcq) >= 5
    for card in mcq:
        assert len(card.options) == 4, card
        assert len({o.lower() for o in card.options}) == 4, card
        assert card.back in card.options, card
        kinds = {cards_module.offline._kind(o) for o in card.options}
        assert len(kinds) == 1, card  # distractors of the same kind as the answer
    positions = Counter(c.options.index(c.back) for c in mcq)
    assert max(positions.values()) - min(positions.get(i, 0) for i in range(4)) <= 1


def test_repl_results_are_verified(deck):
    repl = [c for c in deck if c.front.startswith("In Python, what does print(")]
    assert repl
    for card in repl:
        expression = re.match(r"In Python, what does print\((.+)\) display\?", card.front).group(1)
        assert str(eval(expression)) == card.back  # noqa: S307 - literal arithmetic from the slide


def test_no_two_cards_share_a_key(deck):
    keys = [c.key for c in deck]
    assert all(keys) and len(set(keys)) == len(keys)
    for card in deck:
        assert card.key == card_key(card.front, card.back)
    facts = [cards_module._fact(c.front) for c in deck if c.card_type == "cloze"]
    assert len(set(facts)) == len(facts)  # one card per sentence


def test_regenerating_never_repeats_existing_cards(py4e, deck):
    kept = {c.key for c in deck[::2]}  # the student kept every other card
    again = offline_cards(py4e, n=30, seed=4, existing_keys=kept)
    assert again
    assert not kept & {c.key for c in again}
    prints = [cards_module._fingerprint(k) for k in kept]
    for card in again:
        words = cards_module._fingerprint(card.key)
        assert all(len(words & p) / len(words | p) < cards_module.DUPLICATE_SIMILARITY for p in prints), card
    # every key of a run: a second run makes only new cards
    rest = offline_cards(py4e, n=30, seed=5, existing_keys={c.key for c in deck})
    assert not {c.key for c in deck} & {c.key for c in rest}


def test_same_seed_same_deck(py4e, deck):
    again = offline_cards(py4e, n=30, seed=3)
    assert [(c.front, c.options) for c in again] == [(c.front, c.options) for c in deck]


def test_only_the_asked_kinds(py4e):
    cloze = offline_cards(py4e, n=8, kinds=("cloze",), seed=1)
    assert len(cloze) == 8 and {c.card_type for c in cloze} == {"cloze"}
    basic = offline_cards(py4e, n=5, kinds=["basic"], seed=1)
    assert basic and {c.card_type for c in basic} == {"basic"}
    with pytest.raises(ValueError):
        offline_cards(py4e, n=5, kinds=("essay",))


def test_make_cards_offline(py4e, no_model):
    calls = []
    made = make_cards(py4e, n=12, seed=2, progress=lambda *args: calls.append(args))
    assert made.offline and made.notice == ""
    assert len(made.value) == 12
    assert calls[-1][0] == calls[-1][1]


# --- offline on synthetic material ---------------------------------------------------------------------


def _png(path: Path, width: int, height: int) -> str:
    """A plain grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )
    return str(path)


STACK_PAGES = {
    1: (
        "Stacks",
        "A stack is a collection of elements with last-in first-out access.\n"
        "Push adds an element on the top of the stack.\nPop removes the element on the top of the stack.",
    ),
    2: (
        "Queues",
        "A queue is a collection of elements with first-in first-out access.\n"
        "Enqueue adds an element at the back of the queue.\nDequeue removes the element at the front of the queue.",
    ),
    3: (
        "Binary Search",
        "Binary search halves the search interval at every step on a sorted array.\n"
        "Binary search needs logarithmic time on a sorted array of elements.",
    ),
}


def _stack_material(figures: list[FigureRef] | None = None) -> Material:
    passages = []
    for page, (heading, text) in STACK_PAGES.items():
        passages += [Passage(page, heading, "heading"), Passage(page, text)]
    texts = {page: f"{heading}\n\n{text}" for page, (heading, text) in STACK_PAGES.items()}
    return Material("Data structures", passages, figures or [], texts)


def test_a_figure_becomes_a_diagram_card(tmp_path):
    big = FigureRef(2, _png(tmp_path / "queue.png", 300, 200))  # no size given: read from the PNG
    small = FigureRef(1, _png(tmp_path / "icon.png", 100, 100))
    deck = offline_cards(_stack_material([big, small]), n=8, seed=1)
    diagrams = [c for c in deck if c.figure is not None]
    assert len(diagrams) == 1
    card = diagrams[0]
    assert card.front == DIAGRAM_FRONT and card.card_type == "basic"
    assert card.figure == big and card.page == 2
    assert card.back.startswith("Queues: ") and "queue" in card.back.lower()
    assert len({c.key for c in deck}) == len(deck)


def test_figure_cards_are_few(tmp_path):
    figures = [FigureRef(p, _png(tmp_path / f"f{p}.png", 200 + p, 150 + p)) for p in STACK_PAGES]
    deck = offline_cards(_stack_material(figures), n=10, seed=1)
    assert 1 <= sum(c.figure is not None for c in deck) <= 1  # at most n // 10, and 3 in any deck


def test_no_text_raises():
    empty = Material("Scan", [Passage(1, "   "), Passage(2, "")], [], {1: "", 2: ""})
    with pytest.raises(GenerationError) as info:
        offline_cards(empty)
    assert info.value.code == "no_text"
    code_only = Material("Code", [Passage(1, ">>> x = 1\n>>> print(x)\n1")], [], {1: ">>> x = 1"})
    with pytest.raises(GenerationError):
        offline_cards(code_only)


# --- checks --------------------------------------------------------------------------------------------

PAGES = {1: "A stack is a last-in first-out structure: push adds an element on top and pop removes the top element."}


def _problems(card_type, front, back, page=1, options=()):
    return card_problems(CardDraft(card_type, front, back, page, list(options)), PAGES)


def test_card_rules():
    assert _problems("basic", "What does pop remove from a stack?", "The top element") == []
    assert "same text" in _problems("basic", "The top element", "the top element.")[0]
    assert "words" in _problems("basic", "What is a stack?", " ".join(["element"] * 41))[0]
    assert "does not exist" in _problems("basic", "What does pop remove?", "The top element", page=9)[0]
    assert "do not support" in _problems("basic", "What does pop remove?", "The smallest key in the heap")[0]
    assert _problems("cloze", "{{c1::Pop}} removes the top element of a stack.", "Pop") == []
    assert "filler" in _problems("cloze", "Pop removes {{c1::the}} top element of a stack.", "the")[0]
    assert "two letters" in _problems("cloze", "Pop removes the top element of a stack in the {{c1::OS}}.", "OS")[0]
    assert "{{c1::term}}" in _problems("cloze", "Pop removes the top element of a stack.", "top")[0]
    assert "more than one blank" in _problems("cloze", "{{c1::Pop}} removes the {{c2::top}} element.", "Pop")[0]
    assert "number" in cloze_problem("A stack has {{c1::2}} operations: push and pop.")
    assert cloze_problem("In Python the expression 9 // 2 gives the result {{c1::4}}.") is None  # about the number
    mcq = ["The top element", "The bottom element", "A random element", "The smallest element"]
    assert _problems("multiple_choice", "What does pop remove?", "The top element", options=mcq) == []
    assert "exactly 4" in _problems("multiple_choice", "What does pop remove?", "The top element", options=mcq[:3])[0]
    assert "not one of its options" in _problems("multiple_choice", "What does pop remove?", "Top", options=mcq)[0]
    assert "same" in _problems("multiple_choice", "Which operator?", "//", options=["//", "/", "//", "%"])[0]
    assert _problems("multiple_choice", "Which operator floors?", "//", options=["//", "/", "**", "%"]) == []
    assert (
        "only basic"
        in card_problems(CardDraft("cloze", "{{c1::Pop}} removes it.", "Pop", 1), PAGES, kinds=("basic",))[0]
    )


def test_keys_ignore_form_but_not_operators():
    assert card_key("What is a Stack?", "A LIFO structure.") == card_key("what is a stack", "a lifo structure")
    assert card_key("{{c1::Pop}} removes the top.", "Pop") == card_key("Pop removes the top", "pop")
    assert card_key("print(9 // 2)?", "4") != card_key("print(9 / 2)?", "4")


def test_card_schema_leniency():
    reply = CardsReply.model_validate(
        [
            {"type": "MCQ", "question": "Which?", "choices": ["A) x1", "B) x2", "C) x3", "D) x4"], "answer": "C"},
            {"kind": "Cloze deletion", "text": "The {{c1::heap}} property.", "pages": ["p. 3"]},
            {"front": "What is a heap?", "back": "A tree", "page": "2"},
            {"front": "Pick one", "options": ["a1", "b1", "c1", "d1"], "correct": 1},
        ]
    )
    first, second, third, fourth = reply.cards
    assert (first.card_type, first.options, first.back) == ("multiple_choice", ["x1", "x2", "x3", "x4"], "x3")
    assert (second.card_type, second.front, second.page) == ("cloze", "The {{c1::heap}} property.", 3)
    assert (third.card_type, third.page) == ("basic", 2)
    assert (fourth.card_type, fourth.back) == ("multiple_choice", "b1")
    assert CardsReply.model_validate({"flashcards": [{"front": "Q?", "back": "A"}]}).cards[0].back == "A"


# --- with the model ------------------------------------------------------------------------------------

# (page text, a basic card on it, a cloze on it, a multiple-choice card on it)
FACTS = [
    (
        "A binary heap is a complete binary tree in which every parent key is smaller than the keys of its children.",
        ("In a min-heap, how does a parent key compare with its children's keys?", "It is smaller"),
        "A binary heap is a complete {{c1::binary tree}} in which every parent key is smaller than its children's.",
        ("Which kind of tree is a binary heap?", ["A complete binary tree", "A red-black tree", "A trie", "A B-tree"]),
    ),
    (
        "Merge sort splits the array into two halves, sorts each half recursively and merges the sorted halves in "
        "linear time.",
        ("How long does merge sort take to merge two sorted halves?", "Linear time"),
        "{{c1::Merge sort}} splits the array into two halves and sorts each half recursively.",
        (
            "What does merge sort do with the two sorted halves?",
            ["Merges them", "Swaps them", "Hashes them", "Drops one"],
        ),
    ),
    (
        "Quicksort chooses a pivot and partitions the array so that smaller elements come before the pivot.",
        ("What does quicksort choose before partitioning?", "A pivot"),
        "Quicksort chooses a {{c1::pivot}} and partitions the array around it.",
        ("What does quicksort partition the array around?", ["The pivot", "The median key", "The root", "A hash"]),
    ),
    (
        "A hash table maps keys to buckets with a hash function. Collisions are resolved by chaining or open "
        "addressing. A good hash function spreads the keys evenly over the buckets.",
        ("How can a hash table resolve collisions?", "By chaining or open addressing"),
        "A hash table maps keys to buckets with a {{c1::hash function}}.",
        (
            "What does a good hash function spread evenly over the buckets?",
            ["The keys", "The pivots", "The vertices", "The subproblems"],
        ),
    ),
    (
        "Breadth-first search visits vertices in order of their distance from the start vertex. Breadth-first "
        "search keeps the vertices to visit in a queue. Depth-first search follows one path as deep as possible "
        "before backtracking.",
        ("Where does breadth-first search keep the vertices to visit?", "In a queue"),
        "{{c1::Breadth-first search}} visits vertices in order of their distance from the start vertex.",
        (
            "Which search follows one path as deep as possible before backtracking?",
            ["Depth-first search", "Breadth-first search", "Binary search", "Linear search"],
        ),
    ),
    (
        "Dynamic programming stores the solutions of overlapping subproblems in a table. Memoization caches the "
        "result of each call so that it is computed only once.",
        ("What does dynamic programming store in a table?", "Solutions of overlapping subproblems"),
        "{{c1::Memoization}} caches the result of each call so that it is computed only once.",
        ("What does memoization cache?", ["The result of each call", "The call stack", "The pivot", "The input size"]),
    ),
]


def ai_material() -> Material:
    passages = [Passage(i + 1, text) for i, (text, *_) in enumerate(FACTS)]
    return Material("Algorithms 1", passages, [], {p.page: p.text for p in passages})


def card(i: int, kind: str, **changes) -> dict:
    """Card ``kind`` on fact ``i`` (0-based, page i + 1) as a model would write it."""
    _, basic, cloze, mcq = FACTS[i]
    if kind == "basic":
        data = {"type": "basic", "front": basic[0], "back": basic[1]}
    elif kind == "cloze":
        data = {"type": "cloze", "front": cloze}
    else:
        data = {"type": "multiple_choice", "front": mcq[0], "options": mcq[1], "back": mcq[1][0]}
    data["page"] = i + 1
    data.update(changes)
    return data


def cards_reply(*items: dict) -> str:
    return json.dumps({"cards": list(items)})


ALL_GOOD = [card(i, kind) for i in range(len(FACTS)) for kind in ("basic", "cloze", "multiple_choice")]


class Script:
    """Scripted chat replies (the last one repeats when they run out)."""

    def __init__(self, *replies):
        self.replies = list(replies)

    def __call__(self, messages):
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def _messages(server) -> list[list[dict]]:
    return [r["messages"] for r in server.chat_requests]


def test_valid_reply_gives_the_models_cards(fake_openai_env):
    fake_openai_env.reply = cards_reply(*ALL_GOOD)
    made = make_cards(ai_material(), n=len(ALL_GOOD), seed=1)
    assert not made.offline and made.notice == ""
    deck = made.value
    assert len(deck) == len(ALL_GOOD) and len(fake_openai_env.chat_requests) == 1
    assert Counter(c.card_type for c in deck) == {"basic": 6, "cloze": 6, "multiple_choice": 6}
    for c in deck:
        assert c.page in range(1, 7) and c.key == card_key(c.front, c.back)
        if c.card_type == "cloze":
            assert c.back == cloze_terms(c.front)[0]
        if c.card_type == "multiple_choice":
            assert len(c.options) == 4 and c.back in c.options
    assert {c.options.index(c.back) for c in deck if c.options} != {0}  # the answer is not always first
    request = fake_openai_env.chat_requests[0]
    assert request["response_format"] == {"type": "json_object"}
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "untrusted" in system and "{{c1::" in system and "exactly 4" in system
    assert "Write 18 flashcards" in user and '<passage page="6">' in user


def test_invalid_cards_are_repaired(fake_openai_env):
    broken = [
        card(0, "multiple_choice", options=FACTS[0][3][1][:3]),  # three options
        card(1, "cloze", front="Merge sort splits the array into two halves."),  # no marker
        card(2, "basic", page=99),  # no such page
        card(3, "basic", back="By sorting the keys of every bucket and rebuilding the heap"),  # not on its page
    ]
    good = [card(4, "basic"), card(5, "basic")]
    fixed = [card(0, "multiple_choice"), card(1, "cloze"), card(2, "basic"), card(3, "basic")]
    fake_openai_env.reply = Script(cards_reply(*broken, *good), cards_reply(*fixed))
    made = make_cards(ai_material(), n=6, seed=2)
    assert not made.offline and made.notice == ""
    assert len(made.value) == 6 and sorted(c.page for c in made.value) == [1, 2, 3, 4, 5, 6]
    assert len(fake_openai_env.chat_requests) == 2
    repair = _messages(fake_openai_env)[1]
    assert repair[-2]["role"] == "assistant"
    problems = repair[-1]["content"]
    assert "has 3 options; exactly 4 are needed" in problems
    assert "does not mark its answer as {{c1::term}}" in problems
    assert "cites page 99, which does not exist" in problems
    assert "do not support" in problems
    assert FACTS[4][1][0] not in problems  # the good cards are not sent back


def test_cloze_on_a_stop_word_is_rejected(fake_openai_env):
    the = card(2, "cloze", front="Quicksort chooses {{c1::a}} pivot and partitions {{c1::the}} array.")
    fake_openai_env.reply = Script(cards_reply(the, card(0, "basic")), cards_reply(card(2, "cloze")))
    made = make_cards(ai_material(), n=2, kinds=("basic", "cloze"), seed=3)
    clozes = [c for c in made.value if c.card_type == "cloze"]
    assert [c.back for c in clozes] == ["pivot"]
    problems = _messages(fake_openai_env)[1][-1]["content"]
    assert "filler word" in problems or "two letters" in problems


def test_cloze_on_the_alone_is_rejected_even_after_repair(fake_openai_env):
    the = card(2, "cloze", front="Quicksort chooses a pivot and partitions {{c1::the}} array.")
    fake_openai_env.reply = cards_reply(the, card(0, "basic"))  # the repair repeats it
    made = make_cards(ai_material(), n=2, kinds=("basic", "cloze"), seed=3)
    assert all("{{c1::the}}" not in c.front for c in made.value)
    assert 'blanks the filler word "the"' in _messages(fake_openai_env)[1][-1]["content"]
    for c in made.value:
        if c.card_type == "cloze":
            assert cloze_problem(c.front) is None


def test_missing_cards_are_filled_offline(fake_openai_env):
    fake_openai_env.reply = cards_reply(card(0, "basic"), card(1, "cloze"))
    made = make_cards(ai_material(), n=6, seed=4)
    assert not made.offline
    assert len(made.value) >= 4
    assert "The AI model wrote 2 of these cards" in made.notice
    assert len({c.key for c in made.value}) == len(made.value)
    assert len(fake_openai_env.chat_requests) == 1  # nothing to repair


def test_model_down_falls_back_offline(fake_openai_env):
    fake_openai_env.fail_next(50, status=503)
    made = make_cards(_stack_material(), n=5, seed=5)
    assert made.offline and made.notice.startswith(FALLBACK_NOTICE)
    assert made.value and all(c.page in STACK_PAGES for c in made.value)


def test_unusable_reply_falls_back_offline(fake_openai_env):
    fake_openai_env.reply = "Sure! Here are some flashcards."
    made = make_cards(_stack_material(), n=4, seed=6)
    assert made.offline and made.notice.startswith(cards_module.INVALID_NOTICE)
    assert len(fake_openai_env.chat_requests) == 2  # the reply and its JSON repair


def test_model_cards_never_repeat_existing_ones(fake_openai_env):
    existing = {card_key(FACTS[0][1][0], FACTS[0][1][1])}
    fake_openai_env.reply = Script(cards_reply(card(0, "basic"), card(1, "basic")), cards_reply(card(2, "basic")))
    made = make_cards(ai_material(), n=2, kinds=("basic",), existing_keys=existing, seed=7)
    assert [c.page for c in made.value] == [2, 3]
    first = _messages(fake_openai_env)[0][1]["content"]
    assert "already has these cards" in first and "parent key compare" in first
    assert "repeats another card" in _messages(fake_openai_env)[1][-1]["content"]
