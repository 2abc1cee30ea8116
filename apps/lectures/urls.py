from django.urls import path

from apps.lectures import views

app_name = "lectures"
urlpatterns = [
    path("upload/<int:subject_pk>/", views.upload, name="upload"),
    path("<int:pk>/", views.lecture_detail, name="detail"),
    path("<int:pk>/status/", views.lecture_status, name="status"),
    path("<int:pk>/retry/", views.lecture_retry, name="retry"),
    path("<int:pk>/reprocess/", views.lecture_reprocess, name="reprocess"),
    path("<int:pk>/clear/", views.lecture_clear, name="clear"),
    path("<int:pk>/password/", views.lecture_password, name="password"),
    path("<int:pk>/delete/", views.lecture_delete, name="delete"),
    path("<int:pk>/file/", views.lecture_file, name="file"),
    path("<int:pk>/pages/", views.lecture_pages, name="pages"),
    path("<int:pk>/pages/<int:number>/", views.page_detail, name="page"),
    path("<int:pk>/pages/<int:number>/thumbnail/", views.page_thumbnail, name="thumbnail"),
    path("<int:pk>/figures/<int:figure_pk>/", views.figure_image, name="figure"),
]
