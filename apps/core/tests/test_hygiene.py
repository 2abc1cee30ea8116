"""Text PostgreSQL and pikepdf cannot take (NUL, unpaired surrogates) is refused with a clear 4xx everywhere."""

import json
import socket
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.chat import services as chat_services
from apps.chat.tests.helpers import session_headers
from apps.core import hygiene
from apps.core.tests.raw_websocket import RawWebsocket
from apps.lectures.tests.helpers import upload_file
from smartnotes.asgi import application
from tests.factories import LectureFactory
from tests.processes import running_server

NUL = "\x00"
SURROGATE = "\ud800"


@pytest.fixture
def lecture(user, subject):
    return LectureFactory(owner=user, subject=subject, name="Cell Biology")


@pytest.fixture
def conversation(user, lecture):
    return chat_services.start_conversation(actor=user, lecture=lecture)


def _assert_json_error(response, status=400, code="invalid_text"):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


# -- the helper -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("plain text, émojis 🙂 and RTL ‏marks", None),
        ("a" * 10_000, None),
        ("before\x00after", "NUL"),
        ("lone \ud800 surrogate", "surrogate"),
        ("low \udfff too", "surrogate"),
        ({"nested": ["ok", {"deeper": "bad\x00"}]}, "NUL"),
        ({"key\ud800": "value"}, "surrogate"),
        (["ok", 3, None, True, 1.5], None),
    ],
)
def test_problem_in_names_what_is_wrong(value, problem):
    found = hygiene.problem_in(value)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_json_text_is_checked_after_decoding():
    assert hygiene.problem_in_json_text('{"message": "fine"}') is None
    assert "NUL" in hygiene.problem_in_json_text('{"message": "a\\u0000b"}')
    assert "surrogate" in hygiene.problem_in_json_text('{"message": "\\ud800"}')
    # A correctly paired surrogate escape is one real character (an emoji), not a problem.
    assert hygiene.problem_in_json_text('{"message": "\\ud83d\\ude00"}') is None
    assert "NUL" in hygiene.problem_in_json_text("not json \x00 at all")
    assert hygiene.problem_in_json_text("not json at all") is None


# -- the five inputs that returned 500 ------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_in_a_search_query_is_a_json_400(owner_client, lecture):
    response = owner_client.get(f"/api/v1/lectures/{lecture.pk}/search", {"q": f"cells{NUL}"})
    body = _assert_json_error(response)
    assert "q" in body["detail"]


