from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "loket.audit"
    verbose_name = "Jejak audit"
