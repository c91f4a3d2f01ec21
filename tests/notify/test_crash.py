"""A worker killed (SIGKILL) in the middle of a delivery, against the real SMTP server.

Each test runs a real worker process (tests/notify/crash_worker.py: `loket worker --once` with
a hook that waits at one point to be killed), kills it there, checks what the relay got and
what the rows say, lets the lease lapse, and runs a real `loket worker --once` again. The
promise (docs/mail.md, "After a crash"): one mail arrives, except when the worker died after
the relay accepted the mail and before that was committed; then it arrives twice, both copies
with the same Message-ID. No task row stays RUNNING.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from loket.notify.models import LINK_MARKER, OutboxMessage
from loket.notify.tasks import MAX_ATTEMPTS, deliver, mail_lease, send_pending
from loket.notify.worker import reclaim_lost_tasks
from tests.notify.test_outbox import LINK, queue_password_mail, stored_text, work_once

ROOT = Path(__file__).resolve().parents[2]
LOKET = Path(sys.executable).with_name("loket")

pytestmark = pytest.mark.django_db(transaction=True)


class SharedDatabase:
    """The test database, reachable from another process.

    PostgreSQL: the test database itself (the tests commit). SQLite: the test database lives in
    this process's memory, so it is copied to a file for the other process and copied back after.
    """

    def __init__(self, directory: Path) -> None:
        connection.ensure_connection()
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.path = directory / "shared.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def export(self) -> None:
        if self.sqlite:
            self.path.unlink(missing_ok=True)
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)
            target.close()

    def process_env(self, directory: Path, **extra: str) -> dict[str, str]:
        """The environment of a worker (or poller) process on this database: this process's
        environment without its mail, Loket and database settings, then DEBUG settings on this
        database with files under `directory`, then `extra`."""
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "LOKET_", "DATABASE_"))},
            "DJANGO_SETTINGS_MODULE": "loket.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.url,
            "LOKET_DEBUG": "1",
            "LOKET_LOG_LEVEL": "WARNING",
            "LOKET_VAR_DIR": str(directory),
            "LOKET_ENV_FILE": str(directory / "no.env"),
            **extra,
        }

    def import_back(self) -> None:
        if self.sqlite:
            source = sqlite3.connect(self.path)
            source.backup(connection.connection)
            source.close()


@pytest.fixture
def worker_env(tmp_path: Path, smtp_server: Any) -> Iterator[tuple[SharedDatabase, dict[str, str]]]:
    shared = SharedDatabase(tmp_path)
    env = shared.process_env(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp_server.host,
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_TIMEOUT="5",
    )
    yield shared, env


def kill_worker_at(point: str, shared: SharedDatabase, env: dict[str, str], tmp_path: Path) -> None:
    """Run a worker until it reaches `point`, then SIGKILL it."""
    signal_file = tmp_path / f"at-{point}"
    shared.export()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.notify.crash_worker", point, str(signal_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not signal_file.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if not signal_file.exists():
        process.kill()
        output = process.communicate()[0]
        pytest.fail(f"the worker never reached {point}:\n{output}")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    shared.import_back()


def restart_worker(shared: SharedDatabase, env: dict[str, str]) -> str:
    """`loket worker --once` in a process of its own, as an operator restarts it."""
    shared.export()
    done = subprocess.run(
        [str(LOKET), "worker", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shared.import_back()
    return done.stdout


def let_the_lease_lapse() -> None:
    """As if the lease had passed since the killed worker began: rewind the times it recorded."""
    back = mail_lease() + dt.timedelta(seconds=1)
    OutboxMessage.objects.filter(attempted_at__isnull=False).update(attempted_at=F("attempted_at") - back)
    DBTaskResult.objects.filter(started_at__isnull=False).update(started_at=F("started_at") - back)


def the_task() -> DBTaskResult:
    return DBTaskResult.objects.get()


def test_killed_before_the_relay_heard_of_it_the_mail_goes_out_once_after_the_lease(worker_env, smtp_server, tmp_path):
    shared, env = worker_env
    message = queue_password_mail()
    kill_worker_at("claimed", shared, env, tmp_path)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.secret_link) == ("sending", 1, LINK)
    assert the_task().status == TaskResultStatus.RUNNING
    assert smtp_server.messages == []
    # Within the lease the killed worker might still be alive: nobody touches the mail.
    work_once()
    message.refresh_from_db()
    assert (message.status, the_task().status) == ("sending", TaskResultStatus.RUNNING)
    assert smtp_server.messages == []

    let_the_lease_lapse()
    restart_worker(shared, env)

    [mail] = smtp_server.wait_for(1)
    time.sleep(0.3)
    assert len(smtp_server.messages) == 1
    assert LINK in mail.body and mail.message["Message-ID"] == message.message_id
    message.refresh_from_db()
    assert (message.status, message.attempts, message.secret_link) == ("sent", 2, "")
    assert LINK not in stored_text(message)
    task = the_task()
    assert (task.status, task.return_value, len(task.worker_ids)) == (TaskResultStatus.SUCCESSFUL, "sent", 2)


def test_killed_after_the_relay_accepted_it_the_mail_arrives_twice_with_one_message_id(
    worker_env, smtp_server, tmp_path
):
    """The one window the protocol leaves: the relay has the mail, the database does not know."""
    shared, env = worker_env
    message = queue_password_mail()
    kill_worker_at("accepted", shared, env, tmp_path)

    assert len(smtp_server.wait_for(1)) == 1
    message.refresh_from_db()
    assert (message.status, message.secret_link) == ("sending", LINK)
    assert the_task().status == TaskResultStatus.RUNNING

    let_the_lease_lapse()
    restart_worker(shared, env)

    first, second = smtp_server.wait_for(2)
    time.sleep(0.3)
    assert len(smtp_server.messages) == 2
    assert first.message["Message-ID"] == second.message["Message-ID"] == message.message_id
    assert first.body == second.body and LINK in first.body
    message.refresh_from_db()
    assert (message.status, message.attempts, message.secret_link) == ("sent", 2, "")
    assert "dua salinan" in message.last_error and LINK not in stored_text(message)
    assert the_task().status == TaskResultStatus.SUCCESSFUL


def test_killed_after_the_outcome_was_committed_the_mail_is_not_sent_again(worker_env, smtp_server, tmp_path):
    shared, env = worker_env
    message = queue_password_mail()
    kill_worker_at("recorded", shared, env, tmp_path)

    assert len(smtp_server.wait_for(1)) == 1
    message.refresh_from_db()
    assert (message.status, message.secret_link) == ("sent", "")
    assert LINK not in stored_text(message) and LINK_MARKER in message.body
    assert the_task().status == TaskResultStatus.RUNNING

    let_the_lease_lapse()
    output = restart_worker(shared, env)

    time.sleep(0.3)
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    task = the_task()
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "skipped")
    assert "kotak keluar: 0 menunggu, 0 gagal." in output


def test_deliver_leaves_the_row_sending_when_it_is_interrupted(smtp_server, monkeypatch):
    """Ctrl+C twice (or any BaseException) inside the SMTP call: no outcome is guessed."""
    message = queue_password_mail()

    def interrupted(*args: Any, **kwargs: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("loket.notify.tasks.EmailMessage.send", interrupted)
    with pytest.raises(KeyboardInterrupt):
        deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.secret_link) == ("sending", 1, LINK)


@task()
def some_other_job() -> None:
    """A task the worker knows nothing about: it must not run twice."""


def lost_task(result: Any, minutes: float) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=minutes),
        worker_ids=["dead-worker"],
    )
    return row


def test_the_sweep_takes_back_tasks_whose_worker_died_and_leaves_live_ones(smtp_server, settings):
    settings.LOKET_MAIL_LEASE_SECONDS = 300
    message = queue_password_mail()
    mail_task = lost_task(DBTaskResult.objects.get(), minutes=6)
    other = lost_task(some_other_job.enqueue(), minutes=6)
    young = lost_task(some_other_job.enqueue(), minutes=4)  # its worker may still be at it

    assert reclaim_lost_tasks() == 2
    assert DBTaskResult.objects.get(pk=mail_task.pk).status == TaskResultStatus.READY
    other.refresh_from_db()
    assert (other.status, other.exception_class_path) == (TaskResultStatus.FAILED, "loket.notify.worker.WorkerLost")
    assert "dead-worker" in other.traceback
    assert DBTaskResult.objects.get(pk=young.pk).status == TaskResultStatus.RUNNING

    work_once()  # the mail's task runs again and sends it
    assert LINK in smtp_server.wait_for(1)[0].body
    message.refresh_from_db()
    assert message.status == "sent"
    assert DBTaskResult.objects.get(pk=mail_task.pk).status == TaskResultStatus.SUCCESSFUL


def test_the_sweep_resends_a_mail_left_sending_even_without_its_task(smtp_server):
    message = queue_password_mail()
    DBTaskResult.objects.all().delete()
    since = timezone.now() - mail_lease() - dt.timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=message.pk).update(status="sending", attempts=1, attempted_at=since)
    assert send_pending() == 1
    mail = smtp_server.wait_for(1)[0]
    assert LINK in mail.body and mail.message["Message-ID"] == message.message_id
    message.refresh_from_db()
    assert (message.status, message.attempts, message.secret_link) == ("sent", 2, "")


def test_a_mail_left_sending_on_its_last_attempt_fails_for_good_and_loses_its_secret(smtp_server):
    message = queue_password_mail()
    since = timezone.now() - mail_lease() - dt.timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=message.pk).update(status="sending", attempts=MAX_ATTEMPTS, attempted_at=since)
    assert deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.secret_link) == ("failed", "")
    assert "mungkin sudah menerimanya" in message.last_error
    assert LINK not in stored_text(message)
    assert smtp_server.messages == []


def test_the_lease_follows_the_setting_and_the_smtp_timeout(settings):
    settings.EMAIL_TIMEOUT = 60
    del settings.LOKET_MAIL_LEASE_SECONDS
    assert mail_lease() == dt.timedelta(minutes=10)
    settings.EMAIL_TIMEOUT = 5
    assert mail_lease() == dt.timedelta(minutes=5)
    settings.LOKET_MAIL_LEASE_SECONDS = 90
    assert mail_lease() == dt.timedelta(seconds=90)
