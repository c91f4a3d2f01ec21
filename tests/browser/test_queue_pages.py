"""The work queue's pages on a phone (390 px): with more cases than a page holds, "berikutnya"
and "sebelumnya" are there, the page does not scroll sideways, and they lead to the rest of the
queue and back."""

from __future__ import annotations

import pytest

from tests.browser.test_phone_width import _fits
from tests.factories import PASSWORD
from tests.sop_factory import make_service, submit
from tests.web.test_case_list import clone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_queues_pages_on_a_phone(live_server, browser):
    service = make_service()
    first = submit(service).case
    first.refresh_from_db()
    clone(first, 50)  # 51 waiting: a full page and one more
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(service.verifier.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")
    _fits(page, f"{base}/konsol/")  # no sideways scroll, every target 44 px (and a screenshot)
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 50 and page.get_by_text("51 permohonan menunggu Anda.").is_visible()
    page.get_by_role("link", name="berikutnya »").click()
    page.wait_for_url("**/konsol/?setelah=*")
    assert rows.count() == 1 and page.get_by_role("link", name="berikutnya »").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="« sebelumnya").click()
    page.wait_for_url("**/konsol/?sebelum=*")
    assert rows.count() == 50 and page.get_by_role("link", name="« sebelumnya").count() == 0
    context.close()
