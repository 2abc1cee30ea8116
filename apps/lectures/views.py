from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.hygiene import rejection
from apps.lectures import selectors, services
from apps.lectures.models import LectureRole
from apps.lectures.validation import UploadRejected
from apps.subjects.selectors import get_subject_for_user


@login_required
@require_POST
def upload(request, subject_pk):
    """One file per request, so the browser can show each file's own progress and error."""
    subject = get_subject_for_user(request.user, subject_pk)
    if request.headers.get("x-requested-with") != "XMLHttpRequest":
        return _upload_without_javascript(request, subject)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": "Choose a file to upload."}, status=400)
    try:
        lecture = services.upload_lecture(
            actor=request.user, subject=subject, uploaded_file=uploaded, name=request.POST.get("name", "")
        )
    except services.UploadRateLimited as exc:
        return JsonResponse({"error": exc.message}, status=429)
    except UploadRejected as exc:
        return JsonResponse({"error": exc.message}, status=400)
    return render(request, "lectures/_row.html", {"lecture": lecture}, status=201)


def _upload_without_javascript(request, subject):
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "Choose at least one file to upload.")
    for uploaded in files:
        try:
            services.upload_lecture(actor=request.user, subject=subject, uploaded_file=uploaded)
        except UploadRejected as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"“{uploaded.name}” uploaded; processing has started.")
    return redirect("subjects:detail", pk=subject.pk)


@login_required
@vary_on_headers("HX-Request")
def lecture_detail(request, pk):
    from apps.documents.selectors import documents_for_lecture
    from apps.flashcards.selectors import cards_for_lecture
    from apps.sharing.selectors import links_for_lecture

    lecture = selectors.get_lecture_for_user(request.user, pk)
    if lecture.role == LectureRole.EXAM:
        return redirect("documents:exam", pk=lecture.pk)
    after = _int_param(request, "after")
    pages, next_after = selectors.page_batch(lecture, after=after)
    context = {
        "lecture": lecture,
        "pages": pages,
        "pages_after": after,
        "next_after": next_after,
        "figures": lecture.figures.all(),
        "documents": documents_for_lecture(request.user, lecture),
        "cards": cards_for_lecture(request.user, lecture)[:5],
        "card_count": lecture.flashcards.count(),
        "share_links": list(links_for_lecture(request.user, lecture)),
    }
    return render(request, "lectures/detail.html", context)


def _int_param(request, name: str) -> int:
    try:
        return max(0, int(request.GET.get(name, 0)))
    except ValueError:
        return 0


@login_required
def lecture_pages(request, pk):
    """The next batch of the page list (htmx loads it when the list's end scrolls into view)."""
    lecture = selectors.get_lecture_for_user(request.user, pk)
    pages, next_after = selectors.page_batch(lecture, after=_int_param(request, "after"))
    return render(request, "lectures/_page_items.html", {"lecture": lecture, "pages": pages, "next_after": next_after})


@login_required
def lecture_status(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    return render(request, "lectures/_status.html", {"lecture": lecture, "oob": False})


def _back(request, lecture):
    if request.htmx:
        return render(request, "lectures/_status.html", {"lecture": lecture, "oob": False})
    return redirect("lectures:detail", pk=lecture.pk)


def _refused(request, lecture, exc: services.RequeueRefused):
    """A toast for htmx (the status fragment stays as it is), else the lecture page with the message."""
    limited = isinstance(exc, services.RequeueRateLimited)
    if request.htmx:
        response = rejection(request, 429 if limited else 409, "rate_limited" if limited else "conflict", exc.message)
    else:
        messages.error(request, exc.message)
        response = redirect("lectures:detail", pk=lecture.pk)
    if limited:
        response["Retry-After"] = str(exc.retry_after)
    return response


@login_required
@require_POST
def lecture_retry(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    try:
        lecture = services.retry_lecture(actor=request.user, lecture=lecture)
    except services.RequeueRefused as exc:
        return _refused(request, lecture, exc)
    return _back(request, lecture)


@login_required
@require_POST
def lecture_reprocess(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    try:
        lecture = services.reprocess_lecture(actor=request.user, lecture=lecture)
    except services.RequeueRefused as exc:
        return _refused(request, lecture, exc)
    messages.info(request, "Reprocessing started. The pages and passages are rebuilt from your original file.")
    return _back(request, lecture)


@login_required
@require_POST
def lecture_clear(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    count = services.clear_memory(actor=request.user, lecture=lecture)
    messages.success(
        request, f"Cleared {count} indexed passage{'s' if count != 1 else ''}. Your file and pages are kept."
    )
    return redirect("lectures:detail", pk=lecture.pk)


@login_required
@require_POST
def lecture_password(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    password = request.POST.get("password", "")
    if not password:
        messages.error(request, "Enter the PDF's password.")
        return redirect("lectures:detail", pk=lecture.pk)
    try:
        services.unlock_with_password(actor=request.user, lecture=lecture, password=password)
    except UploadRejected as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Unlocked. Processing has started.")
    return redirect("lectures:detail", pk=lecture.pk)


@login_required
@require_http_methods(["GET", "POST"])
def lecture_delete(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    if request.method == "POST":
        subject_pk = lecture.subject_id
        name = lecture.name
        services.delete_lecture(actor=request.user, lecture=lecture)
        if request.htmx:
            return HttpResponse("")
        messages.success(request, f"“{name}” was deleted with its pages, passages and files.")
        return redirect("subjects:detail", pk=subject_pk)
    return render(request, "lectures/delete.html", {"lecture": lecture})


@login_required
def lecture_file(request, pk):
    lecture = selectors.get_lecture_for_user(request.user, pk)
    if not lecture.file:
        raise Http404("no file")
    return FileResponse(lecture.file.open("rb"), as_attachment=True, filename=lecture.original_filename)


@login_required
@vary_on_headers("HX-Request")
def page_detail(request, pk, number):
    page = selectors.get_page_for_user(request.user, pk, number)
    lecture = page.lecture
    context = {
        "lecture": lecture,
        "page": page,
        "figures": lecture.figures.filter(page=number),
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < (lecture.page_count or 0) else None,
    }
    if page.start_seconds is not None:
        context["before"], context["after"] = selectors.neighbour_pages(request.user, page)
    template = "lectures/page.html#page-view" if request.htmx else "lectures/page.html"
    return render(request, template, context)


@login_required
def page_thumbnail(request, pk, number):
    page = selectors.get_page_for_user(request.user, pk, number)
    if not page.thumbnail:
        raise Http404("no thumbnail")
    return FileResponse(page.thumbnail.open("rb"))


@login_required
def figure_image(request, pk, figure_pk):
    figure = selectors.get_figure_for_user(request.user, pk, figure_pk)
    return FileResponse(figure.image.open("rb"), filename=str(figure) + ".png")
