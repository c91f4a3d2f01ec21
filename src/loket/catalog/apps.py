"""App configuration of the SOP catalogue."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "loket.catalog"
    verbose_name = "Katalog SOP"
