"""Subtitle transcripts and recordings, uploaded and ingested end to end: time-window pages cited by time."""

import io
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from apps.lectures import retrieval, services
from apps.lectures.models import Chunk, Lecture, LectureStatus
from apps.lectures.tests.helpers import espeak_wav, ingest_now, upload_file
from apps.lectures.validation import UploadRejected
from tests.factories import UserFactory

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
db_with_worker_threads = pytest.mark.django_db(transaction=True, databases="__all__")

SPOKEN = "Binary search halves the sorted list at every step, so it needs only logarithmic time."


def _upload(user, subject, name: str, data: bytes) -> Lecture:
    return services.upload_lecture(actor=user, subject=subject, uploaded_file=SimpleUploadedFile(name, data))


@db_with_worker_threads
@pytest.mark.slow
def test_an_srt_fixture_is_ingested_as_time_windows(fixtures_dir, user, subject, owner_client):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "transcripts/py4e_ch2_part1.srt"))
    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert lecture.file_type == "transcript"
    pages = list(lecture.pages.order_by("number"))
    assert lecture.page_count == len(pages) == 9  # 9 min 27 s of speech in ~60-90 s windows
    assert pages[0].start_seconds == pytest.approx(0.707) and pages[0].timestamp == "00:00"
    assert pages[-1].end_seconds == pytest.approx(9 * 60 + 27.765) and pages[-1].end_timestamp == "09:27"
    assert all(p.start_seconds is not None and p.end_seconds > p.start_seconds for p in pages)
    assert [p.label for p in pages] == [p.timestamp for p in pages]
    assert "Hello and welcome to Chapter 2." in pages[0].text
    chunks = Chunk.objects.filter(lecture=lecture)
    assert set(chunks.values_list("page", flat=True)) == {p.number for p in pages}
    assert not chunks.filter(embedding__isnull=True).exists()

    # "reserved words" are spoken at 00:00:56-00:01:01 (cues 23-24): in the first window.
    hits = retrieval.search(user, "reserved words", lecture_id=lecture.pk, mode="text")
    assert 1 in [h.page for h in hits]

    # The page view of a window shows its time and the transcript around it.
    middle = pages[4]
    html = owner_client.get(reverse("lectures:page", args=[lecture.pk, middle.number])).content.decode()
    assert f"— {middle.timestamp}–{middle.end_timestamp}" in html
    for shown in (pages[3], middle, pages[5]):
        assert escape(shown.text[:60]) in html
    assert escape(pages[2].text[:60]) not in html
    assert f">← {pages[3].timestamp}<" in html and f">{pages[5].timestamp} →<" in html
    detail = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    assert f"{pages[1].timestamp}–{pages[1].end_timestamp}" in detail


VTT = """WEBVTT

NOTE made in the test

00:00:01.000 --> 00:00:06.000 align:start
<v Lecturer>A <b>heap</b> keeps its smallest key at the root.

00:00:06.000 --> 00:00:12.000
Inserting sifts the new key up; removing the root sifts a key down.
"""


