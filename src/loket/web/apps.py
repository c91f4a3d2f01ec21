"""App configuration of the web pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "loket.web"
    verbose_name = "Web"

    def ready(self) -> None:
        from django.contrib import admin

        from .admin_zone import site_header

        admin.site.site_header = site_header  # names the zone of the admin's times
