from django.urls import path

from apps.documents import views

app_name = "documents"
urlpatterns = [
    path("lecture/<int:lecture_pk>/", views.lecture_documents, name="lecture"),
    path("lecture/<int:lecture_pk>/generate/", views.generate, name="generate"),
    path("exams/<int:pk>/", views.exam_detail, name="exam"),
    path("exams/upload/<int:subject_pk>/", views.exam_upload, name="exam_upload"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/status/", views.document_status, name="status"),
    path("<int:pk>/download/", views.document_download, name="download"),
    path("<int:pk>/retry/", views.document_retry, name="retry"),
    path("<int:pk>/delete/", views.document_delete, name="delete"),
    path("<int:pk>/take/", views.quiz_take, name="take"),
    path("<int:pk>/attempts/<int:attempt_pk>/", views.quiz_attempt, name="attempt"),
]
