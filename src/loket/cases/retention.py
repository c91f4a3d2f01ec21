"""Removing the documents of archived cases past their unit's retention period (the unit's jadwal
retensi arsip, `Unit.retensi_tahun`): the job `loket archive retention` and the worker run.

A case is due when it is archived (it has a sealed ArchiveRecord) and closed, and both its seal
and its closing are more than the unit's retention years old. Its documents' files are deleted
from the storage; each row keeps its name, size and SHA-256 and gets `removed_at`, so the sealed
record still lists every document and `archive_verify` reports it "dihapus sesuai masa retensi"
while the seal, which is over the hashes, stays valid. The case gets `documents_removed_at`:
the job's search reads only the cases without it (a partial index), so a run costs what is due,
not the whole archive.

Each batch of due cases goes in two steps, so that a file is never gone without its row saying
so: first the rows are marked removed (committed), then, with the cases locked again, the files
are deleted and the cases marked done. A run stopped between the two leaves the files of marked
rows; the next run deletes them. Two runs at once (two workers) lock with SKIP LOCKED on
PostgreSQL and skip each other's cases; SQLite runs one writer at a time. Each case done is one
log line (its reference, counts, no personal data) and one audit entry `archive.retention`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.services import audit_entry, log_actions
from loket.units.models import Unit

from .models import CLOSED, Case, Document

logger = logging.getLogger(__name__)

BATCH = 500
DELETE_THREADS = 8
# About ten seconds of work a sweep at the bench's rate (bench/README.md "retention.py").
JOB_CASES = 5000


@dataclass(frozen=True)
class Removed:
    """One case whose documents were (or, in a dry run, would be) removed."""

    reference: str
    unit: str  # the unit's kode
    years: int
    sealed_at: dt.datetime
    documents: int
    bytes: int


@dataclass
class RetentionRun:
    now: dt.datetime
    dry_run: bool
    cases: list[Removed] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(c.documents for c in self.cases)

    @property
    def bytes(self) -> int:
        return sum(c.bytes for c in self.cases)


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same calendar moment `years` earlier (29 February falls on the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def due_cases(now: dt.datetime, years: int, units: list[int]) -> QuerySet[Case]:
    """The archived, closed cases of `units` sealed and closed at least `years` before `now` whose
    documents the job has not removed yet."""
    cutoff = years_before(now, years)
    return Case.objects.filter(
        unit_id__in=units,
        documents_removed_at__isnull=True,
        closed_at__isnull=False,
        closed_at__lte=cutoff,
        status__in=list(CLOSED),
        archive__sealed_at__lte=cutoff,
    )


def _retention_groups() -> Iterator[tuple[int, list[int]]]:
    """(years, the units keeping documents that many years), one group per distinct period, so a
    run makes a few queries whatever the number of units."""
    groups: dict[int, list[int]] = {}
    for pk, years in Unit.objects.filter(retensi_tahun__isnull=False).values_list("pk", "retensi_tahun"):
        if years:
            groups.setdefault(years, []).append(pk)
    yield from sorted(groups.items())


def _batch(now: dt.datetime, years: int, units: list[int], after: int) -> list[int]:
    """The pks of the next due cases after pk `after` (keyset: a case another run holds, skipped
    here, is not read again by this run)."""
    qs = due_cases(now, years, units).filter(pk__gt=after).order_by("pk")
    return list(qs.values_list("pk", flat=True)[:BATCH])


def _describe(pks: list[int], years: int) -> dict[int, Removed]:
    rows = (
        Case.objects.filter(pk__in=pks)
        .annotate(n=Count("documents"), size=Sum("documents__size"))
        .values_list("pk", "reference", "unit__kode", "archive__sealed_at", "n", "size")
    )
    return {pk: Removed(ref, unit, years, sealed, n, size or 0) for pk, ref, unit, sealed, n, size in rows}


def _remove_batch(now: dt.datetime, years: int, pks: list[int]) -> list[Removed]:
    """Remove the files of the cases `pks` (already found due); returns the cases this run did."""
    with transaction.atomic():
        # Step 1: the rows say removed before any file goes (committed at the end of this block).
        locked = list(
            Case.objects.filter(pk__in=pks, documents_removed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        Document.objects.filter(case_id__in=locked, removed_at__isnull=True).update(removed_at=now)
    with transaction.atomic():
        # Step 2: locked again, as another run may have done some of them meanwhile.
        mine = list(
            Case.objects.filter(pk__in=locked, documents_removed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        if not mine:
            return []
        described = _describe(mine, years)
        names = Document.objects.filter(case_id__in=mine).exclude(file="").values_list("file", flat=True)
        _delete_files(list(names))
        Case.objects.filter(pk__in=mine).update(documents_removed_at=now)
        entries = []
        for pk in mine:
            entry = audit_entry(
                "archive.retention", documents=described[pk].documents, bytes=described[pk].bytes, years=years
            )
            entry.case_id = pk
            entries.append(entry)
        log_actions(entries)
    return [described[pk] for pk in mine]


def _delete_files(names: list[str]) -> None:
    """Delete the stored files `names`, several at once: a delete waits on the disk or, for object
    storage, on a round trip, so one after the other would bound the run by that latency (the
    storages' clients are thread-safe: django-storages keeps a connection per thread). A file
    already gone (a run stopped after its first step) is no error."""
    with ThreadPoolExecutor(max_workers=DELETE_THREADS) as pool:
        list(pool.map(default_storage.delete, names))
        list(pool.map(_remove_if_empty, _folders(names)))


def _folders(names: list[str]) -> set[str]:
    """On a file system, the case folders (berkas/<unit>/<reference>/) of `names`: each goes once
    empty, as millions of empty folders would hold inodes and slow every listing of the unit's
    folder. None on object storage (keys, no folders)."""
    try:
        return {os.path.dirname(default_storage.path(name)) for name in names}
    except NotImplementedError:
        return set()


def _remove_if_empty(folder: str) -> None:
    with contextlib.suppress(OSError):  # not empty (another document), or already gone
        os.rmdir(folder)


def remove_expired_documents(
    now: dt.datetime | None = None, *, dry_run: bool = False, max_cases: int | None = None
) -> RetentionRun:
    """Remove the files of the documents of every archived case past its unit's retention period.

    Effects (none in a dry run, which only lists what would go): each due case's documents marked
    `removed_at` and their files deleted from the storage, the case marked
    `documents_removed_at`, one audit entry `archive.retention` and one log line per case, and a
    summary line. Idempotent: a case done is never read again. With `max_cases`, stops after the
    batch that reaches it (the rest is due on the next run). Returns what was removed.
    """
    now = now or timezone.now()
    run = RetentionRun(now=now, dry_run=dry_run)
    for years, units in _retention_groups():
        after = 0
        while max_cases is None or len(run.cases) < max_cases:
            pks = _batch(now, years, units, after)
            if not pks:
                break
            after = pks[-1]
            done = list(_describe(pks, years).values()) if dry_run else _remove_batch(now, years, pks)
            for case in sorted(done, key=lambda c: c.reference):
                logger.info(
                    "retention%s: %s (unit %s, %d years, sealed %s): %d documents, %d bytes",
                    " (dry run)" if dry_run else "",
                    case.reference,
                    case.unit,
                    case.years,
                    case.sealed_at.date().isoformat(),
                    case.documents,
                    case.bytes,
                )
            run.cases.extend(done)
    logger.info(
        "retention: %d cases, %d documents, %d bytes %s",
        len(run.cases),
        run.documents,
        run.bytes,
        "due (dry run: nothing removed)" if dry_run else "removed",
    )
    return run


def run_retention() -> int:
    """The worker's periodic job (settings.LOKET_PERIODIC_JOBS): one run of at most JOB_CASES cases,
    so that a unit's first period (years of archive due at once) does not hold the worker's other
    jobs and mail for many minutes; the next sweeps go on. Returns how many cases."""
    return len(remove_expired_documents(max_cases=JOB_CASES).cases)


def removed_notice(doc: Document) -> str:
    """What a staff page says instead of a removed document's file: "Dihapus sesuai masa retensi
    pada 2 Desember 2026" (the date as the case's unit reads it)."""
    import zoneinfo

    from loket.sop.render.document import tanggal

    assert doc.removed_at is not None
    zone = zoneinfo.ZoneInfo(doc.case.unit.zona_waktu)
    return _("Dihapus sesuai masa retensi pada %(date)s") % {"date": tanggal(doc.removed_at.astimezone(zone).date())}
