"""The report's XLSX and monthly PDF, built in the worker (issue 12, point 4).

`request_export` records what was asked (`ExportJob`: the user, the filter, the format, the
month) and queues the task `tasks.build_export`; `build` is that task's work: it claims the
job, writes the file with the user's scope as it is then, tells its progress along the way
(which is also its heartbeat), stores the file and sets when it expires.

Every XLSX and PDF goes through the worker, whatever its size: the PDF costs WeasyPrint about a
second even for a small month, and a web worker should not wait on that; the XLSX of a busy
unit holds every case. One path is also one thing to test. The CSVs stay direct: each is one
table, streamed row by row (`views.report_page`).

A job still `berjalan` whose heartbeat is older than STALE lost its worker (killed, restarted):
`refresh` marks it failed, so its page stops waiting. Files are kept LOKET_EXPORT_KEEP_HOURS
(default 24) hours; `erase_expired_exports` removes older ones (run by every build, and fit for
LOKET_PERIODIC_JOBS).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
import zoneinfo
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db import DatabaseBackend

from loket.audit.services import log_action
from loket.units.models import Unit

from .models import ExportJob
from .mutu_baku import ReportFilter, units_in_scope

logger = logging.getLogger(__name__)

STALE = dt.timedelta(minutes=10)
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ExportRefused(Exception):
    """The export was not queued; the message says why, in the reader's language."""


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "LOKET_EXPORT_KEEP_HOURS", 24)))


# -- the filter as JSON ---------------------------------------------------------------------------


def spec_to_json(spec: ReportFilter) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(spec).items()}


def spec_from_json(data: dict[str, Any]) -> ReportFilter:
    values = dict(data)
    for name in ("date_from", "date_to"):
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    known = ReportFilter.__dataclass_fields__
    return ReportFilter(**{k: v for k, v in values.items() if k in known})


def parse_month(text: str) -> dt.date | None:
    match = MONTH.match((text or "").strip())
    return dt.date(int(match.group(1)), int(match.group(2)), 1) if match else None


def pdf_unit(user: Any, spec: ReportFilter) -> Unit | None:
    """The unit whose monthly report this is: the filter's, or the user's only unit."""
    units = units_in_scope(user)
    if spec.unit:
        return next((u for u in units if u.kode == spec.unit), None)
    return units[0] if len(units) == 1 else None


# -- asking ---------------------------------------------------------------------------------------


def request_export(*, user: Any, spec: ReportFilter, fmt: str, month: str = "") -> ExportJob:
    """Queue the export `fmt` ("xlsx" or "pdf"; the PDF of the local month "YYYY-MM") of the
    report `spec` for `user`. Raises ExportRefused when it cannot be made."""
    if not units_in_scope(user):
        raise ExportRefused(_("Anda tidak memiliki unit untuk dilaporkan."))
    if fmt not in ExportJob.Format.values:
        raise ExportRefused(_("Format unduhan tidak dikenal."))
    if fmt == ExportJob.Format.PDF:
        if parse_month(month) is None:
            raise ExportRefused(_("Pilih bulan laporan (tahun-bulan, misalnya 2026-03)."))
        unit = pdf_unit(user, spec)
        if unit is None:
            raise ExportRefused(_("Laporan bulanan dibuat untuk satu unit: pilih unitnya pada saringan."))
        spec = ReportFilter(**{**asdict(spec), "unit": unit.kode, "date_from": None, "date_to": None})
    else:
        month = ""
    with transaction.atomic():
        job = ExportJob.objects.create(user=user, format=fmt, spec=spec_to_json(spec), month=month)
        log_action("report.export_requested", actor=user, job=str(job.pk), format=fmt, month=month, filter=job.spec)
        _enqueue(job)
    return job


def _enqueue(job: ExportJob) -> None:
    from .tasks import build_export

    if isinstance(build_export.get_backend(), DatabaseBackend):
        build_export.enqueue(str(job.pk))  # its row is written in this transaction
    else:
        transaction.on_commit(lambda: build_export.enqueue(str(job.pk)))


