"""The mutu baku report in a real browser, at 1280 and 390 px: the tables and the five charts fit
(a chart may scroll sideways in its own frame, the page may not), nothing is refused by the
Content-Security-Policy, and an XLSX goes through the worker: "Unduh XLSX" queues it, the job's
page follows its progress by itself (static/reports/export-job.js) and offers the file once the
worker has built it; the file reads back with openpyxl. Screenshots: /tmp/shots/charts/ and
test-artifacts/screenshots/ (report-1280.png, report-390.png, report-chart-*.png,
report-export-*.png)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import PASSWORD
from tests.reports.test_mutu_baku import cases
from tests.sop_factory import service

from .conftest import SCREENSHOTS

__all__ = ["cases", "service"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/charts")


def _shot(target, name: str, **options) -> None:  # type: ignore[no-untyped-def]
    for folder in (SHOTS, SCREENSHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(folder / name), **options)


def test_the_report_its_charts_and_an_xlsx_through_the_worker(live_server, browser, service, cases):
    refused: list[str] = []
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{live_server.url}/konsol/masuk/")
        page.get_by_label("Nama pengguna").fill(service.verifier.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(f"{live_server.url}/konsol/")
        page.get_by_role("link", name="Mutu baku").click()
        page.wait_for_url(f"{live_server.url}/konsol/laporan/mutu-baku/")

        charts = page.get_by_role("img")
        names = [charts.nth(i).get_attribute("aria-label") for i in range(charts.count())]
        assert names == [
            "Dalam mutu baku per langkah",
            "Dalam mutu baku per bulan",
            "Sebaran menit kerja terhadap mutu baku",
            "Beban per pelaksana",
            "Beban per hari dan jam",
        ]
        first = page.locator("#grafik-langkah svg")
        assert first.is_visible() and first.bounding_box()["height"] > 80  # type: ignore[index]
        assert "66,7% (2/3)" in first.text_content()  # type: ignore[operator]
        # the text alternative is there for a screen reader, not drawn over the page
        hidden = page.locator("#grafik-langkah .visually-hidden")
        assert hidden.locator("td").count() == 3 * 5 and hidden.bounding_box()["width"] <= 1  # type: ignore[index]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"report-{width}.png", full_page=True)
        _shot(page.locator("#grafik-sebaran"), f"report-chart-sebaran-{width}.png")
        _shot(page.locator("#grafik-jam"), f"report-chart-jam-{width}.png")

        if width == 1280:
            page.get_by_role("button", name="Unduh XLSX").click()
            page.wait_for_url("**/konsol/laporan/unduhan/*/")
            assert "menunggu giliran" in page.locator("[data-export-state]").text_content()  # type: ignore[operator]
            assert page.locator("[data-export-download]").is_hidden()
            _shot(page, "report-export-waiting.png", full_page=True)
            call_command("worker", "--once", stdout=io.StringIO())  # the worker builds it meanwhile
            link = page.locator("[data-export-link]")
            link.wait_for(state="visible", timeout=10_000)  # the page polls its status by itself
            assert "selesai" in page.locator("[data-export-state]").text_content()  # type: ignore[operator]
            assert link.text_content().startswith("Unduh mutu-baku-")  # type: ignore[union-attr]
            assert "WITA" in page.locator("[data-export-expires]").text_content()  # type: ignore[operator]
            assert page.locator("#export-bar").get_attribute("value") == "100"
            _shot(page, "report-export-done.png", full_page=True)
            with page.expect_download() as download:
                link.click()
            path = download.value.path()
            assert download.value.suggested_filename.endswith(".xlsx")
            book = load_workbook(io.BytesIO(Path(path).read_bytes()))
            assert book.sheetnames[:4] == ["keterangan", "langkah", "permohonan", "tunggu"]
            assert book["permohonan"].max_row == 1 + len(cases)
        context.close()
    assert refused == []
