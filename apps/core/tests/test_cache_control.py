"""Private, no-store on what a logged-in user sees and downloads; not on static files or the public landing page."""

import pytest
from django.urls import reverse

from apps.core.security_headers import NO_STORE
from tests.factories import GeneratedDocumentFactory, completed_lecture_with_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(user, subject):
    return completed_lecture_with_files(user, subject)


def test_logged_in_pages_are_not_stored(owner_client, lecture, htmx_headers):
    for url in (
        reverse("subjects:list"),
        reverse("subjects:detail", args=[lecture.subject_id]),
        reverse("lectures:detail", args=[lecture.pk]),
        reverse("lectures:page", args=[lecture.pk, 1]),
        reverse("study:dashboard"),
        reverse("accounts:profile"),
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url
    fragment = owner_client.get(reverse("lectures:status", args=[lecture.pk]), **htmx_headers)
    assert fragment["Cache-Control"] == NO_STORE


def test_page_images_figures_and_files_are_not_stored(owner_client, lecture):
    for url in (
        reverse("lectures:thumbnail", args=[lecture.pk, 1]),
        reverse("lectures:figure", args=[lecture.pk, lecture.figure_pk]),
        reverse("lectures:file", args=[lecture.pk]),
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_a_generated_document_download_is_not_stored(owner_client, lecture):
    sheet = GeneratedDocumentFactory(lecture=lecture, doc_type="cheat_sheet")
    response = owner_client.get(reverse("documents:download", args=[sheet.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_api_answers_to_a_token_are_not_stored(api, lecture):
    response = api.get(f"/api/v1/lectures/{lecture.pk}/figures")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE
    image = api.get(f"/api/v1/lectures/{lecture.pk}/figures/{lecture.figure_pk}/image")
    assert image.status_code == 200 and image["Cache-Control"] == NO_STORE


def test_the_anonymous_landing_page_and_static_files_keep_their_caching(anon_client):
    landing = anon_client.get(reverse("home"))
    assert landing.status_code == 200
    assert "no-store" not in landing.get("Cache-Control", "")
    css = anon_client.get("/static/css/app.css")
    assert css.status_code == 200
    assert "no-store" not in css.get("Cache-Control", "")


def test_static_files_stay_cacheable_for_a_logged_in_user(owner_client):
    css = owner_client.get("/static/js/app.js")
    assert css.status_code == 200
    assert "no-store" not in css.get("Cache-Control", "")
