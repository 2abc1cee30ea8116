"""Flashcards: a lecture's cards (generate, write, edit, suspend, delete, bulk, search, Anki in and out) and the
keyboard-first review page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from apps.flashcards import anki_io, cards, reviewing, selectors, services
from apps.flashcards.models import CardType, Flashcard
from apps.lectures.selectors import get_lecture_for_user
from apps.subjects.models import Subject
from apps.subjects.selectors import get_subject_for_user

PAGE_SIZE = 50


def _lecture_url(lecture, anchor=""):
    return reverse("flashcards:lecture", args=[lecture.pk]) + anchor


# --- a lecture's cards -----------------------------------------------------------------------------------


@login_required
@require_safe
@vary_on_headers("HX-Request")
def lecture_cards(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    query, state = request.GET.get("q", ""), request.GET.get("state", "")
    page = Paginator(selectors.cards_for_lecture(request.user, lecture, query=query, state=state), PAGE_SIZE)
    context = {
        "lecture": lecture,
        "page_obj": page.get_page(request.GET.get("page")),
        "query": query,
        "state": state,
        "total": lecture.flashcards.count(),
        "generations": selectors.generations_for_lecture(request.user, lecture)[:3],
        "card_types": CardType.choices,
    }
    template = "flashcards/lecture.html#card-list" if request.htmx else "flashcards/lecture.html"
    return render(request, template, context)


@login_required
@require_POST
def generate_cards(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    try:
        services.request_generation(actor=request.user, lecture=lecture, count=request.POST.get("count", 30))
    except services.FlashcardsRefused as exc:
        messages.error(request, exc.message)
        response = redirect(_lecture_url(lecture))
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response
    messages.info(request, "Making flashcards from your notes. New cards appear here when it is done.")
    return redirect(_lecture_url(lecture, "#generate"))


@login_required
@require_safe
def generation_status(request, pk):
    generation = selectors.get_generation_for_user(request.user, pk)
    return render(request, "flashcards/_generation.html", {"generation": generation, "oob": False})


@login_required
@require_POST
def generation_retry(request, pk):
    generation = selectors.get_generation_for_user(request.user, pk)
    services.retry_generation(actor=request.user, generation=generation)
    return redirect(_lecture_url(generation.lecture, "#generate"))


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    if request.method == "POST":
        try:
            cards.create_card(
                actor=request.user,
                lecture=lecture,
                question=request.POST.get("question", ""),
                answer=request.POST.get("answer", ""),
                card_type=request.POST.get("card_type", CardType.BASIC),
                source_page=request.POST.get("source_page"),
                tags=request.POST.get("tags", ""),
            )
        except cards.CardRefused as exc:
            messages.error(request, exc.message)
            return render(request, "flashcards/edit.html", {"lecture": lecture, "form": request.POST}, status=400)
        messages.success(request, "Card added.")
        return redirect(_lecture_url(lecture))
    return render(request, "flashcards/edit.html", {"lecture": lecture, "form": {}})


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request, pk):
    card = selectors.get_card_for_user(request.user, pk)
    back = request.GET.get("next") or request.POST.get("next") or _lecture_url(card.lecture)
    # A path of this site only: a browser reads ``/\host`` as another host.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = _lecture_url(card.lecture)
    if request.method == "POST":
        try:
            cards.update_card(
                actor=request.user,
                card=card,
                question=request.POST.get("question", ""),
                answer=request.POST.get("answer", ""),
                tags=request.POST.get("tags", ""),
                source_page=request.POST.get("source_page", ""),
            )
        except cards.CardRefused as exc:
            messages.error(request, exc.message)
            context = {"lecture": card.lecture, "card": card, "form": request.POST, "next": back}
            return render(request, "flashcards/edit.html", context, status=400)
        messages.success(request, "Card saved.")
        return redirect(back)
    form = {
        "question": card.question,
        "answer": card.answer,
        "tags": " ".join(card.tags),
        "source_page": card.source_page or "",
    }
    return render(request, "flashcards/edit.html", {"lecture": card.lecture, "card": card, "form": form, "next": back})


@login_required
@require_POST
def card_suspend(request, pk):
    card = selectors.get_card_for_user(request.user, pk)
    cards.set_suspended(actor=request.user, card=card, suspended=request.POST.get("suspended", "1") == "1")
    if request.htmx:
        return render(request, "flashcards/_card_row.html", {"card": card})
    return redirect(_lecture_url(card.lecture))


@login_required
@require_http_methods(["GET", "POST"])
def card_delete(request, pk):
    card = selectors.get_card_for_user(request.user, pk)
    if request.method == "POST":
        lecture = card.lecture
        cards.delete_card(actor=request.user, card=card)
        if request.htmx:
            return HttpResponse("")
        messages.success(request, "Card deleted.")
        return redirect(_lecture_url(lecture))
    return render(request, "flashcards/delete.html", {"card": card})


@login_required
@require_POST
def bulk(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    try:
        count = cards.bulk_action(
            actor=request.user,
            card_ids=request.POST.getlist("card"),
            action=request.POST.get("action", ""),
            tag=request.POST.get("tag", ""),
        )
    except cards.CardRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{count} card{'s' if count != 1 else ''} changed.")
    return redirect(_lecture_url(lecture))


@login_required
@require_POST
def from_quiz(request, attempt_pk):
    from apps.documents.models import QuizAttempt

    attempt = QuizAttempt.objects.filter(owner=request.user, pk=attempt_pk).select_related("document").first()
    if attempt is None:
        raise Http404("no such attempt")
    created, skipped = cards.cards_from_missed_questions(actor=request.user, attempt=attempt)
    if created:
        messages.success(request, f"{created} missed question{'s' if created != 1 else ''} added to your flashcards.")
    else:
        messages.info(request, "Those questions are already in your flashcards.")
    return redirect(_lecture_url(attempt.document.lecture))


# --- Anki and CSV ----------------------------------------------------------------------------------------


@login_required
@require_safe
def export_deck(request, scope, pk, fmt):
    if scope not in ("lecture", "subject") or fmt not in ("apkg", "csv"):
        raise Http404("no such export")
    if scope == "lecture":
        lecture = get_lecture_for_user(request.user, pk)
        subject = lecture.subject
    else:
        subject, lecture = get_subject_for_user(request.user, pk), None
    exported = anki_io.export_deck(actor=request.user, subject=subject, lecture=lecture, fmt=fmt)
    response = HttpResponse(exported.data, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def import_deck(request, lecture_pk):
    lecture = get_lecture_for_user(request.user, lecture_pk)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, "Choose a .csv or .apkg file to import.")
        return redirect(_lecture_url(lecture, "#import"))
    try:
        result = anki_io.import_deck(actor=request.user, lecture=lecture, uploaded_file=uploaded)
    except anki_io.ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect(_lecture_url(lecture, "#import"))
    text = f"Imported {result.created} card{'s' if result.created != 1 else ''}"
    if result.skipped:
        text += f" ({result.skipped} you already had were skipped)"
    messages.success(request, text + ".")
    for warning in result.warnings[:3]:
        messages.warning(request, warning)
    return redirect(_lecture_url(lecture))


# --- subject settings ------------------------------------------------------------------------------------


@login_required
@require_POST
def exam_date(request, subject_pk):
    subject = get_subject_for_user(request.user, subject_pk)
    raw = request.POST.get("exam_date", "").strip()
    day = parse_date(raw) if raw else None
    if raw and day is None:
        messages.error(request, "Enter the exam date as a date.")
    else:
        try:
            services.set_exam_date(actor=request.user, subject=subject, exam_date=day)
        except services.FlashcardsRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Exam date saved." if day else "Exam date removed.")
    return redirect(reverse("subjects:detail", args=[subject.pk]) + "#flashcards")


# --- review ---------------------------------------------------------------------------------------------


def _review_context(request, subject, *, flash: str = "", profile=None, session=None):
    """``profile`` and ``session`` (the sitting a grade was just counted in) save their queries when the caller
    already has them."""
    profile = profile or reviewing.profile_of(request.user)
    now = timezone.now()
    upcoming = selectors.next_cards(request.user, profile, subject=subject, now=now, limit=1)
    card = upcoming[0] if upcoming else None
    scheduler = reviewing.scheduler_for_profile(profile)
    session = session or _open_session(request, subject)
    return {
        "subject": subject,
        "card": card,
        "buttons": reviewing.preview_intervals(card, scheduler, now) if card else [],
        "counts": selectors.queue_counts(request.user, profile, subject=subject, now=now),
        "done": session.items_completed if session else 0,
        "can_undo": bool(session and session.items_completed),
        "algorithm": profile.srs_algorithm,
        "flash": flash,
        "next_due": None if card else _next_due(request.user, subject),
    }


def _open_session(request, subject):
    from apps.study.selectors import open_flashcard_sitting

    return open_flashcard_sitting(request.user, subject)


def _next_due(user, subject):
    cards_qs = Flashcard.objects.filter(owner=user, suspended=False, due_at__isnull=False)
    if subject is not None:
        cards_qs = cards_qs.filter(subject=subject)
    return cards_qs.order_by("due_at").values_list("due_at", flat=True).first()


def _scope(request):
    """The subject a review sitting is limited to (another user's is a 404). A plain lookup: the review pages
    need its name, not the statistics get_subject_for_user annotates (seconds at 100k cards)."""
    raw = request.GET.get("subject") or request.POST.get("subject")
    if not (raw and str(raw).isdigit()):
        return None
    return get_object_or_404(Subject.objects.filter(user=request.user), pk=raw)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def review(request):
    subject = _scope(request)
    context = _review_context(request, subject)
    template = "flashcards/review.html#review-card" if request.htmx else "flashcards/review.html"
    return render(request, template, context)


def _after_action(request, subject, flash="", **known):
    if request.htmx:
        context = _review_context(request, subject, flash=flash, **known)
        return render(request, "flashcards/review.html#review-card", context)
    url = reverse("flashcards:review") + (f"?subject={subject.pk}" if subject else "")
    return redirect(url)


@login_required
@require_POST
def grade(request):
    subject = _scope(request)
    profile = reviewing.profile_of(request.user)
    try:
        log = reviewing.grade_card(
            actor=request.user,
            card_id=int(request.POST.get("card", "0")),
            rating=int(request.POST.get("rating", "0")),
            seen_count=int(request.POST.get("seen", "-1")),
            duration_ms=_int_or_none(request.POST.get("duration_ms")),
            scope_subject_id=subject.pk if subject else None,
            profile=profile,
        )
    except (ValueError, TypeError):
        return HttpResponse("Choose Again, Hard, Good or Easy.", status=400)
    except Flashcard.DoesNotExist:
        raise Http404("no such card") from None
    except reviewing.ReviewConflict:
        return _after_action(request, subject, flash="That card was already graded (in another tab?).", profile=profile)
    # the grade's sitting is the open one the page shows: no second look-up
    return _after_action(request, subject, profile=profile, session=log.session)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def undo(request):
    subject = _scope(request)
    session = _open_session(request, subject)
    # only a grade of the open sitting can be undone (without one, a stray POST must not undo an old review)
    card = reviewing.undo_last(actor=request.user, session_id=session.pk) if session else None
    return _after_action(request, subject, flash="Undone." if card else "Nothing to undo.")


@login_required
@require_POST
def review_suspend(request, pk):
    subject = _scope(request)
    card = selectors.get_card_for_user(request.user, pk)
    cards.set_suspended(actor=request.user, card=card, suspended=True)
    return _after_action(request, subject, flash="Card suspended: it will not come up until you unsuspend it.")
