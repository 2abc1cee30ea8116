from django.urls import path

from apps.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.link_list, name="list"),
    path("lecture/<int:lecture_pk>/", views.create_for_lecture, name="create_lecture"),
    path("document/<int:document_pk>/", views.create_for_document, name="create_document"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
