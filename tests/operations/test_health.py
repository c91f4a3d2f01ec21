"""The health endpoint `GET /ops/health/` and `loket health`: ok with a fresh heartbeat and no
late mail; 503 "degraded" when the worker's heartbeat is stale or missing or a mail has waited
too long; 503 "down" when the database does not answer; a few queries, never cached, no sign-in,
no personal data."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loket.notify.models import OutboxMessage
from loket.operations import health as health_module
from loket.operations.jobs import heartbeat, worker_name
from loket.operations.models import Heartbeat

pytestmark = pytest.mark.django_db

URL = "/ops/health/"


def beat(seconds_ago: float, name: str = "host:1") -> Heartbeat:
    return Heartbeat.objects.create(name=name, seen_at=timezone.now() - timedelta(seconds=seconds_ago))


def mail(seconds_ago: float, status: str = OutboxMessage.Status.PENDING) -> OutboxMessage:
    row = OutboxMessage.objects.create(
        template="diterima", to="pemohon.rahasia@gmail.com", subject="Permohonan Anda", body="isi", status=status
    )
    OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(seconds=seconds_ago))
    return row


def get(client: Client) -> tuple[int, dict[str, Any], Any]:
    response = client.get(URL)
    return response.status_code, json.loads(response.content), response


def run_command(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("health", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_the_url_is_named():
    assert reverse("operations:health") == URL


def test_it_is_ok_with_a_fresh_heartbeat_and_no_late_mail(client, django_assert_max_num_queries):
    heartbeat()
    mail(60)
    mail(5000, status=OutboxMessage.Status.SENT)  # sent long ago: not waiting
    with django_assert_max_num_queries(3):
        code, data, response = get(client)
    assert code == 200
    assert data["status"] == "ok" and data["problems"] == []
    assert set(data) == {"status", "database", "worker", "mail", "problems"}
    assert data["database"]["ok"] is True and data["database"]["vendor"] in {"sqlite", "postgresql"}
    assert set(data["worker"]) == {"last_seen", "age_s", "max_age_s", "processes"}
    assert data["worker"]["age_s"] < 5 and data["worker"]["processes"] == 1
    assert data["worker"]["max_age_s"] == 300
    assert data["mail"]["pending"] == 1 and 59 <= data["mail"]["oldest_pending_age_s"] < 70
    assert data["mail"]["max_age_s"] == 900
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    # No personal data: the waiting mail's address and the worker's host never appear.
    assert b"pemohon" not in response.content and worker_name().encode() not in response.content


def test_a_stale_heartbeat_is_degraded_and_503(client):
    beat(301)
    code, data, _response = get(client)
    assert (code, data["status"]) == (503, "degraded")
    assert data["worker"]["processes"] == 0 and data["worker"]["age_s"] >= 301
    assert data["problems"] == [
        f"Pekerja terakhir terlihat {int(data['worker']['age_s'])} detik lalu (batas 300 detik)."
    ]


def test_a_worker_never_seen_is_degraded(client):
    code, data, _response = get(client)
    assert (code, data["status"], data["worker"]["last_seen"], data["worker"]["age_s"]) == (503, "degraded", None, None)


def test_the_newest_of_many_workers_counts(client):
    beat(4000, "host:1")
    beat(10, "host:2")
    code, data, _response = get(client)
    assert (code, data["status"], data["worker"]["processes"]) == (200, "ok", 1)


def test_an_old_pending_mail_is_degraded_and_503(client):
    heartbeat()
    mail(901, status=OutboxMessage.Status.SENDING)
    mail(30)
    code, data, _response = get(client)
    assert (code, data["status"], data["mail"]["pending"]) == (503, "degraded", 2)
    assert data["mail"]["oldest_pending_age_s"] >= 901
    assert len(data["problems"]) == 1 and data["problems"][0].startswith("E-mail tertua di kotak keluar")


def test_the_limits_come_from_the_settings(client, settings):
    settings.LOKET_HEALTH_WORKER_MAX_AGE = 30
    settings.LOKET_HEALTH_MAIL_MAX_AGE = 60
    beat(40)
    mail(70)
    code, data, _response = get(client)
    assert (code, data["worker"]["max_age_s"], data["mail"]["max_age_s"], len(data["problems"])) == (503, 30, 60, 2)


class _NoDatabase:
    vendor = "postgresql"

    def cursor(self):  # type: ignore[no-untyped-def]
        raise OperationalError("connection refused")


def test_a_database_that_does_not_answer_is_down_and_503(client, monkeypatch):
    monkeypatch.setattr(health_module, "connection", _NoDatabase())
    code, data, response = get(client)
    assert (code, data["status"], data["database"]["ok"]) == (503, "down", False)
    assert data["worker"] is None and data["mail"] is None
    assert data["problems"] == ["Basis data tidak menjawab."]
    assert b"refused" not in response.content


def test_only_get_is_answered(client):
    assert client.post(URL).status_code == 405


def test_the_heartbeat_job_renews_its_row_and_prunes_old_ones():
    beat(2 * 86400, "host:gone")
    heartbeat()
    heartbeat()
    assert list(Heartbeat.objects.values_list("name", flat=True)) == [worker_name()]


def test_the_command_prints_and_exits_by_status():
    heartbeat()
    code, out = run_command()
    assert code == 0 and out.startswith("Status: ok") and "0 e-mail menunggu" in out
    code, out = run_command("--json")
    assert code == 0 and json.loads(out)["status"] == "ok"
    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=1000))
    code, out = run_command()
    assert code == 1 and "Status: degraded" in out and "Pekerja terakhir terlihat" in out


def test_the_command_exits_2_when_the_database_is_down(monkeypatch):
    monkeypatch.setattr(health_module, "connection", _NoDatabase())
    code, out = run_command()
    assert code == 2 and "TIDAK menjawab" in out


def test_the_worker_beats_when_the_job_is_in_its_periodic_jobs(settings):
    from loket.notify.worker import run_worker

    settings.LOKET_PERIODIC_JOBS = ["loket.operations.jobs.heartbeat"]
    run_worker(once=True, announce=lambda _line: None)
    assert health_module.check_health().worker["processes"] == 1  # type: ignore[index]
