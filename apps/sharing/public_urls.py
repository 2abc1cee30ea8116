"""What a share link opens, for anyone who has it (no login). Every URL starts with the code."""

from django.urls import path

from apps.sharing import public_views as views

app_name = "share"
urlpatterns = [
    path("<str:code>/", views.landing, name="view"),
    path("<str:code>/unlock/", views.unlock, name="unlock"),
    path("<str:code>/pages/", views.pages, name="pages"),
    path("<str:code>/pages/<int:number>/", views.page, name="page"),
    path("<str:code>/pages/<int:number>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("<str:code>/figures/<int:figure_pk>/", views.figure, name="figure"),
    path("<str:code>/download/", views.download, name="download"),
    path("<str:code>/ask/", views.ask, name="ask"),
]
