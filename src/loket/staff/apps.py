from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "loket.staff"
    verbose_name = "Petugas"
