"""Every sharing URL with its personas, the URL lists taken from the URLconfs (a new URL without a case fails).

The owner's pages (``apps/sharing/urls.py``): the owner (200/201 or a redirect), another user (404, nothing
changes), an anonymous visitor (sent to log in).

What a link opens (``apps/sharing/public_urls.py``): the owner, another user and an anonymous visitor who
all have the link get the content; an anonymous visitor without it (any other code) gets the 410 page and
none of the content."""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from apps.sharing import codes
from apps.sharing.models import ShareLink
from apps.sharing.public_urls import urlpatterns as public_patterns
from apps.sharing.tests.helpers import share, url
from apps.sharing.urls import urlpatterns as owner_patterns

pytestmark = pytest.mark.django_db

LINK_PASSWORD = "open sesame"


@dataclass
class Case:
    args: object  # objects -> reverse() args (for public URLs: after the code)
    get: int  # status for GET (405: POST only)
    post: int | None = None  # status for POST; None: not a form target
    data: object = field(default=lambda o: {})
    link: str = "lecture"  # public URLs: which of the objects' links the URL is opened with


OWNER_CASES = {
    "list": Case(lambda o: [], get=200),
    "create_lecture": Case(
        lambda o: [o.lecture.pk], get=200, post=201, data=lambda o: {"expires_in_days": 7, "mode": "pages"}
    ),
    "create_document": Case(lambda o: [o.document.pk], get=200, post=201, data=lambda o: {"expires_in_days": 3}),
    "revoke": Case(lambda o: [o.lecture_link.pk], get=200, post=302),
}

PUBLIC_CASES = {
    "view": Case(lambda o: [], get=200),
    "unlock": Case(lambda o: [], get=405, post=302, data=lambda o: {"password": LINK_PASSWORD}, link="locked"),
    "pages": Case(lambda o: [], get=200),
    "page": Case(lambda o: [2], get=200),
    "thumbnail": Case(lambda o: [2], get=200),
    "figure": Case(lambda o: [o.figure.pk], get=200),
    "download": Case(lambda o: [], get=200, link="document"),
    "ask": Case(lambda o: [], get=405, post=200, data=lambda o: {"question": "How does merge sort work?"}),
}


def _requests(cases, patterns):
    names = [p.name for p in patterns]
    out = []
    for name in names:
        case = cases.get(name)
        methods = ("get", "post") if case is None or case.post is not None else ("get",)
        out += [(name, m) for m in methods]
    return out


OWNER_REQUESTS = _requests(OWNER_CASES, owner_patterns)
PUBLIC_REQUESTS = _requests(PUBLIC_CASES, public_patterns)


@dataclass
class Objects:
    lecture: object
    document: object
    figure: object
    lecture_link: ShareLink
    codes: dict


@pytest.fixture
def objects(user, lecture, document):
    lecture_link, lecture_code = share(user, lecture=lecture, mode="chat")
    _, document_code = share(user, document=document)
    _, locked_code = share(user, lecture=lecture, password=LINK_PASSWORD)
    return Objects(
        lecture,
        document,
        lecture.figures.get(),
        lecture_link,
        {"lecture": lecture_code, "document": document_code, "locked": locked_code},
    )


def _snapshot():
    return list(ShareLink.objects.order_by("pk").values_list("pk", "is_active"))


def test_every_url_has_a_persona_case():
    assert set(OWNER_CASES) == {p.name for p in owner_patterns}
    assert set(PUBLIC_CASES) == {p.name for p in public_patterns}


# -- the owner's pages ------------------------------------------------------------------------------------


def _owner_request(client, objects, name, method):
    assert name in OWNER_CASES, f"sharing:{name} has no persona case"
    case = OWNER_CASES[name]
    target = reverse(f"sharing:{name}", args=case.args(objects))
    return client.get(target) if method == "get" else client.post(target, case.data(objects))


@pytest.mark.parametrize(("name", "method"), OWNER_REQUESTS)
def test_owner_pages_for_the_owner(owner_client, objects, name, method):
    case = OWNER_CASES[name]
    response = _owner_request(owner_client, objects, name, method)
    assert response.status_code == (case.get if method == "get" else case.post), response.content[:400]


@pytest.mark.parametrize(("name", "method"), OWNER_REQUESTS)
def test_owner_pages_are_404_for_another_user(other_client, objects, name, method):
    before = _snapshot()
    response = _owner_request(other_client, objects, name, method)
    # The list is the visitor's own (empty) list: it shows none of the owner's links.
    expected = 200 if name == "list" else 404
    assert response.status_code == expected
    assert objects.lecture.name.encode() not in response.content
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "method"), OWNER_REQUESTS)
def test_owner_pages_send_an_anonymous_visitor_to_log_in(anon_client, objects, name, method):
    before = _snapshot()
    response = _owner_request(anon_client, objects, name, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot() == before


# -- what a link opens ------------------------------------------------------------------------------------


def _public_request(client, objects, name, method, code=None):
    assert name in PUBLIC_CASES, f"share:{name} has no persona case"
    case = PUBLIC_CASES[name]
    target = url(name, code or objects.codes[case.link], *case.args(objects))
    return client.get(target) if method == "get" else client.post(target, case.data(objects))


def _expected(name, method):
    case = PUBLIC_CASES[name]
    return case.get if method == "get" else case.post


def _assert_share_headers(response):
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.parametrize("persona", ["owner", "other user", "anonymous with the link"])
@pytest.mark.parametrize(("name", "method"), PUBLIC_REQUESTS)
def test_everyone_with_the_link_gets_the_content(request, objects, persona, name, method):
    client = {
        "owner": lambda: request.getfixturevalue("owner_client"),
        "other user": lambda: request.getfixturevalue("other_client"),
        "anonymous with the link": Client,
    }[persona]()
    response = _public_request(client, objects, name, method)
    assert response.status_code == _expected(name, method), response.content[:400]
    if response.status_code != 405:
        _assert_share_headers(response)
    if name == "view":
        assert objects.lecture.name.encode() in response.content
        # No navigation of an account on a shared page, whoever opens it.
        assert b"/subjects/" not in response.content and b"user-menu" not in response.content


def test_the_owner_s_own_visits_are_not_counted(owner_client, other_client, objects):
    owner_client.get(url("view", objects.codes["lecture"]))
    objects.lecture_link.refresh_from_db()
    assert objects.lecture_link.view_count == 0
    other_client.get(url("view", objects.codes["lecture"]))
    objects.lecture_link.refresh_from_db()
    assert objects.lecture_link.view_count == 1


@pytest.mark.parametrize(("name", "method"), PUBLIC_REQUESTS)
def test_without_the_link_a_visitor_gets_410_and_no_content(anon_client, objects, name, method):
    before = list(ShareLink.objects.order_by("pk").values_list("pk", "view_count"))
    for code in (codes.new_code(), "short", objects.lecture_link.code_sha256):
        response = _public_request(anon_client, objects, name, method, code=code)
        assert response.status_code == (405 if _expected(name, method) == 405 else 410)
        if response.status_code == 410:
            _assert_share_headers(response)
            assert b"This link no longer works" in response.content
            assert objects.lecture.name.encode() not in response.content
            assert b"Merge sort" not in response.content
    assert list(ShareLink.objects.order_by("pk").values_list("pk", "view_count")) == before
