"""Follow-ups and topic changes in a running conversation, and each passage once per answer, on a really
ingested deck (py4e Expressions: page 28 "String Conversions", page 29 "User Input")."""

import pytest

from apps.chat import followups, services
from apps.chat.models import AnswerKind
from apps.chat.prompts import escape_text
from apps.chat.tests.helpers import add_chunks
from apps.lectures import retrieval
from apps.lectures.models import Chunk
from apps.lectures.tests.helpers import ingest_now, upload_file

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]

DECK = "lectures/py4e_Pythonlearn-02-Expressions.pdf"
TO_INT = "How do I convert a string to an integer?"


@pytest.fixture
def deck(fixtures_dir, user, subject):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / DECK))
    assert lecture.status == "completed", lecture.error_message
    return lecture


def pages(message) -> list[int]:
    return [c["page"] for c in message.citations]


def assert_each_page_once(message):
    keys = [(c["lecture_id"], c["page"]) for c in message.citations]
    assert len(keys) == len(set(keys)), keys


def test_offline_a_follow_up_finds_the_previous_topic_and_a_new_topic_is_judged_alone(offline_env, deck, user):
    conversation = services.start_conversation(actor=user, lecture=deck)
    first = services.ask(user, conversation, TO_INT)
    assert first.kind == AnswerKind.EXTRACTIVE and 28 in pages(first)

    follow_up = services.ask(user, conversation, "and for floats?")
    assert follow_up.kind == AnswerKind.EXTRACTIVE and 28 in pages(follow_up)
    assert_each_page_once(follow_up)

    # Before, a question that found nothing alone was glued to the previous one and answered with its pages.
    for new_topic in ("What is the capital of Peru?", "And who won the world cup?"):
        message = services.ask(user, conversation, new_topic)
        assert message.kind == AnswerKind.NOT_COVERED, (new_topic, pages(message))
        assert message.citations == [] and message.content.startswith(services.NOT_COVERED)

    # "explain that more" continues the last answered question, not the refused ones.
    more = services.ask(user, conversation, "explain that more")
    assert more.kind == AnswerKind.EXTRACTIVE and 28 in pages(more)
    assert_each_page_once(more)

    # A new question the notes cover is answered on its own.
    other = services.ask(user, conversation, "How do I read input from the user?")
    assert other.kind == AnswerKind.EXTRACTIVE and 29 in pages(other)


REWRITES = {"and for floats?": "How do I convert a string to a float?"}


def _rewriter(messages):
    """The fake model: rewrites follow-ups it knows (others unchanged), answers questions without citations."""
    if messages[0]["content"] == followups.REWRITE_SYSTEM:
        last = messages[-1]["content"].rsplit("Last question: ", 1)[1].strip()
        return REWRITES.get(last, last)
    return "From your notes."


def answer_requests(fake) -> list:
    return [r for r in fake.chat_requests if r.get("stream")]


def rewrite_requests(fake) -> list:
    return [r for r in fake.chat_requests if r["messages"][0]["content"] == followups.REWRITE_SYSTEM]


def test_with_a_model_the_rewritten_follow_up_finds_its_pages_and_a_new_topic_is_refused(fake_openai_env, deck, user):
    fake = fake_openai_env
    fake.reply = _rewriter
    conversation = services.start_conversation(actor=user, lecture=deck)
    first = services.ask(user, conversation, TO_INT)
    assert first.kind == AnswerKind.ANSWER and 28 in pages(first)
    assert rewrite_requests(fake) == []  # the first question of a conversation has nothing to continue

    follow_up = services.ask(user, conversation, "and for floats?")
    # What was searched is the model's rewrite.
    rewritten = retrieval.relevant_hits(retrieval.search(user, REWRITES["and for floats?"], lecture_id=deck.pk))
    assert follow_up.kind == AnswerKind.ANSWER
    assert pages(follow_up) == list(dict.fromkeys(h.page for h in rewritten))[:3]
    assert {25, 28} & set(pages(follow_up))
    assert_each_page_once(follow_up)
    (rewrite,) = rewrite_requests(fake)
    assert TO_INT in rewrite["messages"][-1]["content"]
    # The answer is asked for the student's own question, with the conversation before it.
    prompt = fake.last_messages
    assert prompt[-1]["content"].rstrip().endswith("Question: and for floats?")
    assert prompt[1] == {"role": "user", "content": TO_INT}

    answers = len(answer_requests(fake))
    peru = services.ask(user, conversation, "What is the capital of Peru?")
    assert peru.kind == AnswerKind.NOT_COVERED and peru.citations == []
    assert len(rewrite_requests(fake)) == 2 and len(answer_requests(fake)) == answers  # judged, never answered

    # A question that stands alone and is covered needs no rewrite.
    services.ask(user, conversation, "How do I read input from the user?")
    assert len(rewrite_requests(fake)) == 2


def test_when_the_model_cannot_rewrite_the_heuristic_reads_the_follow_up(fake_openai_env, deck, user):
    fake = fake_openai_env
    fake.reply = _rewriter
    conversation = services.start_conversation(actor=user, lecture=deck)
    services.ask(user, conversation, TO_INT)
    fake.fail_next(2, status=500)  # the rewrite and its one retry; the answer itself goes through
    message = services.ask(user, conversation, "why is that?")
    assert message.kind == AnswerKind.ANSWER and 28 in pages(message)
    assert [r.status for r in fake.chat_requests[-3:]] == [500, 500, 200]

    fake.fail_next(2, status=500)
    refused = services.ask(user, conversation, "What is the capital of Peru?")
    assert refused.kind == AnswerKind.NOT_COVERED


def _page_chunk(deck, page: int) -> Chunk:
    (chunk,) = Chunk.objects.filter(lecture=deck, page=page)
    return chunk


ADDED = "A string holding a decimal point, such as '3.9', makes int() fail: convert it with float() first."


def test_two_overlapping_chunks_of_one_page_are_one_passage_in_the_prompt_and_the_sources(fake_openai_env, deck, user):
    # As the chunker does for a long page: the second chunk opens with the last words of the first.
    page = _page_chunk(deck, 28)
    overlap = " ".join(page.text.split()[-30:])
    add_chunks(deck, [f"{overlap}\n{ADDED}"], first_page=28)
    conversation = services.start_conversation(actor=user, lecture=deck)
    message = services.ask(user, conversation, TO_INT)

    prompt = fake_openai_env.last_messages[-1]["content"]
    assert prompt.count('page="28"') == 1
    # The overlap once, and what the second chunk adds at most once (retrieval may keep one chunk per page).
    assert " ".join(prompt.split()).count(escape_text(overlap)) == 1
    assert prompt.count(escape_text(ADDED)) <= 1
    assert pages(message).count(28) == 1
    assert_each_page_once(message)


def test_offline_the_extractive_answer_quotes_an_overlapping_page_once(offline_env, deck, user):
    page = _page_chunk(deck, 28)
    overlap = " ".join(page.text.split()[-30:])
    add_chunks(deck, [f"{overlap}\n{ADDED}"], first_page=28)
    message = services.ask(user, services.start_conversation(actor=user, lecture=deck), TO_INT)
    assert message.content.count(f"[{deck.name}, p. 28]") == 1
    assert pages(message).count(28) == 1