@pytest.mark.django_db
def test_nul_in_a_chat_message_is_refused(owner_client, conversation):
    response = owner_client.post(reverse("chat:detail", args=[conversation.pk]), {"message": f"why{NUL}?"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert conversation.messages.count() == 0


@pytest.mark.django_db
def test_nul_in_a_conversation_title_is_refused_with_a_toast_for_htmx(owner_client, conversation):
    response = owner_client.post(
        reverse("chat:rename", args=[conversation.pk]), {"title": f"Exam{NUL}prep"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#messages" and response["HX-Reswap"] == "beforeend"
    assert 'class="toast alert alert-error"' in response.content.decode()
    conversation.refresh_from_db()
    assert NUL not in conversation.title


@pytest.mark.django_db
def test_nul_in_a_pdf_password_is_refused(fixtures_dir, user, subject, owner_client):
    lecture = upload_file(user, subject, fixtures_dir / "hostile/ocrmypdf_skew-encrypted.pdf")
    response = owner_client.post(reverse("lectures:password", args=[lecture.pk]), {"password": f"pass{NUL}word"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "NUL" in page and "password" in page


@pytest.mark.django_db
def test_a_lone_surrogate_in_a_subject_name_is_a_json_400(owner_client, user):
    response = owner_client.post("/api/v1/subjects/", {"name": f"Bio{SURROGATE}logy"}, content_type="application/json")
    body = _assert_json_error(response)
    assert "surrogate" in body["detail"] and "name" in body["detail"]
    assert not user.subjects.exists()


# -- the rest of the request ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plain_form_post_gets_a_readable_400_page(owner_client, conversation):
    response = owner_client.post(reverse("chat:rename", args=[conversation.pk]), {"title": f"a{NUL}"})
    assert response.status_code == 400
    assert "<html" in response.content.decode() and "can’t be saved" in response.content.decode()


@pytest.mark.django_db
def test_nul_in_a_path_a_field_name_or_beside_a_file_is_refused(owner_client, subject):
    assert owner_client.get(f"/flashcards/export/deck%00/{subject.pk}/csv/").status_code == 400
    assert owner_client.get(f"/subjects/{subject.pk}/%00/").status_code == 404  # no such page, no lookup
    assert owner_client.post(f"/subjects/{subject.pk}/edit/", {f"na{NUL}me": "x"}).status_code == 400

    upload = SimpleUploadedFile("notes.md", b"# Notes\n", content_type="text/markdown")
    response = owner_client.post(
        reverse("lectures:upload", args=[subject.pk]),
        {"file": upload, "name": f"Week{NUL}1"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400
    assert "“name” contains a NUL" in response.json()["error"]  # what upload.js shows under the file
    assert not subject.lectures.exists()


@pytest.mark.django_db
def test_file_names_are_cleaned_by_django_so_the_upload_goes_through(owner_client, subject):
    upload = SimpleUploadedFile(f"no{NUL}tes.md", b"# Notes\n", content_type="text/markdown")
    response = owner_client.post(
        reverse("lectures:upload", args=[subject.pk]), {"file": upload}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 201, response.content
    assert subject.lectures.get().original_filename == "notes.md"


@pytest.mark.django_db
def test_json_bodies_that_are_not_utf8_are_refused(owner_client):
    response = owner_client.post("/api/v1/subjects/", b'{"name": "\xed\xa0\x80"}', content_type="application/json")
    _assert_json_error(response)


@pytest.mark.django_db
def test_good_text_still_goes_through(owner_client, user):
    name = "Biologie ‏ 🙂 " + "é" * 50
    response = owner_client.post("/api/v1/subjects/", {"name": name}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert user.subjects.get().name == name


@pytest.mark.django_db
def test_a_21_kb_query_string_is_414(owner_client):
    response = owner_client.get("/subjects/", {"q": "x" * 21_000})
    assert response.status_code == 414
    response = owner_client.get("/api/v1/subjects/", {"q": "x" * 21_000})
    _assert_json_error(response, status=414, code="uri_too_long")


@pytest.mark.django_db
def test_a_cookie_holding_nul_counts_as_absent_instead_of_failing_the_session_lookup(subject):
    response = Client(HTTP_COOKIE="sessionid=abcdefghij\x00kl").get("/subjects/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_anonymous_callers_are_checked_too():
    response = Client().get("/accounts/login/", {"next": f"/{NUL}"})
    assert response.status_code == 400


# -- websockets -----------------------------------------------------------------------------------------

ws = pytest.mark.django_db(transaction=True, databases="__all__")


@ws
async def test_a_websocket_route_that_does_not_exist_closes_cleanly():
    for path in ("/ws/nope/", "/ws/chat/not-a-number/", "/"):
        communicator = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
        connected, code = await communicator.connect(timeout=5)
        assert not connected and code == 4404, path


@ws
@pytest.mark.parametrize("bad", ['{"message": "why\\u0000?"}', '{"message": "\\ud800"}', "raw \x00 text"])
async def test_bad_text_in_a_chat_socket_message_gets_an_error_event(user, conversation, bad):
    headers = await sync_to_async(session_headers)(user)
    communicator = WebsocketCommunicator(application, f"/ws/chat/{conversation.pk}/?format=json", headers=headers)
    assert (await communicator.connect(timeout=10))[0]
    await communicator.send_to(text_data=bad)
    event = await communicator.receive_json_from(timeout=10)
    assert event["type"] == "error" and event["code"] == "invalid_text"
    assert "NUL" in event["message"] or "surrogate" in event["message"]
    # The socket stays open and usable.
    await communicator.send_to(text_data="{}")
    assert (await communicator.receive_json_from(timeout=10))["type"] == "error"
    await communicator.disconnect()
    assert await sync_to_async(conversation.messages.count)() == 0


@ws
async def test_bad_text_on_the_events_socket_is_ignored_and_the_socket_stays_open(user):
    headers = await sync_to_async(session_headers)(user)
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    assert (await communicator.connect(timeout=10))[0]
    await communicator.send_to(text_data='{"x": "\\u0000\\ud800"}')
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


# -- through the real server (Daphne, as `make run` serves) -----------------------------------------------


def _raw_get(url: str, target: str) -> tuple[int, dict[str, str], bytes]:
    """One GET written by hand, so nothing between the test and the server shortens or refuses it."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data, f"the server dropped the connection for {target[:60]}…"
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_real_server_answers_long_addresses_bad_text_and_unknown_sockets(tmp_path):
    log = tmp_path / "daphne.log"
    with running_server(log) as url:
        for length in (9_000, 21_000, 200_000):
            status, headers, body = _raw_get(url, f"/api/v1/subjects/?q={'x' * length}")
            assert status == 414, length
            assert headers["content-type"] == "application/json" and json.loads(body)["code"] == "uri_too_long"
            status, headers, body = _raw_get(url, f"/subjects/?q={'x' * length}")
            assert status == 414 and b"too long" in body, length

        status, _, body = _raw_get(url, "/api/v1/subjects/?q=a%00b")
        assert status == 400 and json.loads(body)["code"] == "invalid_text"  # checked before the view runs

        socket_ = RawWebsocket(url, "/ws/no-such-socket/")
        assert socket_.status == 403  # refused during the handshake: a clean close, nothing to log
        socket_.close()
    assert "Internal Server Error" not in log.read_text() and "Traceback" not in log.read_text()


@pytest.mark.django_db
def test_a_multipart_body_without_boundary_is_a_clear_400(owner_client):
    response = owner_client.post("/api/v1/documents/1/retry", b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "form data could not be read" in response.json()["detail"]
