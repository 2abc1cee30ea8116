""" "Pages + chat": a visitor's questions are answered from the shared lecture alone — never from the owner's
other lectures, even one that holds the answer — and are rate limited per link and per address."""

import re

import pytest

from apps.chat.models import Conversation, Message
from apps.chat.tests.helpers import make_lecture
from apps.lectures import retrieval
from apps.sharing.tests.helpers import share, url, visitor
from apps.study.models import StudySession

pytestmark = pytest.mark.django_db

SECRET = [
    "Genetics. DNA is a double helix. Watson and Crick described the double helix structure of DNA in 1953, "
    "using the X-ray photographs of Rosalind Franklin."
]
DNA_QUESTION = "Who described the double helix structure of DNA?"


@pytest.fixture
def setup(user, subject):
    biology = make_lecture(user, subject, name="Cell Biology")
    secret = make_lecture(user, subject, name="Genetics private", pages=SECRET)
    _, code = share(user, lecture=biology, mode="chat")
    return biology, secret, code


def _ask(client, code, question):
    return client.post(url("ask", code), {"question": question}, HTTP_HX_REQUEST="true")


def test_the_planted_lecture_holds_the_answer_for_the_owner(user, subject, setup):
    _, secret, _ = setup
    hits = retrieval.relevant_hits(retrieval.search(user, DNA_QUESTION, subject_id=subject.pk))
    assert hits and hits[0].lecture_id == secret.pk


def test_a_question_only_another_lecture_answers_is_not_answered(fake_openai_env, setup):
    _, _, code = setup
    fake_openai_env.reply = "Watson and Crick [Genetics private, p. 1]."
    response = _ask(visitor(), code, DNA_QUESTION)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="not_covered"' in html
    assert "Watson" not in html and "Genetics private" not in html
    assert fake_openai_env.chat_requests == []  # nothing of the other lecture reached the model either


def test_answers_cite_only_the_shared_lecture_and_link_to_the_shared_pages(fake_openai_env, setup):
    biology, secret, code = setup
    # The model tries to cite the other lecture as well: that citation is not one it was given.
    fake_openai_env.reply = (
        "In the chloroplasts [Cell Biology, p. 2]. Related: DNA is a double helix [Genetics private, p. 1]."
    )
    response = _ask(visitor(), code, "Where does photosynthesis take place? And what is DNA?")
    assert response.status_code == 200
    html = response.content.decode()
    prompt = fake_openai_env.last_messages[-1]["content"]
    assert set(re.findall(r'<passage id="\d+" lecture="([^"]+)"', prompt)) == {"Cell Biology"}
    assert "Watson" not in prompt and "double helix" not in prompt
    hrefs = set(re.findall(r'class="citation" href="([^"]+)"', html))
    assert hrefs and hrefs <= {url("page", code, n) for n in range(1, 5)}
    assert url("page", code, 2) in hrefs
    assert "/lectures/" not in html and f"/{secret.pk}/" not in "".join(hrefs)


def test_offline_the_visitor_gets_passages_of_the_shared_lecture(setup):
    _, _, code = setup
    response = _ask(visitor(), code, "Where does photosynthesis take place, and who described DNA?")
    html = response.content.decode()
    assert 'data-kind="extractive"' in html
    assert "chloroplasts" in html and "Watson" not in html
    assert "No AI model is configured" in html


def test_visitor_questions_leave_no_trace_in_the_owner_s_chats_or_statistics(setup):
    _, _, code = setup
    before = (Conversation.objects.count(), Message.objects.count(), StudySession.objects.count())
    _ask(visitor(), code, "What do mitochondria make?")
    assert (Conversation.objects.count(), Message.objects.count(), StudySession.objects.count()) == before


def test_questions_are_rate_limited_per_address(setup, settings):
    settings.SHARE_CHAT_PER_IP_PER_MINUTE = 3
    _, _, code = setup
    asker = visitor("198.51.100.20")
    for _ in range(3):
        assert _ask(asker, code, "What do mitochondria make?").status_code == 200
    refused = _ask(asker, code, "What do mitochondria make?")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"asking quickly" in refused.content
    assert _ask(visitor("198.51.100.21"), code, "What do mitochondria make?").status_code == 200


def test_questions_are_rate_limited_per_link(setup, settings):
    settings.SHARE_CHAT_PER_LINK_PER_HOUR = 4
    _, _, code = setup
    for i in range(4):
        assert _ask(visitor(f"192.0.2.{i + 10}"), code, "What is ATP?").status_code == 200
    assert _ask(visitor("192.0.2.99"), code, "What is ATP?").status_code == 429


def test_an_empty_or_overlong_question_is_refused_clearly(setup):
    _, _, code = setup
    empty = _ask(visitor(), code, "   ")
    assert empty.status_code == 400 and b"Type a question first." in empty.content
    assert _ask(visitor(), code, "x" * 1001).status_code == 400


def test_without_javascript_the_answer_is_shown_on_the_lecture_page(setup):
    _, _, code = setup
    response = visitor().post(url("ask", code), {"question": "What do mitochondria make?"})
    assert response.status_code == 200
    assert b"Ask this lecture" in response.content and b"ATP" in response.content
