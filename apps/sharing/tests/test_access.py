"""What a link lets through, checked on every request: the same 410 page for every dead link, one view per
visitor session, revocation and expiry at once (files included), passwords remembered per link and session."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.sharing import services
from apps.sharing.models import ShareLink
from apps.sharing.tests.helpers import share, url, visitor

pytestmark = pytest.mark.django_db

CONTENT = b"Merge sort splits the list"


def _page_html(response) -> str:
    # The only per-request part of a page: the CSRF token.
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def test_invalid_expired_revoked_and_used_up_links_all_show_the_same_410_page(user, lecture):
    _, expired = share(user, lecture=lecture)
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # the only link so far
    revoked_link, revoked = share(user, lecture=lecture)
    services.revoke_link(actor=user, link=revoked_link)
    _, used_up = share(user, lecture=lecture, max_views=1)
    assert visitor().get(url("view", used_up)).status_code == 200
    pages = []
    for code in ("not-a-real-code-" + "x" * 30, expired, revoked, used_up):
        response = visitor().get(url("view", code))
        assert response.status_code == 410
        assert CONTENT not in response.content and lecture.name.encode() not in response.content
        pages.append(_page_html(response))
    assert len(set(pages)) == 1
    assert "This link no longer works" in pages[0]


def test_a_view_counts_once_per_visitor_session(shared):
    link, code = shared
    alice = visitor()
    for _ in range(3):
        assert CONTENT in alice.get(url("view", code)).content
    assert alice.get(url("page", code, 2)).status_code == 200
    assert alice.get(url("thumbnail", code, 2)).status_code == 200
    link.refresh_from_db()
    assert link.view_count == 1
    assert link.last_accessed_at is not None
    visitor().get(url("view", code))
    link.refresh_from_db()
    assert link.view_count == 2


def test_a_used_up_link_still_serves_the_visitors_who_were_counted(user, lecture):
    link, code = share(user, lecture=lecture, max_views=1)
    first = visitor()
    assert first.get(url("view", code)).status_code == 200
    assert visitor().get(url("view", code)).status_code == 410
    assert visitor().get(url("thumbnail", code, 1)).status_code == 410
    # The one counted visitor keeps reading.
    assert first.get(url("page", code, 3)).status_code == 200
    assert first.get(url("thumbnail", code, 3)).status_code == 200
    link.refresh_from_db()
    assert link.view_count == 1


def test_revoking_stops_pages_thumbnails_figures_and_downloads_at_once(user, lecture, document):
    link, code = share(user, lecture=lecture)
    doc_link, doc_code = share(user, document=document)
    reader = visitor()
    figure = lecture.figures.get()
    open_urls = [url("page", code, 1), url("thumbnail", code, 1), url("figure", code, figure.pk)]
    assert reader.get(url("view", code)).status_code == 200
    assert reader.get(url("view", doc_code)).status_code == 200
    for target in open_urls:
        response = reader.get(target)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
    download = reader.get(url("download", doc_code))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"PK")

    services.revoke_link(actor=user, link=link)
    services.revoke_link(actor=user, link=doc_link)
    for target in [*open_urls, url("view", code), url("download", doc_code)]:
        response = reader.get(target)
        assert response.status_code == 410, target
        assert response["Referrer-Policy"] == "no-referrer"
        assert b"This link no longer works" in response.content


def test_expiry_is_checked_on_file_requests_too(shared, lecture):
    link, code = shared
    reader = visitor()
    assert reader.get(url("thumbnail", code, 1)).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reader.get(url("thumbnail", code, 1)).status_code == 410
    assert reader.get(url("figure", code, lecture.figures.get().pk)).status_code == 410


def test_a_deleted_lecture_takes_its_links_with_it(shared, lecture):
    _, code = shared
    lecture.delete()
    assert visitor().get(url("view", code)).status_code == 410


def test_a_password_link_shows_nothing_until_unlocked_and_counts_the_view_then(user, lecture):
    link, code = share(user, lecture=lecture, password="open sesame", max_views=5)
    reader = visitor()
    locked = reader.get(url("view", code))
    assert locked.status_code == 401
    assert b'name="password"' in locked.content and CONTENT not in locked.content
    assert reader.get(url("thumbnail", code, 1)).status_code == 403
    assert reader.get(url("page", code, 1))["Location"] == url("view", code)
    assert reader.post(url("ask", code), {"question": "merge sort?"}).status_code == 403

    wrong = reader.post(url("unlock", code), {"password": "open sesame!"})
    assert wrong.status_code == 401 and b"That password is not right." in wrong.content
    link.refresh_from_db()
    assert link.view_count == 0

    assert reader.post(url("unlock", code), {"password": "open sesame"})["Location"] == url("view", code)
    assert CONTENT in reader.get(url("view", code)).content
    assert reader.get(url("thumbnail", code, 1)).status_code == 200
    link.refresh_from_db()
    assert link.view_count == 1
    # A visitor's unlock lasts for the browser session only: the cookie has no expiry date.
    assert reader.cookies["sessionid"]["expires"] == "" and reader.cookies["sessionid"]["max-age"] == ""


def test_an_unlock_opens_only_that_link_in_that_session(user, lecture):
    _, first = share(user, lecture=lecture, password="same password")
    _, second = share(user, lecture=lecture, password="same password")
    reader = visitor()
    reader.post(url("unlock", first), {"password": "same password"})
    assert reader.get(url("view", first)).status_code == 200
    assert reader.get(url("view", second)).status_code == 401
    assert visitor().get(url("view", first)).status_code == 401


def test_a_document_link_opens_only_its_download(user, document):
    _, code = share(user, document=document)
    reader = visitor()
    response = reader.get(url("view", code))
    assert response.status_code == 200
    assert b"Download" in response.content and b"A variable names a value." in response.content
    assert reader.get(url("page", code, 1)).status_code == 404
    assert reader.get(url("thumbnail", code, 1)).status_code == 404
    assert reader.post(url("ask", code), {"question": "variables?"}).status_code == 404


def test_a_pages_only_link_has_no_chat(user, lecture):
    _, code = share(user, lecture=lecture)
    reader = visitor()
    assert b"Ask this lecture" not in reader.get(url("view", code)).content
    response = reader.post(url("ask", code), {"question": "merge sort?"})
    assert response.status_code == 404
    assert response["X-Robots-Tag"].startswith("noindex")


def test_shared_pages_hide_the_owner_s_account_and_other_material(user, subject, lecture, other_client):
    from apps.sharing.tests.helpers import read_lecture

    read_lecture(user, subject, name="Private diary")
    _, code = share(user, lecture=lecture, mode="chat")
    for client in (visitor(), other_client):
        for target in (url("view", code), url("page", code, 1)):
            html = client.get(target).content.decode()
            assert user.username not in html and "Private diary" not in html and subject.name not in html
            assert "/ws/events/" not in html and 'href="/subjects/' not in html
            assert '<meta name="referrer" content="no-referrer">' in html


def test_posts_from_another_site_are_refused(user, lecture):
    _, code = share(user, lecture=lecture, password="open sesame", mode="chat")
    reader = visitor()
    for name, data in (("unlock", {"password": "open sesame"}), ("ask", {"question": "merge sort?"})):
        response = reader.post(url(name, code), data, HTTP_SEC_FETCH_SITE="cross-site")
        assert response.status_code == 403
    assert reader.get(url("view", code)).status_code == 401
    # The share page's own form (same origin; no-referrer makes the browser send Origin: null) goes through.
    response = reader.post(
        url("unlock", code), {"password": "open sesame"}, HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="null"
    )
    assert response.status_code == 302
