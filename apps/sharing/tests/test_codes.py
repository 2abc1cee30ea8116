"""Share codes: unguessable, and never stored — a copy of the database opens no link."""

import hashlib
import re

import pytest
from django.db import connection

from apps.sharing import codes
from apps.sharing.tests.helpers import share, url, visitor

pytestmark = pytest.mark.django_db


def test_codes_are_256_random_bits_url_safe_and_distinct():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", code)  # 32 bytes of secrets.token_urlsafe


def test_the_stored_tables_hold_no_usable_code(user, lecture, document):
    made = [share(user, lecture=lecture, password="pw 1234"), share(user, document=document, max_views=3)]
    for _, code in made:
        visitor().get(url("view", code))  # a visit stores session data too
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(l)::text FROM sharing_sharelink l")
        rows = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT row_to_json(e)::text FROM sharing_shareevent e")
        rows += [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT session_data FROM django_session")
        sessions = [r[0] for r in cursor.fetchall()]
    from django.contrib.sessions.models import Session

    decoded = [str(Session(session_data=s).get_decoded()) for s in sessions]
    dump = "\n".join(rows + decoded)
    for link, code in made:
        assert code not in dump
        assert link.code_sha256 == hashlib.sha256(code.encode()).hexdigest()
        assert "pw 1234" not in dump
        # What is stored does not open the link.
        assert visitor().get(url("view", link.code_sha256)).status_code == 410
        assert visitor().get(url("view", link.code_sha256[:43])).status_code == 410
