"""The Standar Pelayanan in a real browser: from an SOP's catalogue page to its standard, the 14
components in their table with the flowchart, the PDF download, the page on a phone (390 px, no
sideways scroll) and the page printed by the browser on A4 (its print stylesheet)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from tests.browser.test_accessibility import _context, _violations
from tests.service_standard.test_builder import TITLES

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots/service-standard")


@pytest.fixture
def builtin(transactional_db):
    call_command("sop", "install", "--builtin", stdout=io.StringIO())


def test_a_visitor_reads_prints_and_downloads_a_services_standard(
    live_server, builtin, page, screenshot, new_page, browser
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/sop/kkp-reset-admin-agency/")
    page.get_by_role("link", name="Standar Pelayanan", exact=True).click()
    page.wait_for_url("**/standar-pelayanan/kkp-reset-admin-agency/?versi=*")
    assert (
        "Perubahan Password dan Pemberian Informasi User ID Admin Agency"
        in page.get_by_role("heading", level=1).inner_text()
    )
    titles = page.locator("#standar-pelayanan th.sp-title").all_inner_texts()
    assert titles == TITLES
    assert page.locator("#prosedur .sp-flowchart svg").bounding_box()["width"] > 200
    assert "55 menit kerja" in page.locator("#jangka_waktu").inner_text()
    screenshot("standar-pelayanan-kkp")
    page.screenshot(path=str(SHOTS / "page-1366.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("standar-pelayanan-kkp-reset-admin-agency-v")
    with open(download.path(), "rb") as f:
        reader = PdfReader(f)
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert all(title in text for title in TITLES)

    # Printed by the browser (its print stylesheet): A4, no navigation, every component.
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden() and page.locator("ul.downloads").is_hidden()
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    printed_text = " ".join(" ".join(p.extract_text() for p in printed.pages).split())
    assert all(title in printed_text for title in TITLES)
    page.screenshot(path=str(SHOTS / "page-print.png"), full_page=True)

    phone = new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/standar-pelayanan/magelang-reset-ppk/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.locator("#persyaratan").inner_text().count("Untuk ") == 3  # one list per role
    phone.screenshot(path=str(SHOTS / "page-390.png"), full_page=True)

    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/standar-pelayanan/")
    assert page.locator("section.sp-unit").count() == 4
    screenshot("standar-pelayanan-index")
    page.screenshot(path=str(SHOTS / "index-1366.png"), full_page=True)

    # axe-core: no serious or critical violation on the index and a standard's page.
    checked = _context(browser)
    found = [
        v
        for url in ("/standar-pelayanan/", "/standar-pelayanan/kkp-reset-admin-agency/")
        for v in _violations(checked.new_page(), live_server.url + url)
    ]
    checked.close()
    assert found == []
