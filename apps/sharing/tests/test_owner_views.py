"""The owner's side: the Share form (with the operator's maximum expiry), the link shown once with a copy
button, the list with views and last access, revoking with confirmation, the links on the lecture page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.sharing.models import ShareLink
from apps.sharing.tests.helpers import share, url, visitor
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db


def _create(client, lecture, **data):
    return client.post(reverse("sharing:create_lecture", args=[lecture.pk]), {"mode": "pages", **data})


def test_creating_a_link_shows_it_once_with_a_copy_button(owner_client, lecture):
    response = _create(owner_client, lecture, expires_in_days=5, max_views=3, password="open sesame", mode="chat")
    assert response.status_code == 201
    html = response.content.decode()
    share_url = re.search(r'id="share-url" class="share-url" value="([^"]+)"', html).group(1)
    assert "data-copy-button" in html and "cannot be shown again" in html
    link = ShareLink.objects.get()
    assert (link.max_views, link.mode, link.has_password) == (3, "chat", True)
    assert timedelta(days=4, hours=23) < link.expires_at - timezone.now() <= timedelta(days=5)
    assert link.password_hash.startswith("md5$") or link.password_hash.startswith("pbkdf2")
    code = share_url.rsplit("/s/", 1)[1].strip("/")
    assert visitor().get(url("view", code)).status_code == 401  # password first
    # Nowhere else shows the code again.
    for page in (reverse("sharing:list"), reverse("lectures:detail", args=[lecture.pk])):
        assert code not in owner_client.get(page).content.decode()


def test_the_expiry_is_capped_by_the_operator_setting(owner_client, lecture, settings):
    settings.SHARE_MAX_DAYS = 3
    form = owner_client.get(reverse("sharing:create_lecture", args=[lecture.pk])).content.decode()
    assert 'max="3"' in form and "At most 3 days" in form and 'value="3"' in form
    refused = _create(owner_client, lecture, expires_in_days=4)
    assert refused.status_code == 400
    assert "at most 3 days" in refused.content.decode()
    assert not ShareLink.objects.exists()
    assert _create(owner_client, lecture, expires_in_days=3).status_code == 201


def test_the_form_refuses_bad_values_clearly(owner_client, lecture):
    for data, message in [
        ({"expires_in_days": 0}, "greater than or equal to 1"),
        ({"expires_in_days": 7, "max_views": 0}, "greater than or equal to 1"),
        ({"expires_in_days": 7, "password": "abc"}, "at least 4 characters"),
        ({"expires_in_days": ""}, "This field is required"),
    ]:
        response = _create(owner_client, lecture, **data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_lecture_still_processing_cannot_be_shared_yet(owner_client, user, subject):
    pending = LectureFactory(owner=user, subject=subject, status="processing")
    response = _create(owner_client, pending, expires_in_days=7)
    assert response.status_code == 400
    assert "once it has been read" in response.content.decode()


def test_a_document_is_shared_for_download_from_its_page(owner_client, document):
    detail = owner_client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    create_url = reverse("sharing:create_document", args=[document.pk])
    assert create_url in detail
    form = owner_client.get(create_url).content.decode()
    assert 'name="mode"' not in form
    assert owner_client.post(create_url, {"expires_in_days": 2}).status_code == 201
    link = ShareLink.objects.get()
    assert link.document_id == document.pk and link.lecture_id is None and link.mode == "pages"


def test_the_list_shows_states_views_and_last_access(owner_client, user, lecture, document):
    used, used_code = share(user, lecture=lecture, max_views=1)
    revoked, _ = share(user, document=document)
    ShareLink.objects.filter(pk=revoked.pk).update(is_active=False)
    visitor().get(url("view", used_code))
    html = owner_client.get(reverse("sharing:list")).content.decode()
    row = re.search(rf'<tr id="share-link-{used.pk}" data-state="used_up">(.*?)</tr>', html, re.S).group(1)
    assert "1 of 1" in row and "ago" in row and "Used up" in row
    row = re.search(rf'<tr id="share-link-{revoked.pk}" data-state="revoked">(.*?)</tr>', html, re.S).group(1)
    assert "Never opened" in row and "Revoke</button>" not in row


def test_an_empty_list_says_how_to_share(owner_client):
    assert "No share links yet" in owner_client.get(reverse("sharing:list")).content.decode()


def test_the_lecture_page_lists_its_links_with_revoke_behind_a_confirmation(owner_client, user, lecture):
    link, _ = share(user, lecture=lecture, mode="chat")
    html = owner_client.get(reverse("lectures:detail", args=[lecture.pk])).content.decode()
    section = html[html.index('id="share-links"') :]
    assert 'Share links <span class="muted small">(1)</span>' in section
    assert reverse("sharing:create_lecture", args=[lecture.pk]) in section
    assert "Pages + chat" in section and 'data-confirm="Revoke this link' in section


def test_revoking_asks_first_then_returns_where_the_owner_was(owner_client, user, lecture):
    link, code = share(user, lecture=lecture)
    revoke = reverse("sharing:revoke", args=[link.pk])
    confirm = owner_client.get(revoke)
    assert "stops working at once" in confirm.content.decode()
    link.refresh_from_db()
    assert link.is_active
    back = reverse("lectures:detail", args=[lecture.pk]) + "#share-links"
    response = owner_client.post(revoke, {"next": back})
    assert response["Location"] == back
    assert visitor().get(url("view", code)).status_code == 410
    # Another site is never a place to return to.
    assert owner_client.post(revoke, {"next": "https://evil.example/"})["Location"] == reverse("sharing:list")
    # Nor a word, which redirect() would look up as a view name (that was a 500).
    assert owner_client.post(revoke, {"next": "my notes"})["Location"] == reverse("sharing:list")
