"""Guessing a link's password is throttled per link and per IP address; when throttled, even the right
password waits (so guessing cannot continue), with a clear message and 429."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents.tests.parallel import in_parallel
from apps.sharing.models import ShareEvent
from apps.sharing.tests.helpers import share, url, visitor

PASSWORD = "open sesame"


def _try(client, code, password):
    return client.post(url("unlock", code), {"password": password})


@pytest.mark.django_db
def test_brute_force_from_one_address_is_throttled(user, lecture, settings):
    settings.SHARE_PASSWORD_ATTEMPTS_PER_IP = 5
    _, code = share(user, lecture=lecture, password=PASSWORD)
    attacker = visitor("198.51.100.1")
    for guess in range(5):
        assert _try(attacker, code, f"guess {guess}").status_code == 401
    blocked = _try(attacker, code, PASSWORD)
    assert blocked.status_code == 429
    assert b"Too many wrong passwords" in blocked.content
    assert 1 <= int(blocked["Retry-After"]) <= 15 * 60
    assert b"Merge sort" not in blocked.content
    assert attacker.get(url("view", code)).status_code == 401  # still locked
    # Someone else, from another address, still gets in with the password.
    friend = visitor("198.51.100.2")
    assert _try(friend, code, PASSWORD).status_code == 302
    assert friend.get(url("view", code)).status_code == 200


@pytest.mark.django_db
def test_one_address_is_throttled_across_links(user, lecture, settings):
    settings.SHARE_PASSWORD_ATTEMPTS_PER_IP = 3
    _, first = share(user, lecture=lecture, password=PASSWORD)
    _, second = share(user, lecture=lecture, password=PASSWORD)
    attacker = visitor("198.51.100.3")
    for guess in range(3):
        _try(attacker, first, f"guess {guess}")
    assert _try(attacker, second, "another guess").status_code == 429


@pytest.mark.django_db
def test_a_link_is_throttled_against_guesses_from_many_addresses(user, lecture, settings):
    settings.SHARE_PASSWORD_ATTEMPTS_PER_LINK = 4
    _, code = share(user, lecture=lecture, password=PASSWORD)
    for i in range(4):
        assert _try(visitor(f"192.0.2.{i + 1}"), code, f"guess {i}").status_code == 401
    assert _try(visitor("192.0.2.99"), code, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_limit_lifts_when_the_window_has_passed(user, lecture, settings):
    settings.SHARE_PASSWORD_ATTEMPTS_PER_IP = 2
    _, code = share(user, lecture=lecture, password=PASSWORD)
    attacker = visitor("198.51.100.4")
    _try(attacker, code, "a")
    _try(attacker, code, "b")
    assert _try(attacker, code, PASSWORD).status_code == 429
    ShareEvent.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert _try(attacker, code, PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_exactly_the_allowed_number_of_tries(user, lecture, settings):
    settings.SHARE_PASSWORD_ATTEMPTS_PER_IP = 5
    _, code = share(user, lecture=lecture, password=PASSWORD)
    statuses = in_parallel(lambda i: _try(visitor("198.51.100.5"), code, f"guess {i}").status_code, 16)
    assert sorted(statuses) == [401] * 5 + [429] * 11
    assert ShareEvent.objects.count() == 5
