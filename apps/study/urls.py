from django.urls import path

from apps.study import views

app_name = "study"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reading/", views.reading, name="reading"),
    path("remedial/", views.remedial, name="remedial"),
]