@db_with_worker_threads
@pytest.mark.slow
def test_a_vtt_transcript_is_ingested(user, subject):
    lecture = ingest_now(_upload(user, subject, "Heaps.vtt", VTT.encode()))
    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert lecture.original_filename == "Heaps.vtt"
    (page,) = lecture.pages.all()
    assert page.text == (
        "A heap keeps its smallest key at the root. Inserting sifts the new key up; removing the root sifts a key down."
    )
    assert (page.start_seconds, page.end_seconds, page.label) == (1.0, 12.0, "00:01")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.srt", b"1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:02,000 --> 00:00:03,000\n"),  # no text
        ("notes.srt", b"Just some text that someone named .srt by mistake.\n"),
        ("noise.vtt", bytes(range(256)) * 8),
    ],
)
def test_a_corrupt_subtitle_file_is_refused_with_a_clear_message(owner_client, subject, name, data):
    response = owner_client.post(
        reverse("lectures:upload", args=[subject.pk]), {"file": SimpleUploadedFile(name, data)}, **XHR
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert name in error and "00:01:02,000 --> 00:01:05,000" in error
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_a_recording_is_refused_without_a_transcription_endpoint(offline_env, tmp_path, user, subject):
    wav = espeak_wav(tmp_path / "lecture.wav", SPOKEN)
    with pytest.raises(UploadRejected) as info:
        _upload(user, subject, "lecture.wav", wav.read_bytes())
    assert "transcription" in info.value.message.lower() and "TRANSCRIPTION_MODEL" in info.value.message
    assert not Lecture.objects.exists()


@db_with_worker_threads
@pytest.mark.slow
def test_a_recording_is_transcribed_by_the_endpoint(fake_transcription_env, tmp_path, user, subject, owner_client):
    fake = fake_transcription_env
    wav = espeak_wav(tmp_path / "Binary search.wav", SPOKEN)
    # The fake does no speech recognition: it answers with what the recording says, in two timed segments.
    fake.transcript = [(0.0, 2.4, SPOKEN.split(", ")[0] + ","), (2.4, 5.1, SPOKEN.split(", ")[1])]

    lecture = ingest_now(_upload(user, subject, "Binary search.wav", wav.read_bytes()))

    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert lecture.file_type == "audio"
    (request,) = fake.transcription_requests
    assert request["model"] == "fake-whisper" and request["response_format"] == "verbose_json"
    assert request.headers["Authorization"] == "Bearer transcription-key"
    filename, _, sent = request.files["file"]
    assert filename == "Binary search.wav" and sent == wav.read_bytes()
    assert sent[:4] == b"RIFF" and sent[8:12] == b"WAVE"
    with wave.open(io.BytesIO(sent)) as received:  # a real recording, not a stand-in
        assert received.getnchannels() == 1 and received.getframerate() > 8000
        assert received.getnframes() / received.getframerate() > 2.0
    (page,) = lecture.pages.all()
    assert page.text == SPOKEN and (page.start_seconds, page.end_seconds) == (0.0, 5.1)
    html = owner_client.get(reverse("lectures:page", args=[lecture.pk, 1])).content.decode()
    assert "Transcribed recording" in html and "— 00:00–00:05" in html


@db_with_worker_threads
@pytest.mark.slow
def test_a_recording_fails_clearly_when_the_endpoint_is_gone_or_down(
    fake_transcription_env, monkeypatch, tmp_path, user, subject
):
    from tests.fake_openai.fixtures import reset_ai_caches

    wav = espeak_wav(tmp_path / "talk.wav", SPOKEN).read_bytes()
    fake_transcription_env.fail_next(1, status=503)
    lecture = ingest_now(_upload(user, subject, "talk.wav", wav))
    assert lecture.status == LectureStatus.FAILED
    assert lecture.error_code == "transcription" and "Retry" in lecture.error_message

    lecture = _upload(user, subject, "talk2.wav", wav)
    monkeypatch.delenv("TRANSCRIPTION_MODEL")  # the operator removed it after the upload
    reset_ai_caches()
    lecture = ingest_now(lecture)
    assert lecture.status == LectureStatus.FAILED and lecture.error_code == "no_transcription"
    assert "TRANSCRIPTION_MODEL" in lecture.error_message and ".srt" in lecture.error_message


@pytest.mark.django_db
def test_page_labels_read_times_for_transcripts_and_page_numbers_for_documents(user, subject):
    from apps.lectures import selectors
    from apps.lectures.models import LecturePage

    talk = Lecture.objects.create(
        owner=user, subject=subject, name="Talk", original_filename="t.srt", file_type="transcript"
    )
    LecturePage.objects.create(lecture=talk, number=2, text="x", method="native", start_seconds=65.4, end_seconds=130)
    LecturePage.objects.create(lecture=talk, number=3, text="y", method="native", start_seconds=3725, end_seconds=3790)
    deck = Lecture.objects.create(owner=user, subject=subject, name="Deck", original_filename="d.pdf", file_type="pdf")
    LecturePage.objects.create(lecture=deck, number=2, text="z", method="text")
    assert selectors.page_label(talk, 2) == "01:05" and selectors.page_label(talk, 3) == "1:02:05"
    assert selectors.page_label(deck, 2) == "p. 2"
    assert selectors.page_times(user, [(talk.pk, 2), (talk.pk, 3), (deck.pk, 2)]) == {
        (talk.pk, 2): "01:05",
        (talk.pk, 3): "1:02:05",
    }
    assert selectors.page_times(UserFactory(), [(talk.pk, 2)]) == {}  # another user's lecture: nothing
