from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "loket.counter"
    verbose_name = "Loket layanan langsung"
