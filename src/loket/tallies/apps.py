from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalliesConfig(AppConfig):
    name = "loket.tallies"
    verbose_name = _("Rekap langkah")
