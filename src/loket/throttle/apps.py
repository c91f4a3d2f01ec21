"""App configuration of the throttles (their table of counted attempts)."""

from django.apps import AppConfig


class ThrottleConfig(AppConfig):
    name = "loket.throttle"
    verbose_name = "Pembatasan percobaan"
