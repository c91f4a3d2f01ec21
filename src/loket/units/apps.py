"""App configuration of the units."""

from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "loket.units"
    verbose_name = "Unit"
