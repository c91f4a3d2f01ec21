"""The periodic jobs in the admin: the operator sees each job's next due time, last run, worker
and runs, and the heartbeats; nobody adds, edits or deletes them; "run at the next sweep" makes
the chosen jobs due now, so that the next worker's sweep runs them once (and the audit log says
who asked)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from loket.audit.models import AuditEntry
from loket.notify.worker import claim_job
from loket.operations.models import Heartbeat, PeriodicJob

JOBS = "/admin/operations/periodicjob/"
BEATS = "/admin/operations/heartbeat/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs() -> list[PeriodicJob]:
    later = timezone.now() + dt.timedelta(hours=1)
    return [
        PeriodicJob.objects.create(name=name, due_at=later, last_worker="host:4242", runs=7)
        for name in ("loket.cases.retention.sweep", "loket.survey.jobs.remind")
    ]


def test_the_operator_sees_the_jobs_and_the_heartbeats(client, superuser, jobs):
    Heartbeat.objects.create(name="host:4242", seen_at=timezone.now())
    client.force_login(superuser)
    page = client.get(JOBS).content.decode()
    assert "loket.cases.retention.sweep" in page and "host:4242" in page
    assert "host:4242" in client.get(BEATS).content.decode()


def test_nobody_adds_changes_or_deletes_a_job_or_a_heartbeat(client, superuser, jobs):
    beat = Heartbeat.objects.create(name="host:4242", seen_at=timezone.now())
    client.force_login(superuser)
    for base, pk in ((JOBS, jobs[0].pk), (BEATS, beat.pk)):
        assert client.get(f"{base}add/").status_code == 403
        assert client.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403
        changed = {"name": "x", "due_at_0": "2020-01-01", "due_at_1": "00:00", "runs": 0, "seen_at_0": "2020-01-01"}
        assert client.post(f"{base}{pk}/change/", changed).status_code == 403
    assert PeriodicJob.objects.get(pk=jobs[0].pk).name == jobs[0].name
    assert Heartbeat.objects.get(pk=beat.pk).name == "host:4242"


def test_staff_who_may_only_view_cannot_make_a_job_due(client, jobs):
    viewer = get_user_model().objects.create_user("pengamat", password="Rahasia-uji-123", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_periodicjob"))
    client.force_login(viewer)
    page = client.get(JOBS)
    assert page.status_code == 200 and "loket.cases.retention.sweep" in page.content.decode()
    assert "run_next_sweep" not in page.content.decode()
    due = PeriodicJob.objects.get(pk=jobs[0].pk).due_at
    client.post(JOBS, {"action": "run_next_sweep", "_selected_action": [jobs[0].pk]})
    assert PeriodicJob.objects.get(pk=jobs[0].pk).due_at == due
    assert not AuditEntry.objects.filter(action="operations.job_due_now").exists()


def test_run_at_the_next_sweep_makes_the_job_due_and_one_sweep_claims_it(client, superuser, jobs):
    chosen, other = jobs
    assert not claim_job(chosen.name)  # due in an hour: a sweep now passes it
    client.force_login(superuser)
    response = client.post(JOBS, {"action": "run_next_sweep", "_selected_action": [chosen.pk]}, follow=True)
    assert "1 pekerjaan dijalankan pada sapuan berikutnya." in response.content.decode()
    assert claim_job(chosen.name) and not claim_job(chosen.name)  # once, then a period later
    assert not claim_job(other.name)
    entry = AuditEntry.objects.get(action="operations.job_due_now")
    assert entry.actor == superuser and entry.detail["jobs"] == [chosen.name]
