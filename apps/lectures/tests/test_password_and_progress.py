import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.lectures.models import LectureStatus
from apps.lectures.tests.helpers import ingest_now, upload_file
from smartnotes.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.slow]
SECRET = "password"  # the fixture's user password


def test_an_encrypted_pdf_asks_for_its_password_and_never_stores_it(fixtures_dir, user, subject, owner_client):
    lecture = ingest_now(upload_file(user, subject, fixtures_dir / "hostile/ocrmypdf_skew-encrypted.pdf"))
    assert (lecture.status, lecture.error_code) == (LectureStatus.FAILED, "encrypted")

    wrong = owner_client.post(reverse("lectures:password", args=[lecture.pk]), {"password": "nope"}, follow=True)
    assert "did not open the PDF" in wrong.content.decode()

    owner_client.post(reverse("lectures:password", args=[lecture.pk]), {"password": SECRET})
    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.PENDING
    lecture = ingest_now(lecture)
    assert lecture.status == LectureStatus.COMPLETED, lecture.error_message
    assert "skew" not in lecture.error_message
    assert lecture.pages.get().method == "ocr"

    # The password is in no table: not the lecture, not the task queue, not the cache.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'bytea')"
        )
        columns = cursor.fetchall()
        for table, column in columns:
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE position(%s in "{column}"::text) > 0', [SECRET])
            assert cursor.fetchone()[0] == 0, f"{table}.{column} holds the password"


async def test_progress_reaches_the_owners_page(fixtures_dir, user, subject):
    client = Client()
    await sync_to_async(client.force_login)(user)
    headers = [(b"origin", b"http://localhost"), (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    assert (await communicator.connect())[0]

    lecture = await sync_to_async(upload_file)(user, subject, fixtures_dir / "lectures/grobol_xml-slides.pdf")
    await sync_to_async(ingest_now)(lecture)

    fragments = []
    while not fragments or 'data-status="completed"' not in fragments[-1]:
        fragments.append(await communicator.receive_from(timeout=10))
    await communicator.disconnect()
    assert fragments, "no progress was pushed"
    assert all(f'id="lecture-{lecture.pk}-status"' in f and 'hx-swap-oob="true"' in f for f in fragments)
    assert any("page" in f and "of 10" in f for f in fragments)
    assert 'data-status="completed"' in fragments[-1]
    percents = [int(f.split('aria-valuenow="')[1].split('"')[0]) for f in fragments if "aria-valuenow" in f]
    assert percents == sorted(percents)
