"""The console's URLs of loket.deviations, included in loket.web.console_urls (namespace `console`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
