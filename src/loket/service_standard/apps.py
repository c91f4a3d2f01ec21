from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceStandardConfig(AppConfig):
    name = "loket.service_standard"
    verbose_name = _("Standar Pelayanan")
