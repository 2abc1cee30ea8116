"""The daily clean-up: expired links are deleted, live and revoked ones kept; old rate-limit events go too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.sharing import tasks
from apps.sharing.models import EventKind, ShareEvent, ShareLink
from apps.sharing.tests.helpers import share

pytestmark = pytest.mark.django_db


def test_expired_links_are_deleted_daily(user, lecture):
    expired, _ = share(user, lecture=lecture)
    live, _ = share(user, lecture=lecture)
    revoked, _ = share(user, lecture=lecture)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    ShareLink.objects.filter(pk=revoked.pk).update(is_active=False)
    ShareEvent.objects.create(link=live, kind=EventKind.WRONG_PASSWORD, client="a")
    ShareEvent.objects.create(
        link=live, kind=EventKind.QUESTION, client="b", created_at=timezone.now() - timedelta(days=2)
    )

    assert tasks.delete_expired_links() == {"links": 1, "events": 1}
    assert set(ShareLink.objects.values_list("pk", flat=True)) == {live.pk, revoked.pk}
    assert list(ShareEvent.objects.values_list("client", flat=True)) == ["a"]


def test_the_clean_up_is_scheduled_daily():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="delete-expired-share-links")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "apps.sharing.tasks.delete_expired_links",
        Schedule.DAILY,
        -1,
    )
