"""The SOP catalogue in a real browser: see the five SOPs, open one, download its PDF."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def builtin(transactional_db):
    call_command("sop", "install", "--builtin", stdout=io.StringIO())


def test_a_visitor_sees_the_five_sops_opens_one_and_downloads_its_pdf(live_server, builtin, page, screenshot):
    page.goto(f"{live_server.url}/sop/")
    rows = page.locator("#katalog tbody tr")
    assert rows.count() == 5
    assert page.locator('tr[data-kode="kaltim-reset-ppk"]').inner_text().count("35 menit") == 1
    screenshot("katalog")

    page.get_by_role("link", name="Perubahan Password dan Pemberian Informasi User ID PPK").first.click()
    page.wait_for_url("**/sop/kaltim-reset-ppk/")
    assert page.get_by_role("heading", level=1).inner_text() == "Perubahan Password dan Pemberian Informasi User ID PPK"
    flowchart = page.locator(".flowchart svg")
    assert flowchart.bounding_box()["width"] > 200  # the flowchart is drawn, not an empty box
    screenshot("sop-kaltim-reset-ppk")

    with page.expect_download() as info:
        page.get_by_role("link", name="Dokumen resmi (PDF)").click()
    download = info.value
    assert download.suggested_filename == "kaltim-reset-ppk-v4.pdf"
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
