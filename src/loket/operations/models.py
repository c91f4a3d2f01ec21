"""What the operations app keeps: the worker's heartbeat (the health endpoint reads it) and when
each periodic job is next due (so that many workers run it once per period)."""

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


class PeriodicJob(models.Model):
    """One job of `LOKET_PERIODIC_JOBS` shared by every worker process: when it is next due.

    A worker runs the job only after moving `due_at` forward by one period in a conditional
    UPDATE (`loket.notify.worker.claim_job`); of workers sweeping at once, one row update wins,
    so the job runs once per period however many workers there are."""

    name = models.CharField(_("nama"), max_length=200, unique=True)
    due_at = models.DateTimeField(_("jatuh tempo"))
    last_run_at = models.DateTimeField(_("terakhir dijalankan"), null=True, blank=True)
    last_worker = models.CharField(_("pekerja terakhir"), max_length=200, blank=True)
    runs = models.PositiveBigIntegerField(_("jumlah dijalankan"), default=0)

    class Meta:
        verbose_name = _("pekerjaan berkala")
        verbose_name_plural = _("pekerjaan berkala")

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at.isoformat()}"
