"""App configuration of the SOP catalogue."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CatalogConfig(AppConfig):
    name = "loket.catalog"
    verbose_name = "Katalog SOP"

    def ready(self) -> None:
        from loket import request_memo

        from .models import SopVersion, UnitLane

        # A request that installs an SOP or saves a unit's lanes reads them anew afterwards.
        for model in (SopVersion, UnitLane):
            post_save.connect(request_memo.forget, sender=model, dispatch_uid=f"forget-{model.__name__}-saved")
            post_delete.connect(request_memo.forget, sender=model, dispatch_uid=f"forget-{model.__name__}-deleted")
