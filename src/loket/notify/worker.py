"""The background worker behind `loket worker`: queued tasks, the outbox sweep, periodic jobs.

Queued tasks are run by django-tasks-db's own Worker (claiming, locking, recording results),
used in its batch mode: each round drains what is ready, then this loop sweeps the outbox
(`send_pending`) and runs the jobs of `settings.LOKET_PERIODIC_JOBS` every `sweep_seconds`,
then sleeps `interval`. Many workers may run at once on PostgreSQL: tasks are claimed with
SKIP LOCKED and each mail is claimed (status `sending`, committed) before it is sent. A periodic
job runs once per `LOKET_PERIODIC_SECONDS` across all of them: the worker that moves the job's
due time forward (`claim_job`, one conditional UPDATE) runs it, the others pass. The jobs of
PER_PROCESS_JOBS (the heartbeat: the health endpoint counts processes) run in every process.

A worker that dies (SIGKILL, OOM, power) leaves its task row RUNNING and its mail `sending`.
Each sweep, and the start of `--once`, takes back task rows RUNNING for longer than the lease
(`reclaim_lost_tasks`); `send_pending` takes back the mail (see tasks.py).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from loket.operations.jobs import worker_name
from loket.operations.models import PeriodicJob

from .models import OutboxMessage
from .tasks import mail_lease, send_pending

# Tasks that may simply run again when their worker died: `deliver` decides from the outbox row
# whether anything is left to send. Any other task found lost is marked failed, never re-run.
RERUNNABLE_TASKS = frozenset({"loket.notify.tasks.send_outbox_message"})
# Jobs that say something about the process running them, so each process runs them every sweep.
PER_PROCESS_JOBS = frozenset({"loket.operations.jobs.heartbeat"})

logger = logging.getLogger(__name__)


class JobNotFound(Exception):
    """A dotted path in LOKET_PERIODIC_JOBS names nothing importable."""


class WorkerLost(Exception):  # noqa: N818 - the name is what the task row records
    """Recorded on a task row left RUNNING by a worker that stopped before finishing it."""


@dataclass
class Summary:
    tasks: int = 0
    swept: int = 0
    jobs: int = 0
    jobs_failed: int = 0
    jobs_passed: int = 0  # due for another worker's turn, not this sweep's
    reclaimed: int = 0

    def line(self) -> str:
        waiting = [OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
        pending = OutboxMessage.objects.filter(status__in=waiting).count()
        failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
        return _(
            "Pekerja selesai: %(tasks)d tugas dijalankan, %(swept)d e-mail terkirim lewat penyapuan, "
            "%(jobs)d pekerjaan berkala (%(jobs_failed)d gagal); kotak keluar: %(pending)d menunggu, %(failed)d gagal."
        ) % {**self.__dict__, "pending": pending, "failed": failed}


class _CountingWorker(Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.done = 0

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        finally:
            self.done += 1


def periodic_jobs() -> list[tuple[str, Callable[[], Any]]]:
    """The jobs named in settings.LOKET_PERIODIC_JOBS, imported; raises JobNotFound."""
    jobs = []
    for path in getattr(settings, "LOKET_PERIODIC_JOBS", []):
        try:
            jobs.append((path, import_string(path)))
        except ImportError as exc:
            raise JobNotFound(path) from exc
    return jobs


def reclaim_lost_tasks(*, now: Any = None) -> int:
    """Take back the task rows whose worker died: RUNNING since longer than the lease.

    Effects: a `send_outbox_message` task goes back to READY and runs again (its mail is then
    sent, or found sent, by `deliver`); any other task is marked FAILED with WorkerLost, since
    nothing says it may run twice. Returns how many rows were taken back; each is logged.
    """
    cutoff = (now or timezone.now()) - mail_lease()
    count = 0
    with transaction.atomic(using=DBTaskResult.objects.db):
        lost = (
            DBTaskResult.objects.running()
            .filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS, started_at__lte=cutoff)
            .select_for_update(skip_locked=True)
        )
        for result in lost:
            if result.task_path in RERUNNABLE_TASKS:
                result.status = TaskResultStatus.READY
                result.save(update_fields=["status"])
                logger.warning(
                    "Task %s (%s) lost its worker %s; queued again", result.id, result.task_path, result.worker_ids
                )
            else:
                result.set_failed(WorkerLost(f"worker {', '.join(result.worker_ids)} stopped before the task finished"))
                logger.warning(
                    "Task %s (%s) lost its worker %s; marked failed", result.id, result.task_path, result.worker_ids
                )
            count += 1
    return count


def claim_job(path: str, *, now: Any = None, force: bool = False) -> bool:
    """Whether this process runs the job `path` now: True for the one worker whose conditional
    UPDATE moves its due time a period forward (`force`: whenever it is due or not).

    Effects: creates the job's row on first sight (due at once); on a claim sets `due_at` to now
    + LOKET_PERIODIC_SECONDS and records the run. On PostgreSQL a concurrent UPDATE of the row
    waits for the first one and then finds it no longer due; SQLite takes writers in turn."""
    now = now or timezone.now()
    PeriodicJob.objects.bulk_create([PeriodicJob(name=path, due_at=now)], ignore_conflicts=True)
    rows = PeriodicJob.objects.filter(name=path)
    if not force:
        rows = rows.filter(due_at__lte=now)
    period = timedelta(seconds=settings.LOKET_PERIODIC_SECONDS)
    claimed = rows.update(due_at=now + period, last_run_at=now, last_worker=worker_name(), runs=F("runs") + 1)
    return claimed == 1


def sweep(summary: Summary, jobs: list[tuple[str, Callable[[], Any]]], *, force: bool = False) -> None:
    """Take back tasks and mail whose worker died, send the pending mail whose task went
    missing, then run each periodic job that is due (with `force`, each job) and that this
    process claims; the jobs of PER_PROCESS_JOBS always.

    A failing job is logged and counted; it does not stop the others or the worker.
    """
    close_old_connections()
    summary.reclaimed += reclaim_lost_tasks()
    summary.swept += send_pending()
    for path, job in jobs:
        if path not in PER_PROCESS_JOBS and not claim_job(path, force=force):
            summary.jobs_passed += 1
            continue
        try:
            job()
        except Exception:
            summary.jobs_failed += 1
            logger.exception("Periodic job %s failed", path)
        summary.jobs += 1
    close_old_connections()


def run_worker(
    *,
    once: bool,
    interval: float = 1.0,
    sweep_seconds: float = 60.0,
    queue_names: list[str] | None = None,
    worker_id: str | None = None,
    announce: Callable[[str], None] = print,
) -> Summary:
    """Run queued tasks, sweep the outbox and run the periodic jobs; with `once`, one round
    that runs every periodic job whether due or not.

    Without `once` it runs until SIGINT/SIGTERM, finishing the task or sweep under way first.
    Returns what it did (the summary is also built when a signal ends the loop).
    """
    jobs = periodic_jobs()
    summary = Summary()
    use_db = isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
    worker = _CountingWorker(
        queue_names=queue_names or ["*"],
        interval=interval,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
    )
    if once:
        if use_db:
            summary.reclaimed += reclaim_lost_tasks()  # so that they run in this one round
            worker.run()
        summary.tasks = worker.done
        # One round asked for by hand (or by a timer): every job now, and the next due a period on.
        sweep(summary, jobs, force=True)
        return summary

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    worker.configure_signals()
    announce(
        _("Pekerja Loket berjalan (%(mode)s; penyapuan setiap %(seconds)s detik). Tekan Ctrl+C untuk berhenti.")
        % {
            "mode": _("antrean tugas di basis data") if use_db else _("tanpa antrean basis data"),
            "seconds": f"{sweep_seconds:g}",
        }
    )
    next_sweep = 0.0
    try:
        while worker.running:
            if use_db:
                worker.run()
                summary.tasks = worker.done
            if worker.running and time.monotonic() >= next_sweep:
                # Marked busy so that a signal lets the sweep finish the mail it is sending.
                worker.running_task = True
                try:
                    sweep(summary, jobs)
                finally:
                    worker.running_task = False
                next_sweep = time.monotonic() + sweep_seconds
            if worker.running:
                time.sleep(interval)
    except SystemExit as exc:
        # Worker.shutdown exits at once when idle: that is the normal end, not an error.
        if worker.running or exc.code not in (0, None):
            raise
    finally:
        summary.tasks = worker.done
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return summary
