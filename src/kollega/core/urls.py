from django.urls import path

from kollega.core import views

app_name = "core"
urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
