from django.urls import path

from apps.chat import views

app_name = "chat"
urlpatterns = [
    path("lecture/<int:lecture_pk>/", views.lecture_conversations, name="lecture"),
    path("lecture/<int:lecture_pk>/new/", views.new_lecture_conversation, name="new_lecture"),
    path("subject/<int:subject_pk>/", views.subject_conversations, name="subject"),
    path("subject/<int:subject_pk>/new/", views.new_subject_conversation, name="new_subject"),
    path("<int:pk>/", views.conversation_detail, name="detail"),
    path("<int:pk>/rename/", views.conversation_rename, name="rename"),
    path("<int:pk>/delete/", views.conversation_delete, name="delete"),
]
