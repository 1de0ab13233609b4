from django.urls import URLPattern

app_name = "workbench"
urlpatterns: list[URLPattern] = []
