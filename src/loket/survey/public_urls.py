"""The public (no sign-in) URLs of loket.survey."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
