"""The operations endpoints (mounted at /ops/)."""

from django.urls import URLPattern

app_name = "operations"
urlpatterns: list[URLPattern] = []
