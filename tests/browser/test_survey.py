"""The satisfaction survey in a real browser: a requester opens the mailed link on a phone-width
page, first sends it half filled (the page says what is missing and keeps every choice), then
answers; the staff's IKM page shows the index change. Screenshots at 390 and 1280 px into
/tmp/shots/survey/ and test-artifacts/screenshots/; Chromium refuses nothing under the
Content-Security-Policy, and axe-core finds no serious violation on the survey form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from loket.survey.models import Response
from tests.factories import PASSWORD
from tests.sop_factory import service  # noqa: F401  (the fixture)
from tests.survey.helpers import ended, path_of, survey_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/survey")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = Path(os.environ.get("LOKET_AXE", Path(__file__).parents[2] / ".venv/node/node_modules/axe-core/axe.min.js"))
# What the requester picks, question by question (the answers' words as the page shows them).
PICKS = {
    "persyaratan": "Sesuai",
    "prosedur": "Sangat mudah",
    "waktu": "Cepat",
    "biaya": "Gratis",
    "produk": "Sesuai",
    "kompetensi": "Sangat kompeten",
    "perilaku": "Sangat sopan dan ramah",
    "sarana": "Baik",
    "pengaduan": "Dikelola dengan baik",
}


def shot(page: Page, name: str) -> None:
    for folder in (SHOTS, ARTIFACTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"survey-{name}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def watch(page: Page, refused: list[str]) -> Page:
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def test_a_requester_answers_on_a_phone_and_staff_see_the_ikm_change(live_server, browser, service, settings):  # noqa: F811
    base = live_server.url
    settings.LOKET_BASE_URL = base
    case = ended(service, "done")
    link = base + path_of(survey_link(case))
    refused: list[str] = []

    staff = watch(browser.new_context(viewport=WIDE, locale="id-ID").new_page(), refused)
    staff.goto(f"{base}/konsol/masuk/")
    staff.get_by_label("Nama pengguna").fill(service.verifier.get_username())
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Masuk").click()
    staff.wait_for_url(f"{base}/konsol/")
    staff.get_by_role("link", name="Survei kepuasan (IKM)").click()
    expect(staff.locator("#ikm .ikm-value")).to_have_text("—")
    expect(staff.locator("#responden")).to_contain_text("dari sampel minimal 1 (populasi 1 permohonan selesai)")

    phone = watch(browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True).new_page(), refused)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Survei kepuasan layanan")
    expect(phone.locator("fieldset.survey-question")).to_have_count(9)
    shot(phone, "1-form-390")

    # Half filled: the page names what is missing, and keeps what was chosen and written.
    for field in ("persyaratan", "prosedur", "waktu", "biaya"):
        phone.locator(f"#q-{field}").get_by_text(PICKS[field], exact=True).click()
    phone.get_by_label("Saran dan masukan (boleh dikosongkan)").fill("Petugas sangat membantu.")
    phone.get_by_role("button", name="Kirim penilaian").click()
    expect(phone.locator(".error-summary")).to_contain_text("5 dari 9 pertanyaan belum dijawab.")
    expect(phone.locator("#q-biaya").get_by_label("Gratis")).to_be_checked()
    expect(phone.get_by_label("Saran dan masukan (boleh dikosongkan)")).to_have_value("Petugas sangat membantu.")
    shot(phone, "2-belum-lengkap-390")

    for field, words in PICKS.items():
        phone.locator(f"#q-{field}").get_by_text(words, exact=True).click()
    phone.get_by_role("button", name="Kirim penilaian").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Terima kasih")
    shot(phone, "3-terima-kasih-390")
    assert Response.objects.get(case=case).scores() == [3, 4, 3, 4, 3, 4, 4, 3, 4]
    phone.goto(link)
    expect(phone.locator("main")).to_contain_text("sudah diisi")
    shot(phone, "4-sudah-diisi-390")

    # 3+4+3+4+3+4+4+3+4 = 32; 32 / 9 × 25 = 88.89: A, Sangat Baik.
    staff.reload()
    expect(staff.locator("#ikm .ikm-value")).to_have_text("88,89")
    expect(staff.locator("#ikm")).to_contain_text("Sangat Baik")
    expect(staff.locator("#saran")).to_contain_text("Petugas sangat membantu.")
    shot(staff, "5-konsol-1280")
    staff.set_viewport_size(PHONE)
    shot(staff, "6-konsol-390")
    assert refused == []

    # axe-core on the form of a fresh case's link (axe is the test's script: CSP bypassed for it).
    if AXE.exists():
        second = ended(service, "done")
        checker = browser.new_context(viewport=PHONE, locale="id-ID", bypass_csp=True).new_page()
        checker.goto(base + path_of(survey_link(second)))
        checker.add_script_tag(path=str(AXE))
        found = checker.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                 .filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id)"""
        )
        assert found == []
