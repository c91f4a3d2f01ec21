from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "loket.cases"
    verbose_name = "Permohonan"
