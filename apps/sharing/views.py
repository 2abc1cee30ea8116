"""The owner's side of share links: create (from a lecture or a document), list, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.documents.selectors import get_document_for_user
from apps.lectures.selectors import get_lecture_for_user
from apps.sharing import selectors, services
from apps.sharing.forms import ShareLinkForm


@login_required
def link_list(request):
    links = selectors.links_for_user(request.user)
    return render(request, "sharing/list.html", {"links": links})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def create_for_lecture(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    back = reverse("lectures:detail", args=[lecture.pk]) + "#share-links"
    return _create(request, {"lecture": lecture}, lecture.name, back)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def create_for_document(request, document_pk):
    document = get_document_for_user(request.user, document_pk)
    return _create(request, {"document": document}, document.title, reverse("documents:detail", args=[document.pk]))


def _create(request, target: dict, name: str, back: str):
    for_lecture = "lecture" in target
    form = ShareLinkForm(request.POST or None, for_lecture=for_lecture)
    context = {"form": form, "name": name, "back": back, "for_lecture": for_lecture, **target}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_link(
                actor=request.user,
                password=data["password"],
                expires_in_days=data["expires_in_days"],
                max_views=data["max_views"],
                mode=form.cleaned_mode(),
                **target,
            )
        except services.ShareRefused as exc:
            form.add_error(None, exc.message)
        else:
            # The code exists only in this response: the database keeps its SHA-256 alone.
            url = request.build_absolute_uri(reverse("share:view", args=[created.code]))
            context.update(link=created.link, url=url)
            return render(request, "sharing/created.html", context, status=201)
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/create.html", context, status=status)


def _next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: redirect() would take any other word for a view name (NoReverseMatch, a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    link = selectors.get_link_for_user(request.user, pk)
    back = _next(request, reverse("sharing:list"))
    if request.method == "POST":
        services.revoke_link(actor=request.user, link=link)
        messages.success(request, f"The link to “{link.target_name}” was revoked. It stopped working at once.")
        return redirect(back)
    return render(request, "sharing/revoke.html", {"link": link, "back": back})
