"""Every time staff and requesters see is in the unit's zone with its name, never the server's
UTC: the work queue, the case page, the outbox, the SOP page and the account page, each shown a
moment whose UTC hour and local hour differ (the test unit keeps WITA, UTC+8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from loket.cases.models import Case, StepRun
from loket.catalog.models import SopVersion
from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 WITA
LOCAL, UTC_HOUR = "01-12-2026 09:30 WITA", "01:30"


def _at_moment(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(created_at=MOMENT, current_due_at=MOMENT)
    StepRun.objects.filter(case=case).update(started_at=MOMENT, due_at=MOMENT)
    StepRun.objects.filter(case=case, finished_at__isnull=False).update(finished_at=MOMENT)
    OutboxMessage.objects.filter(case=case).update(created_at=MOMENT)
    SopVersion.objects.filter(pk=case.sop_id).update(installed_at=MOMENT)


def _local_only(page: str) -> None:
    assert "UTC" not in page and UTC_HOUR not in page


def test_staff_pages_show_the_units_zone(client, service):
    case = submit(service).case
    _at_moment(case)
    client.force_login(service.verifier)
    queue = client.get(reverse("console:queue")).content.decode()
    assert LOCAL in queue
    _local_only(queue)
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "01-12-2026 09:30" in page and "(WITA)" in page
    _local_only(page)
    sop_page = client.get(reverse("web:sop_detail", args=[case.sop.kode])).content.decode()
    assert LOCAL in sop_page
    _local_only(sop_page)
    admin = get_user_model().objects.create_superuser("root-waktu", password="Rahasia-uji-123")
    client.force_login(admin)
    outbox = client.get(reverse("console:outbox")).content.decode()
    assert LOCAL in outbox
    _local_only(outbox)


def test_the_account_page_shows_the_units_zone(client, service):
    account = service.account
    response = client.post(
        "/akun/masuk/", {"unit": service.unit.kode, "user_id": account.user_id, "password": "Lama-Sekali-1!"}
    )
    assert response.status_code == 302
    Account.objects.filter(pk=account.pk).update(password_changed_at=MOMENT)
    page = client.get("/akun/").content.decode()
    assert LOCAL in page
    _local_only(page)
