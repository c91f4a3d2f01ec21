"""The public (no sign-in) URLs of loket.service_standard."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
