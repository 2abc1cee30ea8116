"""Fragments cached under a digest of what they render (apps/core/fragments.py): never stale, never shared
between users, no CSRF token cached; the pages render the same HTML from the cache as without it."""

import re

import pytest
from django.template import Context, Template
from django.test import Client

from apps.core import fragments
from apps.lectures.models import LecturePage
from apps.subjects.models import Subject
from tests.factories import FlashcardFactory, LectureFactory, SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_fragment_cache():
    fragments.cache().clear()
    yield
    fragments.cache().clear()


def test_a_renamed_subject_shows_its_new_name_at_once(owner_client, subject):
    assert "Algorithms" in owner_client.get("/subjects/").content.decode()
    Subject.objects.filter(pk=subject.pk).update(name="Graph theory")
    html = owner_client.get("/subjects/").content.decode()
    assert "Graph theory" in html
    assert "Algorithms" not in html


def test_a_lecture_row_follows_its_status_at_once(owner_client, user, subject):
    lecture = LectureFactory(owner=user, subject=subject, name="Week 1", status="processing")
    assert 'data-status="processing"' in owner_client.get(f"/subjects/{subject.pk}/").content.decode()
    type(lecture).objects.filter(pk=lecture.pk).update(status="completed", page_count=4)
    html = owner_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert 'data-status="completed"' in html
    assert "4 pages" in html


def test_two_users_never_see_each_others_fragment(owner_client, other_client, user, other_user):
    mine = SubjectFactory(user=user, name="Same name", color="#112233", icon="book")
    theirs = SubjectFactory(user=other_user, name="Same name", color="#112233", icon="book")
    for _ in range(2):  # the second round is served from the cache
        my_page = owner_client.get("/subjects/").content.decode()
        their_page = other_client.get("/subjects/").content.decode()
        assert f'id="subject-{mine.pk}"' in my_page and f'id="subject-{theirs.pk}"' not in my_page
        assert f'id="subject-{theirs.pk}"' in their_page and f'id="subject-{mine.pk}"' not in their_page
        assert user.username in my_page and other_user.username not in my_page
        assert other_user.username in their_page and user.username not in their_page


def test_a_cached_form_carries_the_requests_own_csrf_token(user, subject):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(user)
    second.force_login(user)
    first.get("/subjects/")  # fills the cache with the card and its delete form
    html = second.get("/subjects/").content.decode()
    assert fragments.CSRF_PLACEHOLDER not in html
    delete_form = rf'action="/subjects/{subject.pk}/delete/".*?name="csrfmiddlewaretoken" value="([^"]+)"'
    form = re.search(delete_form, html, re.S)
    response = second.post(f"/subjects/{subject.pk}/delete/", {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code in (200, 302)
    assert not Subject.objects.filter(pk=subject.pk).exists()


@pytest.mark.parametrize("path", ["/subjects/", "subject", "lecture"])
def test_pages_render_the_same_from_the_cache(owner_client, user, subject, path):
    lecture = LectureFactory(owner=user, subject=subject, status="completed", page_count=2)
    LecturePage.objects.bulk_create(LecturePage(lecture=lecture, number=n, text=f"Page {n} text") for n in (1, 2))
    FlashcardFactory(lecture=lecture, source_page=2)
    path = {"subject": f"/subjects/{subject.pk}/", "lecture": f"/lectures/{lecture.pk}/"}.get(path, path)
    token = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|data-csrf=")[^"]+')
    cold = token.sub(r"\1", owner_client.get(path).content.decode())
    warm = token.sub(r"\1", owner_client.get(path).content.decode())
    assert cold == warm


def test_the_body_sees_only_its_values_and_is_keyed_by_them(subject):
    page = Template("{% cachedfragment subject=subject %}{{ subject.name }}|{{ secret }}{% endcachedfragment %}")
    assert page.render(Context({"subject": subject, "secret": "hidden"})) == "Algorithms|"
    subject.name = "Renamed"
    assert page.render(Context({"subject": subject, "secret": "hidden"})) == "Renamed|"


def test_the_digest_changes_with_every_rendered_value(subject):
    before = fragments.digest({"subject": Subject.objects.get(pk=subject.pk)})
    for field, value in [("name", "Other"), ("color", "#000000"), ("description", "New"), ("icon", "code")]:
        changed = Subject.objects.get(pk=subject.pk)
        setattr(changed, field, value)
        assert fragments.digest({"subject": changed}) != before, field
    assert fragments.digest({"subject": Subject.objects.get(pk=subject.pk)}) == before


def test_a_value_it_cannot_key_is_rendered_uncached():
    page = Template("{% cachedfragment thing=thing %}{{ thing }}{% endcachedfragment %}")
    assert page.render(Context({"thing": object()})).startswith("&lt;object object")
    assert fragments.cache().get_many([]) == {}
    with pytest.raises(TypeError):
        fragments.digest({"thing": object()})


def test_a_body_that_loads_a_relation_is_not_stored(user, subject):
    lecture = LectureFactory(owner=user, subject=subject)
    fresh = type(lecture).objects.get(pk=lecture.pk)  # subject not loaded yet
    page = Template("{% cachedfragment lecture=lecture %}{{ lecture.subject.name }}{% endcachedfragment %}")
    assert page.render(Context({"lecture": fresh})) == "Algorithms"
    assert not fragments.cache()._cache  # the key did not cover the subject it read
