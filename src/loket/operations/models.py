"""What the operations app keeps: the worker's heartbeat (the health endpoint reads it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time one worker process ran its periodic jobs (`loket.operations.jobs.heartbeat`).

    One row per process (`name` is host and process id); rows not renewed for a day are pruned
    by the job itself, so a restarted worker leaves no lasting trace."""

    name = models.CharField(_("nama"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("terakhir terlihat"), db_index=True)

    class Meta:
        verbose_name = _("detak pekerja")
        verbose_name_plural = _("detak pekerja")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at.isoformat()}"