# -- building -------------------------------------------------------------------------------------


def _progress(job: ExportJob, percent: int, step: str) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        progress=max(1, min(99, percent)), step=step[:200], updated_at=timezone.now()
    )


def _facts(job: ExportJob, spec: ReportFilter, units: list[Unit]) -> list[tuple[str, str]]:
    from .views import filter_summary

    period = _("semua")
    if spec.date_from or spec.date_to:
        period = f"{spec.date_from or '…'} – {spec.date_to or '…'}"
    shown = [u for u in units if not spec.unit or u.kode == spec.unit]
    return [
        (_("unit"), "; ".join(f"{u.kode} — {u.nama}" for u in shown)),
        (_("diajukan (hari setempat unit)"), period),
        (_("saringan"), filter_summary(spec) or _("tidak ada")),
        (_("diminta oleh"), job.user.get_username()),
    ]


def build(job_id: str, *, now: dt.datetime | None = None) -> str:
    """Build the file of job `job_id` if it is still queued; returns its status afterwards."""
    now = now or timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=now, progress=1, updated_at=now
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        erase_expired_exports(now=now)
        spec = spec_from_json(job.spec)
        units = units_in_scope(job.user)
        if not units:
            raise ExportRefused(_("Anda tidak lagi memiliki unit untuk dilaporkan."))
        zone = zoneinfo.ZoneInfo((pdf_unit(job.user, spec) or units[0]).zona_waktu)
        stamp = now.astimezone(zone)
        if job.format == ExportJob.Format.XLSX:
            from .xlsx import write_workbook

            with tempfile.TemporaryDirectory(prefix="loket-ekspor-") as folder:
                path = Path(folder) / "laporan.xlsx"
                write_workbook(
                    path,
                    job.user,
                    spec,
                    units=[u for u in units if not spec.unit or u.kode == spec.unit] or units,
                    made_at=stamp,
                    facts=_facts(job, spec, units),
                    progress=lambda p, s: _progress(job, p, s),
                )
                name = f"mutu-baku-{spec.unit or 'semua'}-{stamp:%Y%m%d-%H%M}.xlsx"
                with path.open("rb") as f:
                    job.file.save(name, File(f), save=False)
        else:
            from .monthly import monthly_pdf

            unit = pdf_unit(job.user, spec)
            month = parse_month(job.month)
            if unit is None or month is None:
                raise ExportRefused(_("Laporan bulanan dibuat untuk satu unit dan satu bulan."))
            content = monthly_pdf(
                job.user, spec, unit=unit, month=month, now=now, progress=lambda p, s: _progress(job, p, s)
            )
            name = f"kinerja-pelayanan-{unit.kode}-{job.month}.pdf"
            job.file.save(name, ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("Export %s (%s) failed", job.pk, job.format)
        message = (
            str(exc)
            if isinstance(exc, ExportRefused)
            else _("Berkas tidak dapat dibuat (%(kind)s).") % {"kind": type(exc).__name__}
        )
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
        )
        return ExportJob.Status.FAILED
    done = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        progress=100,
        step="",
        file=job.file.name,
        filename=name,
        size=job.file.size,
        finished_at=done,
        updated_at=done,
        expires_at=done + keep_for(),
    )
    return ExportJob.Status.DONE


def refresh(job: ExportJob, *, now: dt.datetime | None = None) -> ExportJob:
    """The job as its page shows it: a running job without a heartbeat for STALE is failed."""
    now = now or timezone.now()
    if job.status == ExportJob.Status.RUNNING and job.updated_at < now - STALE:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.FAILED,
            error=_("Pekerja latar belakang berhenti sebelum berkas selesai; minta unduhan lagi."),
            finished_at=now,
        )
        job.refresh_from_db()
    return job


def erase_expired_exports(*, now: dt.datetime | None = None) -> int:
    """Remove the files of exports past their expiry (the rows stay, saying so). Returns how many."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file=""):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="", size=0)
        count += 1
    return count
