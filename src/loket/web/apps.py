"""App configuration of the web pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "loket.web"
    verbose_name = "Web"
