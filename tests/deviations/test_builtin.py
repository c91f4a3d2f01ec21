"""The issue's "done when" on the built-in SOPs: a Kepala LPSE of Kalimantan Timur opens the
month's deviations and sees which step ran late, who did it and what they answered; the report's
counts say the same; the heads of other units see none of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from loket.cases.services import submit_request
from loket.catalog.selectors import parsed
from loket.deviations import selectors
from loket.reports.mutu_baku import ReportFilter
from tests.factories import pdf_bytes, sop_version, staff

from .conftest import answer, started_long_ago

pytestmark = pytest.mark.django_db


def test_a_kepala_lpse_sees_the_months_late_step_and_who_answered_for_it(client, people):
    kepala = staff("kepala-kaltim", "kaltim", "Kepala LPSE")
    kabag = staff("kabag-magelang", "magelang", "Kepala Bagian Pengadaan Barang/Jasa")
    version = sop_version("kaltim-reset-ppk")
    assert parsed(version).pengawas == "Kepala LPSE"
    case = submit_request(
        sop_version=version,
        channel="web",
        need="password",
        name=people.ppk.name,
        email="siti@gmail.com",
        user_id=people.ppk.user_id,
        agency_id=people.ppk.agency_id,
        files=[("surat-permohonan", "s.pdf", pdf_bytes()), ("sk-pengangkatan", "k.pdf", pdf_bytes())],
    ).case
    started_long_ago(case, 2)
    answer(case, people.aa_pupr, [(2, "ya")], kelengkapan=["0"], **{"alasan-terlambat-2": "Server SPSE gangguan"})

    today = timezone.localdate()
    month = {"dari": today.replace(day=1).isoformat(), "sampai": (today + dt.timedelta(days=1)).isoformat()}
    client.force_login(kepala)
    page = client.get(reverse("console:deviations"), month)
    assert page.status_code == 200
    [row] = page.context["rows"]
    assert (row["d"].case, row["d"].step_run.step, row["d"].executor) == (case, 2, people.aa_pupr)
    html = page.content.decode()
    assert case.reference in html and "aa-pupr" in html and "Server SPSE gangguan" in html
    spec = ReportFilter(date_from=today.replace(day=1), date_to=today + dt.timedelta(days=1))
    assert selectors.deviation_summary(kepala, spec) == {(version.pk, 2): {"jumlah": 1, "dijawab": 1, "diterima": 0}}
    # The head of another unit reviews their own unit's SOP only.
    assert selectors.may_review(kabag)
    assert list(selectors.deviation_list(kabag, ReportFilter(), mine=False)) == []
    # The Admin Agency of another agency in the same unit supervises nothing.
    client.force_login(people.aa_dinkes)
    assert client.get(reverse("console:deviations")).status_code == 403
