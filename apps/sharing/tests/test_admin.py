"""Moderation of share links in the admin: the list shows state and views; Deactivate stops a link at once."""

import pytest
from django.urls import reverse

from apps.sharing.tests.helpers import url, visitor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_deactivate_stops_the_link_and_the_list_shows_its_views(client, shared):
    link, code = shared
    assert visitor().get(url("view", code)).status_code == 200
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:sharing_sharelink_changelist")
    listed = client.get(changelist)
    assert listed.context["cl"].result_list[0].view_count == 1
    assert "Active" in listed.content.decode()

    response = client.post(changelist, {"action": "deactivate", "_selected_action": [link.pk]}, follow=True)

    assert "1 link(s) deactivated." in response.content.decode()
    link.refresh_from_db()
    assert not link.is_active
    assert visitor("198.51.100.9").get(url("view", code)).status_code == 410
