"""The visitor's side of a share link. Every view goes through ``access.enter`` (or, to unlock,
``access.find_open_link``) on every request, files included, and every response carries no-referrer,
noindex and no-store headers. An invalid, revoked, expired or used-up link is the same 410 page."""

import functools

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.chat.rendering import link_citations
from apps.lectures.models import Figure, LecturePage
from apps.lectures.selectors import page_batch
from apps.sharing import access, services, throttling, visitor_chat
from apps.sharing.access import Gone, Locked
from apps.sharing.throttling import Throttled
from smartnotes import ai

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "private, no-store",
}


def gone(request) -> HttpResponse:
    return render(request, "sharing/public/gone.html", status=410)


def public(view):
    """Headers on every answer; ``Gone`` as the 410 page, a missing page of a working link as a 404 in the
    same layout."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Gone:
            response = gone(request)
        except Http404:
            response = render(request, "sharing/public/missing.html", {"code": kwargs.get("code")}, status=404)
        for name, value in HEADERS.items():
            response[name] = value
        return response

    return wrapper


def same_site_post(view):
    """CSRF protection for the two forms of a shared page, which ``Referrer-Policy: no-referrer`` keeps from
    Django's check: browsers then send ``Origin: null`` and no Referer, so the origin check refuses every
    post. Instead: the browser's Fetch Metadata must say the post comes from this site (when it sends it),
    and the session cookie is SameSite=Lax, so a post from another site never acts on a visitor's session.
    Both views only read the shared material or record an unlock in the posting browser's own session."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return HttpResponse("Cross-site request refused.", status=403, content_type="text/plain")
        return view(request, *args, **kwargs)

    return wrapper


def _locked_page(request, link, code, *, error="", status=401, retry_after=None):
    context = {"link": link, "code": code, "error": error, "throttled": status == 429}
    response = render(request, "sharing/public/password.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@public
@require_GET
def landing(request, code):
    try:
        entry = access.enter(request, code)
    except Locked as locked:
        return _locked_page(request, locked.link, code)
    if entry.document is not None:
        return render(request, "sharing/public/document.html", _document_context(entry))
    return render(request, "sharing/public/lecture.html", _lecture_context(entry, _after(request)))


def _after(request) -> int:
    try:
        return max(0, int(request.GET.get("after", 0)))
    except ValueError:
        return 0


def _lecture_context(entry, after: int = 0) -> dict:
    lecture = entry.lecture
    pages, next_after = page_batch(lecture, after=after)
    return {
        "entry": entry,
        "code": entry.code,
        "lecture": lecture,
        "pages": pages,
        "pages_after": after,
        "next_after": next_after,
        "figures": lecture.figures.all(),
        "offline": ai.is_offline() if entry.link.with_chat else False,
    }


def _document_context(entry) -> dict:
    document = entry.document
    sheet = document.content if document.doc_type == "cheat_sheet" else None
    return {"entry": entry, "code": entry.code, "document": document, "sheet": sheet}


@public
@same_site_post
@require_POST
def unlock(request, code):
    link = access.find_open_link(code)
    if access.is_unlocked(request, link):
        return redirect("share:view", code=code)
    password = request.POST.get("password", "")
    if not password:
        return _locked_page(request, link, code, error="Enter the password.", status=400)
    try:
        ok = services.unlock(link, password, throttling.client_key(request))
    except Throttled as exc:
        return _locked_page(request, link, code, error=exc.message, status=429, retry_after=exc.retry_after)
    if not ok:
        return _locked_page(request, link, code, error="That password is not right.")
    access.mark_unlocked(request, link)
    return redirect("share:view", code=code)


def _enter_lecture(request, code, *, touch=True):
    entry = access.enter(request, code, touch=touch)
    if entry.lecture is None:
        raise Http404("this link shares a document")
    return entry


@public
@require_GET
def page(request, code, number):
    try:
        entry = _enter_lecture(request, code)
    except Locked:
        return redirect("share:view", code=code)
    lecture = entry.lecture
    page = get_object_or_404(LecturePage, lecture=lecture, number=number)
    context = {
        "entry": entry,
        "code": code,
        "lecture": lecture,
        "page": page,
        "figures": lecture.figures.filter(page=number),
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < (lecture.page_count or 0) else None,
    }
    return render(request, "sharing/public/page.html", context)


@public
@require_GET
def pages(request, code):
    """The next batch of the shared lecture's page list (loaded as the list's end scrolls into view)."""
    entry = _file_entry(request, code)
    if entry is None:
        return _locked_file()
    batch, next_after = page_batch(entry.lecture, after=_after(request))
    context = {"code": code, "lecture": entry.lecture, "pages": batch, "next_after": next_after}
    return render(request, "sharing/public/_page_items.html", context)


def _file_entry(request, code, *, lecture=True):
    try:
        entry = _enter_lecture(request, code, touch=False) if lecture else access.enter(request, code, touch=False)
    except Locked:
        return None
    return entry


def _locked_file():
    return HttpResponse("Enter the link's password first.", status=403, content_type="text/plain")


@public
@require_GET
def thumbnail(request, code, number):
    entry = _file_entry(request, code)
    if entry is None:
        return _locked_file()
    page = get_object_or_404(LecturePage, lecture=entry.lecture, number=number)
    if not page.thumbnail:
        raise Http404("no thumbnail")
    return FileResponse(page.thumbnail.open("rb"), content_type="image/jpeg")


@public
@require_GET
def figure(request, code, figure_pk):
    entry = _file_entry(request, code)
    if entry is None:
        return _locked_file()
    item = get_object_or_404(Figure, lecture=entry.lecture, pk=figure_pk)
    return FileResponse(item.image.open("rb"), filename=str(item) + ".png")


@public
@require_GET
def download(request, code):
    entry = _file_entry(request, code, lecture=False)
    if entry is None:
        return _locked_file()
    document = entry.document
    if document is None:
        raise Http404("this link shares a lecture")
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file_name)


def _share_citation(code):
    def link(citation, label=None):
        url = reverse("share:page", args=[code, citation["page"]])
        text = label or f"{citation['lecture_name']}, p. {citation['page']}"
        return format_html('<a class="citation" href="{}" title="{}">{}</a>', url, citation.get("snippet", ""), text)

    return link


@public
@same_site_post
@require_POST
def ask(request, code):
    try:
        entry = _enter_lecture(request, code)
    except Locked:
        return _locked_file()
    if not entry.link.with_chat:
        raise Http404("this link does not include chat")
    status, retry_after, error, result = 200, None, "", None
    try:
        question = visitor_chat.clean_question(request.POST.get("question", ""))
        services.admit_question(entry.link, throttling.client_key(request))
    except visitor_chat.InvalidQuestion as exc:
        status, error = 400, exc.message
    except Throttled as exc:
        status, error, retry_after = 429, exc.message, exc.retry_after
    else:
        result = visitor_chat.answer(entry.link, question)
    context = {"code": code, "error": error, "answer": result}
    if result is not None:
        link = _share_citation(code)
        html = link_citations(ai.render_markdown(result.content), result.citations, link=link)
        context["answer_html"] = mark_safe(html)  # noqa: S308 - sanitised by nh3, pills built with format_html
        context["sources"] = [link(c) for c in result.citations]
    if request.htmx:
        response = render(request, "sharing/public/_answer.html", context, status=status)
    else:
        context.update(_lecture_context(entry))
        response = render(request, "sharing/public/lecture.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
