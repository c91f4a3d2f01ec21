"""Deviations in a real browser: a step finished late shows the optional "Alasan keterlambatan"
on the case page; the executor answers from "Penyimpangan saya", the supervisor (the SOP's
`pengawas`) accepts it from "Penyimpangan". No serious axe violation on the pages; screenshots
at 1280 and 390 px under /tmp/shots/deviations/ and test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from loket.cases.models import StepRun
from loket.deviations.models import Deviation, Status
from tests.factories import PASSWORD, staff
from tests.sop_factory import make_service, reset_sop, submit

from .conftest import SCREENSHOTS
from .test_accessibility import AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/deviations")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    for folder in (SHOTS, SCREENSHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"deviations-{name}.png"), full_page=True)


def _serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""
    )


def _sign_in(browser, base: str, username: str, width: int = 1280):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")
    return page


def test_an_executor_answers_and_the_supervisor_accepts(live_server, browser):
    service = make_service(text=reset_sop() + "pengawas: Kepala UKPBJ\n")
    head = staff("uji-kepala", "uji", "Kepala UKPBJ")
    case = submit(service).case
    StepRun.objects.filter(case=case, step=2, finished_at__isnull=True).update(
        started_at=timezone.now() - dt.timedelta(days=3)
    )
    base = live_server.url

    # The executor: the case page asks why the completeness check is late; they answer later.
    page = _sign_in(browser, base, service.verifier.get_username())
    page.goto(f"{base}/konsol/kasus/{case.pk}/")
    assert page.get_by_label("Alasan keterlambatan (opsional)").is_visible()
    _shot(page, "case-late-1280")
    page.locator("#langkah-2").get_by_label("Ya").check()
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_url(f"{base}/konsol/kasus/{case.pk}/")
    assert Deviation.objects.get(case=case).status == Status.OPEN
    page.get_by_role("link", name="Penyimpangan saya (1)").click()
    page.wait_for_url(f"{base}/konsol/penyimpangan/saya/")
    assert page.get_by_role("cell", name=case.reference).is_visible()
    assert _serious(page) == []
    _shot(page, "mine-1280")
    page.get_by_label("Alasan keterlambatan").fill("Jaringan kantor terputus pukul 09.00-11.00")
    page.get_by_role("button", name="Kirim alasan").click()
    page.wait_for_url(f"{base}/konsol/penyimpangan/saya/")
    assert page.get_by_text("Alasan tersimpan").is_visible()
    assert page.get_by_role("cell", name="dijawab, menunggu tinjauan").is_visible()
    page.context.close()

    # The supervisor: the unit's deviations, the reason beside the step; accepted.
    for width in (390, 1280):
        page = _sign_in(browser, base, head.get_username(), width)
        page.get_by_role("link", name="Penyimpangan (1)").click()
        page.wait_for_url(f"{base}/konsol/penyimpangan/")
        assert page.get_by_text("Jaringan kantor terputus").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"review-{width}")
        if width == 1280:
            assert _serious(page) == []
            page.get_by_role("button", name="Terima").click()
            page.wait_for_url(f"{base}/konsol/penyimpangan/")
            assert page.get_by_text("Jawaban diterima.").is_visible()
            page.get_by_role("link", name="Riwayat").click()
            page.wait_for_url(f"{base}/konsol/penyimpangan/*/")
            assert _serious(page) == []
            _shot(page, "detail-1280")
        page.context.close()
    d = Deviation.objects.get(case=case)
    assert (d.status, d.reviewer, d.reason) == (Status.ACCEPTED, head, "Jaringan kantor terputus pukul 09.00-11.00")
