from django.urls import path

app_name = "lectures"
urlpatterns: list = []
