"""The study dashboard, the reading heartbeat of lecture and page views, and the remedial flashcard set."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.lectures.models import LectureRole, LectureStatus
from apps.lectures.selectors import get_lecture_for_user
from apps.study import selectors, services

REMEDIAL_CARDS = 10


@login_required
@require_safe
def dashboard(request):
    board = selectors.dashboard(request.user)
    return render(request, "study/dashboard.html", {"board": board, "charts": board.chart_data()})


@login_required
@require_POST
def reading(request):
    """A heartbeat of static/js/study.js: seconds of visible, active reading and the view it belongs to."""
    lecture_id, page, seconds = (request.POST.get(k, "") for k in ("lecture", "page", "seconds"))
    if not lecture_id.isdigit() or (page and not page.isdigit()) or (seconds and not seconds.isdigit()):
        return HttpResponseBadRequest("lecture, page and seconds are numbers")
    lecture = get_lecture_for_user(request.user, int(lecture_id))
    if lecture.role != LectureRole.LECTURE or lecture.status != LectureStatus.COMPLETED:
        return HttpResponse(status=204)
    page_number = int(page) if page else None
    if page_number is not None and not 1 <= page_number <= (lecture.page_count or 0):
        return HttpResponseBadRequest("no such page")
    services.record_reading(
        user=request.user,
        lecture=lecture,
        page=page_number,
        seconds=int(seconds or 0),
        view=request.POST.get("view", ""),
    )
    return HttpResponse(status=204)


@login_required
@require_POST
def remedial(request):
    """Make flashcards from your weakest pages: a flashcard generation over the weakest lecture's weak pages."""
    from apps.flashcards import services as flashcards

    target = selectors.remedial_target(selectors.weak_pages_for_user(request.user))
    if target is None:
        messages.info(request, "No weak pages yet: take a quiz or review some cards first.")
        return redirect("study:dashboard")
    lecture = get_lecture_for_user(request.user, target["lecture_id"])
    try:
        flashcards.request_generation(actor=request.user, lecture=lecture, count=REMEDIAL_CARDS, pages=target["pages"])
    except flashcards.FlashcardsRefused as exc:
        messages.error(request, exc.message)
        return redirect("study:dashboard")
    pages = ", ".join(str(p) for p in target["pages"])
    messages.success(
        request, f"Making flashcards from {lecture.name}, page{'s' if len(target['pages']) != 1 else ''} {pages}."
    )
    return redirect(reverse("flashcards:lecture", args=[lecture.pk]))
