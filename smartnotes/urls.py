from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from apps.core import metrics_views
from apps.core import views as core_views
from smartnotes.api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", metrics_views.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("apps.accounts.urls")),
    path("subjects/", include("apps.subjects.urls")),
    path("lectures/", include("apps.lectures.urls")),
    path("chat/", include("apps.chat.urls")),
    path("documents/", include("apps.documents.urls")),
    path("flashcards/", include("apps.flashcards.urls")),
    path("share/", include("apps.sharing.urls")),
    path("s/", include("apps.sharing.public_urls")),
    path("study/", include("apps.study.urls")),
]

if settings.DEBUG:
    urlpatterns.append(
        path("styleguide/", TemplateView.as_view(template_name="core/styleguide.html"), name="styleguide")
    )

handler404 = "apps.core.views.not_found"
