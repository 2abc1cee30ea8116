from django.urls import path

from apps.flashcards import views

app_name = "flashcards"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/grade/", views.grade, name="grade"),
    path("review/undo/", views.undo, name="undo"),
    path("review/suspend/<int:pk>/", views.review_suspend, name="review_suspend"),
    path("lecture/<int:lecture_pk>/", views.lecture_cards, name="lecture"),
    path("lecture/<int:lecture_pk>/new/", views.card_create, name="create"),
    path("lecture/<int:lecture_pk>/generate/", views.generate_cards, name="generate"),
    path("lecture/<int:lecture_pk>/bulk/", views.bulk, name="bulk"),
    path("lecture/<int:lecture_pk>/import/", views.import_deck, name="import"),
    path("export/<str:scope>/<int:pk>/<str:fmt>/", views.export_deck, name="export"),
    path("generation/<int:pk>/", views.generation_status, name="generation"),
    path("generation/<int:pk>/retry/", views.generation_retry, name="generation_retry"),
    path("from-quiz/<int:attempt_pk>/", views.from_quiz, name="from_quiz"),
    path("subject/<int:subject_pk>/exam-date/", views.exam_date, name="exam_date"),
    path("<int:pk>/edit/", views.card_edit, name="edit"),
    path("<int:pk>/suspend/", views.card_suspend, name="suspend"),
    path("<int:pk>/delete/", views.card_delete, name="delete"),
]
