"""The clerk reads the documents beside the checklist: on a wide screen the case page puts the
documents at the left, large enough to read, and the decision form at the right, where it stays in
view while the documents scroll; on a phone they stack and nothing scrolls sideways. After an error
the summary at the top links to the step, and the answers given are still there."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, pdf_bytes
from tests.sop_factory import make_service, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1600, "height": 900}
PHONE = {"width": 390, "height": 844}
FILES = [("surat-pengajuan", "surat.pdf", pdf_bytes(3)), ("sk-penunjukan", "sk.pdf", pdf_bytes(2))]


def _open_case(browser, base: str, username: str, case_id: int, viewport: dict):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = context.new_page()
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")
    page.goto(f"{base}/konsol/kasus/{case_id}/")
    return context, page


def _box(page, selector: str) -> dict:  # type: ignore[no-untyped-def]
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_documents_sit_beside_the_checklist_and_the_form_stays_in_view(live_server, browser, snap):
    service = make_service()
    case = submit(service, files=FILES).case
    context, page = _open_case(browser, live_server.url, service.verifier.get_username(), case.pk, DESKTOP)
    viewer = _box(page, ".documents .doc-view")
    form = _box(page, "form.decision")
    assert form["x"] >= viewer["x"] + viewer["width"]  # side by side, the form at the right
    assert viewer["width"] >= 800 and viewer["height"] >= 600  # an A4 page at a readable size
    snap(page, "case-review-desktop")
    # Scrolled down to the second document, the first question of the form is still on screen.
    page.locator(".documents figure.doc").nth(1).scroll_into_view_if_needed()
    question = page.locator("#langkah-2 legend").bounding_box()
    assert question is not None and 0 <= question["y"] < DESKTOP["height"]
    context.close()


def test_on_a_phone_they_stack_and_an_error_links_to_its_step_keeping_the_answers(live_server, browser, snap):
    service = make_service()
    case = submit(service, files=FILES).case
    context, page = _open_case(browser, live_server.url, service.verifier.get_username(), case.pk, PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    viewer, form = _box(page, ".documents .doc-view"), _box(page, "form.decision")
    assert form["y"] >= viewer["y"] + viewer["height"]  # stacked: the form after the documents
    # A refusal without its reason: not saved, the summary links to the step, the answers stay.
    page.locator("#langkah-2").get_by_label("Ya", exact=True).check()
    page.locator("#catatan-2").fill("SK terbaca jelas")
    page.locator("#langkah-5").get_by_label("Tidak", exact=True).check()
    page.get_by_role("button", name="Simpan keputusan").click()
    summary = page.locator("#kesalahan")
    assert page.get_by_role("alert").count() == 1  # the summary is the one alert; the step's message is text
    assert "Langkah 5: Tulis alasan penolakan" in summary.inner_text()
    summary.get_by_role("link", name="Langkah 5").click()
    assert page.url.endswith("#langkah-5")
    assert page.locator("#langkah-5 .error").is_visible()
    assert page.locator("#langkah-2").get_by_label("Ya", exact=True).is_checked()
    assert page.locator("#catatan-2").input_value() == "SK terbaca jelas"
    assert page.locator("#langkah-5").get_by_label("Tidak", exact=True).is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snap(page, "case-review-phone-error")
    context.close()
