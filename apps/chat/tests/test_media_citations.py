"""Chat answers citing every kind of input: a reveal.js HTML deck by page, a subtitle transcript and a
transcribed recording by time ("mm:ss"). Real ingestion of the shared fixtures, real local embeddings; the
only fake is the OpenAI-compatible server (transcription, and the chat model in the model test)."""

import re

import pytest
from django.template.loader import render_to_string

from apps.chat import services
from apps.chat.models import AnswerKind
from apps.lectures.models import LecturePage
from apps.lectures.tests.helpers import espeak_wav, ingest_now, upload_file

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]

SPOKEN = [
    "Binary search finds a key in a sorted array.",
    "It compares the key with the middle element and discards the half that cannot hold it.",
    "Each step halves the search range, so binary search takes logarithmic time.",
]


def _ingested(lecture):
    lecture = ingest_now(lecture)
    assert lecture.status == "completed", lecture.error_message
    return lecture


@pytest.fixture
def material(fake_transcription_env, fixtures_dir, tmp_path, user, subject):
    """One subject holding an HTML slide deck, a subtitle transcript and a recording."""
    fake_transcription_env.transcript = [(4.0 * i, 4.0 * i + 4.0, text) for i, text in enumerate(SPOKEN)]
    wav = espeak_wav(tmp_path / "Searching.wav", " ".join(SPOKEN))
    return {
        "deck": _ingested(upload_file(user, subject, fixtures_dir / "lectures/pdr_02-lists.html")),
        "transcript": _ingested(upload_file(user, subject, fixtures_dir / "transcripts/py4e_ch2_part1.srt")),
        "recording": _ingested(upload_file(user, subject, wav)),
    }


def _page(citation) -> LecturePage:
    return LecturePage.objects.get(lecture_id=citation["lecture_id"], number=citation["page"])


def _sources(message) -> str:
    return render_to_string("chat/_message.html", {"message": message})


def test_an_offline_answer_cites_the_deck_page_and_the_transcript_and_recording_times(material, user, subject):
    deck, transcript, recording = material["deck"], material["transcript"], material["recording"]
    assert deck.file_type == "html" and transcript.file_type == "transcript" and recording.file_type == "audio"
    conversation = services.start_conversation(actor=user, subject=subject)

    # (a) the HTML deck, cited by page
    message = services.ask(user, conversation, "How does a postfix calculator use a stack?")
    assert message.kind == AnswerKind.EXTRACTIVE
    top = message.citations[0]
    assert top["lecture_id"] == deck.pk and "time" not in top
    assert "Postfix Calculator" in _page(top).text
    assert f"[{deck.name}, p. {top['page']}]" in message.content
    assert f">{deck.name}, p. {top['page']}</a>" in message.html

    # (b) the subtitle transcript, cited by the start time of its window
    message = services.ask(user, conversation, "What are reserved words in Python?")
    top = message.citations[0]
    assert top["lecture_id"] == transcript.pk
    page = _page(top)
    assert "reserved words" in page.text and top["time"] == page.timestamp
    assert re.fullmatch(r"\d\d:\d\d", top["time"])
    assert page.start_seconds <= 56.546 < page.end_seconds  # cue 23, "are the reserved words," at 00:00:56
    assert f"[{transcript.name}, {top['time']}]" in message.content
    pill = f">{transcript.name}, {top['time']}</a>"
    assert pill in message.html and pill in _sources(message)
    assert f"/lectures/{transcript.pk}/pages/{page.number}/" in message.html

    # (c) the transcribed recording
    message = services.ask(user, conversation, "Why does binary search take logarithmic time?")
    top = message.citations[0]
    assert top["lecture_id"] == recording.pk and top["time"] == "00:00"
    assert "halves the search range" in _page(top).text
    assert f"[{recording.name}, 00:00]" in message.content
    assert f">{recording.name}, 00:00</a>" in _sources(message)


def test_a_model_answer_cites_a_transcript_by_time(fake_openai_env, fixtures_dir, user, subject):
    transcript = _ingested(upload_file(user, subject, fixtures_dir / "transcripts/py4e_ch2_part1.srt"))
    conversation = services.start_conversation(actor=user, lecture=transcript)
    first = transcript.pages.get(number=1)
    fake_openai_env.reply = f"Reserved words cannot be variable names [{transcript.name}, {first.timestamp}]."

    message = services.ask(user, conversation, "What are reserved words in Python?")

    prompt = fake_openai_env.last_messages[-1]["content"]
    assert f'page="1" time="{first.timestamp}"' in prompt
    assert "time=" in fake_openai_env.last_messages[0]["content"]
    assert [(c["page"], c["time"]) for c in message.citations] == [(1, first.timestamp)]
    assert f">{transcript.name}, {first.timestamp}</a>" in message.html

    # A model that cites the window's page number still gets a pill that reads the time.
    fake_openai_env.reply = f"They are keywords [{transcript.name}, p. 1]."
    message = services.ask(user, conversation, "Which words are reserved?")
    assert [c["page"] for c in message.citations] == [1]
    assert f">{transcript.name}, {first.timestamp}</a>" in message.html
