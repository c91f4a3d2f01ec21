"""The console's "Semua permohonan" page in a real browser, at 1280 and 390 px: the search form,
my recent cases and the result table fit (the table may scroll in its own frame, the page may
not), and a search narrows the list. Screenshots: /tmp/shots/cases-*.png and
test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loket.cases.models import Case
from tests.cases.test_services import answer_run
from tests.factories import PASSWORD
from tests.sop_factory import make_service, submit

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def test_the_case_list_at_desktop_and_phone_width(live_server, browser):
    service = make_service()
    names = ["Rina Kartika", "Budi Santoso", "Siti Rahmawati Wulandari Kusumaningrum", "Agus Salim"]
    cases = [
        submit(service, name=name, email=f"pemohon{i}@contoh-instansi-daerah.go.id", nip="").case
        for i, name in enumerate(names)
    ]
    answer_run(cases[0], service.verifier, [(2, "ya", "")])
    Case.objects.filter(pk=cases[1].pk).update(current_due_at=dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    SHOTS.mkdir(parents=True, exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        page = context.new_page()
        page.goto(f"{live_server.url}/konsol/masuk/")
        page.get_by_label("Nama pengguna").fill(service.verifier.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(f"{live_server.url}/konsol/")
        page.get_by_role("link", name="Semua permohonan").click()
        page.wait_for_url(f"{live_server.url}/konsol/kasus/")
        assert page.get_by_role("heading", name="Permohonan terakhir saya").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for name in (f"cases-{width}.png",):
            page.screenshot(path=str(SHOTS / name), full_page=True)
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        page.get_by_label("Cari", exact=True).fill("budi")
        page.get_by_role("button", name="Cari").click()
        page.wait_for_url("**/konsol/kasus/?*")
        assert page.locator("table.case-list tbody tr").count() == 1
        assert page.locator(".badge.late").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"cases-{width}-search.png"), full_page=True)
        page.get_by_text("Saring dan urutkan").click()
        page.get_by_label("Hanya yang terlambat").check()
        page.get_by_label("Cari", exact=True).fill("")
        page.get_by_role("button", name="Terapkan").click()
        page.wait_for_url("**terlambat=on**")
        assert page.locator("table.case-list tbody tr").count() == 1
        assert page.locator("details.case-search-more[open]").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"cases-{width}-filters.png"), full_page=True)
        context.close()
