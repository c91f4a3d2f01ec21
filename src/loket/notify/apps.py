from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "loket.notify"
    verbose_name = "Kotak keluar"
