"""Two real `loket worker` processes on one database, as the production shape runs them.

Each mail queued reaches the real SMTP server once (PostgreSQL: tasks and mail claimed with
SKIP LOCKED); a periodic job runs once per period however many workers sweep, and again once
when the period has passed; the heartbeat runs in each process (the health endpoint counts
processes). The workers sweep every 0.2 s; the tests wait on what the database and the relay
show, never on a clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loket.notify.models import OutboxMessage
from loket.notify.worker import claim_job
from loket.operations.models import PeriodicJob
from tests.notify.test_crash import ROOT, SharedDatabase
from tests.notify.test_outbox import queue_received_mail

LOKET = Path(sys.executable).with_name("loket")
WAIT = 60  # seconds before a test gives up on what it waits for (a loaded machine is slow, not wrong)

pytestmark = pytest.mark.django_db(transaction=True)


class Workers:
    """Two `loket worker` processes on the test database, stopped (SIGTERM) at the end."""

    def __init__(self, shared: SharedDatabase, env: dict[str, str], tmp_path: Path) -> None:
        self.shared = shared
        self.env = env
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, count: int = 2) -> None:
        self.shared.export()
        for n in range(count):
            log = open(self.tmp_path / f"worker-{n}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop
            self.processes.append(
                subprocess.Popen(
                    [str(LOKET), "worker", "--sweep-seconds", "0.2", "--interval", "0.1", "--worker-id", f"w{n}"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()

    def logs(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(self.tmp_path.glob("worker-*.log")))

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows as the workers see them (SQLite: in the file they share; PostgreSQL: committed)."""
        if self.shared.sqlite:
            with sqlite3.connect(self.shared.path, timeout=30) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def wait_until(self, what: str, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while not done():
            dead = [p.returncode for p in self.processes if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                pytest.fail(f"{what}: not seen (workers ended: {dead})\n{self.logs()}")
            time.sleep(0.05)

    def heartbeats(self) -> dict[str, Any]:
        return dict(self.query("SELECT name, seen_at FROM operations_heartbeat"))

    def sweeps(self, count: int) -> None:
        """Wait until every worker has swept `count` more times (its heartbeat renewed)."""
        seen: dict[str, set[Any]] = {}

        def renewed() -> bool:
            for name, at in self.heartbeats().items():
                seen.setdefault(name, set()).add(at)
            mine = [values for name, values in seen.items() if name in self.names()]
            return len(mine) == len(self.processes) and all(len(values) > count for values in mine)

        self.wait_until(f"{count} sweeps of each worker", renewed)

    def names(self) -> set[str]:
        return {f"{socket.gethostname()}:{p.pid}"[:200] for p in self.processes}


@pytest.fixture
def workers(tmp_path: Path, smtp_server: Any) -> Iterator[Workers]:
    shared = SharedDatabase(tmp_path)
    env = shared.process_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="tests.notify.counted_job_settings",
        LOKET_PERIODIC_SECONDS="3600",
        LOKET_TEST_JOB_RUNS=str(tmp_path / "runs.txt"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp_server.host,
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_TIMEOUT="10",
    )
    running = Workers(shared, env, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def job_runs(workers: Workers) -> list[str]:
    path = Path(workers.env["LOKET_TEST_JOB_RUNS"])
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def test_two_workers_send_each_mail_once(workers, smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("two workers sharing the queue need PostgreSQL (SKIP LOCKED): run with DATABASE_URL=postgres://...")
    # The relay takes a moment per mail, as a real one does, so both workers have mail in hand at once.
    collector: Any = smtp_server._collector
    accept = collector.handle_DATA

    async def slow_accept(*args: Any) -> str:
        await asyncio.sleep(0.05)
        return str(await accept(*args))

    collector.handle_DATA = slow_accept
    workers.start()
    workers.wait_until("both workers' heartbeat", lambda: workers.names() <= set(workers.heartbeats()))
    queued = [queue_received_mail(to=f"pemohon{n}@dinas.go.id") for n in range(40)]

    workers.wait_until(
        "every mail sent", lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
    )
    workers.sweeps(3)  # time for a second copy to go out, were one to
    workers.stop()

    received = smtp_server.messages
    assert sorted(r for m in received for r in m.envelope_to) == sorted(m.to for m in queued)
    assert len({m.message["Message-ID"] for m in received}) == len(queued)
    senders = Counter(worker for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for worker in ids)
    assert set(senders) == {"w0", "w1"} and sum(senders.values()) == len(queued), senders


def test_a_periodic_job_runs_once_per_period_and_the_heartbeat_in_each_process(workers):
    workers.start()
    workers.sweeps(3)
    assert len(job_runs(workers)) == 1, "two workers, one period: the job ran once"
    runs = dict(workers.query("SELECT name, runs FROM operations_periodicjob"))
    assert runs["tests.notify.counted_job_settings.counted_job"] == 1
    assert set(runs.values()) == {1}  # every shared job: once
    assert "loket.operations.jobs.heartbeat" not in runs
    assert workers.names() <= set(workers.heartbeats()), "each process keeps its own heartbeat"

    # The period passes (its due time moved back): the next sweep of either worker runs it, once.
    workers.query("UPDATE operations_periodicjob SET due_at = %s", ("2000-01-01 00:00:00",))
    workers.wait_until("the job run again", lambda: len(job_runs(workers)) >= 2)
    workers.sweeps(3)
    assert len(job_runs(workers)) == 2
    assert set(dict(workers.query("SELECT name, runs FROM operations_periodicjob")).values()) == {2}


def test_a_job_is_claimed_once_until_it_is_due_again_and_by_hand_whenever_asked(settings):
    settings.LOKET_PERIODIC_SECONDS = 60
    now = timezone.now()
    assert claim_job("x.job", now=now) is True
    assert claim_job("x.job", now=now + dt.timedelta(seconds=59)) is False
    assert claim_job("x.job", now=now + dt.timedelta(seconds=59), force=True) is True  # `loket worker --once`
    assert claim_job("x.job", now=now + dt.timedelta(seconds=60)) is False  # the forced run set a new period
    assert claim_job("x.job", now=now + dt.timedelta(seconds=119)) is True
    job = PeriodicJob.objects.get(name="x.job")
    assert job.runs == 3 and job.last_worker
