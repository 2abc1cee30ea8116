import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from apps.subjects import selectors, services
from apps.subjects.forms import SubjectForm


def _form_with_duplicate_error(form):
    form.add_error("name", f"You already have a subject called “{form.cleaned_data['name']}”.")
    return form


@login_required
@vary_on_headers("HX-Request")
def subject_list(request):
    subjects = selectors.subjects_for_user(request.user)
    form = SubjectForm(user=request.user)
    return render(request, "subjects/list.html", {"subjects": subjects, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def subject_create(request):
    form = SubjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.create_subject(actor=request.user, **form.cleaned_data)
        except services.DuplicateSubjectName:
            form = _form_with_duplicate_error(form)
        else:
            if request.htmx:
                subject = selectors.get_subject_for_user(request.user, subject.pk)
                context = {"subject": subject, "form": SubjectForm(user=request.user), "created": True}
                response = render(request, "subjects/_created.html", context)
                response["HX-Trigger"] = json.dumps({"subject-created": {"id": subject.pk}})
                return response
            messages.success(request, f"Subject “{subject.name}” created.")
            return redirect("subjects:detail", pk=subject.pk)
    if request.htmx:
        response = render(request, "subjects/list.html#create-form", {"form": form})
        response["HX-Retarget"] = "#subject-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "subjects/create.html", {"form": form})


@login_required
@vary_on_headers("HX-Request")
def subject_detail(request, pk):
    from apps.flashcards.selectors import card_summary
    from apps.lectures.selectors import exams_for_subject, lectures_for_subject

    subject = selectors.get_subject_for_user(request.user, pk)
    lectures = lectures_for_subject(request.user, subject)
    exams = exams_for_subject(request.user, subject)
    context = {"subject": subject, "lectures": lectures, "exams": exams, "cards": card_summary(request.user, subject)}
    return render(request, "subjects/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def subject_edit(request, pk):
    subject = selectors.get_subject_for_user(request.user, pk)
    form = SubjectForm(request.POST or None, instance=subject, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_subject(actor=request.user, subject=subject, **form.cleaned_data)
        except services.DuplicateSubjectName:
            form = _form_with_duplicate_error(form)
        else:
            if request.htmx:
                subject = selectors.get_subject_for_user(request.user, pk)
                return render(request, "subjects/list.html#card", {"subject": subject})
            messages.success(request, "Subject saved.")
            return redirect("subjects:detail", pk=subject.pk)
    if request.htmx:
        if request.method == "GET" and request.GET.get("cancel"):
            return render(request, "subjects/list.html#card", {"subject": subject})
        return render(request, "subjects/list.html#card-edit", {"subject": subject, "form": form})
    return render(request, "subjects/edit.html", {"subject": subject, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def subject_delete(request, pk):
    subject = selectors.get_subject_for_user(request.user, pk)
    if request.method == "POST":
        name = subject.name
        services.delete_subject(actor=request.user, subject=subject)
        if request.htmx:
            response = HttpResponse("")
            response["HX-Trigger"] = json.dumps({"subjectDeleted": {"name": name}})
            return response
        messages.success(request, f"Subject “{name}” and everything in it was deleted.")
        return redirect("subjects:list")
    return render(request, "subjects/delete.html", {"subject": subject})
