"""`loket worker`: one round with --once, periodic jobs, its summary line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from loket.audit.models import AuditEntry
from loket.audit.services import log_action
from loket.notify.models import OutboxMessage
from loket.notify.services import queue_mail
from tests.fixtures_smtp import free_port

pytestmark = pytest.mark.django_db


def record_a_round() -> None:
    """A periodic job for the tests: leaves an audit entry each time it runs."""
    log_action("test.periodic_round")


def broken_job() -> None:
    raise RuntimeError("this job always fails")


def run_once() -> str:
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue()


def test_once_runs_the_periodic_jobs_and_says_what_it_did(smtp_server, settings):
    settings.LOKET_PERIODIC_JOBS = ["tests.notify.test_worker.record_a_round"]
    queue_mail(
        to="pemohon@gmail.com",
        template="dibatalkan",
        context={"reference": "SBT-2026-000001", "unit_name": "LPSE Kabupaten Seram Bagian Timur"},
    )
    output = run_once()
    assert AuditEntry.objects.filter(action="test.periodic_round").count() == 1
    assert output.strip().splitlines() == [
        "Pekerja selesai: 1 tugas dijalankan, 0 e-mail terkirim lewat penyapuan, 1 pekerjaan berkala (0 gagal); "
        "kotak keluar: 0 menunggu, 0 gagal."
    ]
    assert smtp_server.wait_for(1)[0].subject == "Permohonan SBT-2026-000001 telah dibatalkan"


def test_without_periodic_jobs_configured_the_worker_still_runs(settings):
    del settings.LOKET_PERIODIC_JOBS
    assert "0 pekerjaan berkala" in run_once()


def test_a_failing_job_does_not_stop_the_others_but_fails_the_round(settings):
    settings.LOKET_PERIODIC_JOBS = ["tests.notify.test_worker.broken_job", "tests.notify.test_worker.record_a_round"]
    with pytest.raises(CommandError, match="gagal"):
        run_once()
    assert AuditEntry.objects.filter(action="test.periodic_round").count() == 1


def test_it_refuses_a_job_that_does_not_exist(settings):
    settings.LOKET_PERIODIC_JOBS = ["loket.tidak.ada"]
    with pytest.raises(CommandError, match="loket.tidak.ada"):
        run_once()


def test_the_summary_counts_mail_still_waiting(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    queue_mail(
        to="pemohon@gmail.com",
        template="kedaluwarsa",
        context={"reference": "KKP-2026-000003", "unit_name": "LPSE KKP"},
    )
    assert "kotak keluar: 1 menunggu, 0 gagal." in run_once()
    assert OutboxMessage.objects.get().attempts == 1
