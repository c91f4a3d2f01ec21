"""A console page reads a unit's newest SOPs and staff lanes once, however many parts of the
page ask of them (the nav's counter, mailbox and training links); outside a request every read
is fresh, and a request that installs an SOP or saves the lanes reads them anew."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loket import request_memo
from loket.catalog.models import UnitLane
from loket.catalog.selectors import staff_lanes, unit_versions
from loket.mailbox.lanes import mail_lanes
from loket.mailbox.models import Mailbox

pytestmark = pytest.mark.django_db


def _newest_versions_reads(queries: CaptureQueriesContext) -> int:
    return sum('FROM "catalog_sopversion"' in q["sql"] and "MAX(" in q["sql"] for q in queries.captured_queries)


def _lane_reads(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith('SELECT "catalog_unitlane"."name"') for q in queries.captured_queries)


def test_a_console_page_reads_the_units_sops_and_lanes_once(client, service):
    Mailbox.objects.create(unit=service.unit, host="imap.invalid", username="loket")
    assert mail_lanes(service.unit)  # the nav asks of the counter, the mailbox and training
    client.force_login(service.verifier)
    client.get("/konsol/")
    with CaptureQueriesContext(connection) as page:
        response = client.get("/konsol/")
    assert response.status_code == 200
    assert f"/konsol/surel/{service.unit.kode}/" in response.content.decode()
    assert _newest_versions_reads(page) == 1
    assert _lane_reads(page) == 1


def test_outside_a_request_every_read_is_fresh(service):
    with CaptureQueriesContext(connection) as reads:
        unit_versions(service.unit.pk)
        unit_versions(service.unit.pk)
    assert _newest_versions_reads(reads) == 2
    before = staff_lanes(service.unit.pk)
    UnitLane.objects.create(unit=service.unit, name="Lajur Baru")
    assert staff_lanes(service.unit.pk) == before | {"Lajur Baru"}


def test_within_a_request_saving_a_lane_drops_what_was_kept(service):
    request_memo._open()
    try:
        before = staff_lanes(service.unit.pk)
        with CaptureQueriesContext(connection) as kept:
            assert staff_lanes(service.unit.pk) == before
        assert _lane_reads(kept) == 0
        UnitLane.objects.create(unit=service.unit, name="Lajur Baru")
        assert staff_lanes(service.unit.pk) == before | {"Lajur Baru"}
    finally:
        request_memo._close()
