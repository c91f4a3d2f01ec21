"""The operations endpoints (mounted at /ops/)."""

from django.urls import URLPattern, path

from . import views

app_name = "operations"
urlpatterns: list[URLPattern] = [
    path("health/", views.health, name="health"),
]
