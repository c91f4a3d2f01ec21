"""A head of an agency's secretary asks for a new account on the portal, in Chromium, on a phone
(390 px) and on a desk (1280 px): fills the registration form, downloads the filled application
form, sends a mistake and sees it beside its field with everything typed kept, chooses the files,
and reads the receipt. Enter in a text field sends the request, not the download. The page has
no horizontal scroll at 390 px and Chromium refuses nothing under the CSP.

Screenshots go to /tmp/shots/registration-*.png (LOKET_SHOTS elsewhere)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from loket.cases.models import Case, Status
from loket.registration.models import Registration
from tests.browser.conftest import PHONE
from tests.factories import pdf_bytes
from tests.registration.conftest import CANDIDATE_NIP, reg

__all__ = ["reg"]  # the registration SOP's fixture (tests/registration/conftest.py)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("LOKET_SHOTS", "/tmp/shots"))
DESK = {"width": 1280, "height": 900}
CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")
OTHER_NIP = "198811302014031002"


@pytest.fixture
def documents(tmp_path: Path, reg) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    out = {}
    for i, b in enumerate(reg.service.sop.berkas):
        out[b.nama] = tmp_path / f"{b.kode}.pdf"
        out[b.nama].write_bytes(pdf_bytes(i + 1))
    return out


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"registration-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def watch_csp(page: Page) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def open_form(page: Page, base: str, reg) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/permohonan/?unit={reg.service.unit.kode}")
    card = page.locator(f'li[data-kode="{reg.service.kode}"]')
    expect(card).to_contain_text("Akun baru:")
    card.get_by_role("link", name="Ajukan permohonan ini").click()
    page.wait_for_url(f"**/permohonan/{reg.service.unit.kode}/{reg.service.kode}/")


def fill(page: Page, *, nip: str) -> None:
    page.get_by_label("Nama pimpinan instansi").fill("Ir. Bambang Sutejo, M.T.")
    page.get_by_label("Jabatan pimpinan").fill("Kepala Dinas Perumahan Rakyat")
    page.get_by_label("Alamat e-mail pimpinan").fill("kadis@dinas.go.id")
    page.get_by_label("Nomor telepon/HP pimpinan atau kantor").fill("0541-123456")
    page.get_by_label("Diajukan oleh (bila bukan pimpinan sendiri)").fill("Rudi Hartono (Sekretaris Dinas)")
    page.get_by_label("Instansi", exact=True).select_option(label="Dinas Perumahan Rakyat")
    page.get_by_label("Nama lengkap calon").fill("Siti Rahmawati, S.Kom.")
    page.get_by_label("NIP calon").fill(nip)
    page.get_by_label("Alamat e-mail calon").fill("siti.r@dinas.go.id")
    page.get_by_label("Nomor telepon/HP calon").fill("081234567890")
    page.get_by_label("Jabatan calon").fill("Pranata Komputer Ahli Pertama")
    page.get_by_label("Nomor SK penunjukan").fill("800/12/DPR/2026")
    page.get_by_label("Tanggal SK penunjukan").fill("2026-01-02")


def choose_files(page: Page, documents: dict[str, Path]) -> None:
    for name, path in documents.items():
        page.get_by_label(name).set_input_files(path)


def download_filled_form(page: Page, name: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh formulir terisi (PDF)").click()
    saved = SHOTS / f"registration-{name}.pdf"
    SHOTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("formulir-permohonan-")
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def read_receipt(page: Page) -> tuple[str, str]:
    page.wait_for_url("**/permohonan/tanda-terima/")
    reference = page.locator(".portal-receipt .reference").inner_text().strip()
    code = page.locator(".tracking-code .code").inner_text().strip()
    assert CODE.match(code), code
    return reference, code


def test_on_a_phone_the_form_is_filled_downloaded_corrected_and_sent(live_server, reg, new_page, documents):
    page = new_page(viewport=PHONE, accept_downloads=True)
    refused = watch_csp(page)
    base = live_server.url
    open_form(page, base, reg)
    no_sideways_scroll(page)
    shot(page, "1-formulir-kosong-390")

    fill(page, nip="1992041720180120")  # two digits short
    shot(page, "2-formulir-terisi-390")
    # The filled form needs a valid NIP: the page comes back with the problem beside the field.
    page.get_by_role("button", name="Unduh formulir terisi (PDF)").click()
    nip = page.locator(".portal-field.has-error", has=page.get_by_label("NIP calon"))
    expect(nip).to_contain_text("NIP harus 18 angka")
    expect(page.get_by_role("alert").first).to_contain_text("Formulir terisi belum dapat dibuat")
    expect(page.get_by_label("Nama lengkap calon")).to_have_value("Siti Rahmawati, S.Kom.")
    expect(page.get_by_label("Tanggal SK penunjukan")).to_have_value("2026-01-02")
    expect(page.get_by_label("Instansi", exact=True)).to_have_value(str(reg.service.agency.pk))
    no_sideways_scroll(page)
    shot(page, "3-kesalahan-390")

    page.get_by_label("NIP calon").fill(CANDIDATE_NIP)
    text = download_filled_form(page, "formulir-390")
    for value in ("Siti Rahmawati, S.Kom.", "19920417 201801 2 003", "Ir. Bambang Sutejo, M.T.", "2 Januari 2026"):
        assert value in text, value
    assert Case.objects.count() == 0  # downloading hands nothing in
    assert page.url.endswith(f"/permohonan/{reg.service.unit.kode}/{reg.service.kode}/")

    choose_files(page, documents)
    shot(page, "4-siap-kirim-390")
    page.get_by_role("button", name="Kirim permohonan").click()
    reference, _code = read_receipt(page)
    expect(page.locator(".portal-receipt")).to_contain_text("Siti Rahmawati, S.Kom.")
    no_sideways_scroll(page)
    shot(page, "5-tanda-terima-390")

    case = Case.objects.get(reference=reference)
    assert (case.status, case.current_step) == (Status.OPEN, 2)
    assert Registration.objects.get(case=case).candidate_nip == CANDIDATE_NIP
    assert case.documents.count() == len(documents)
    assert refused == []


def test_on_a_desk_a_mistake_is_shown_and_enter_sends_the_request(live_server, reg, new_page, documents):
    page = new_page(viewport=DESK, accept_downloads=True)
    refused = watch_csp(page)
    base = live_server.url
    open_form(page, base, reg)
    fill(page, nip=OTHER_NIP)
    page.get_by_label("Instansi belum ada di daftar? Tulis namanya").fill("Dinas Komunikasi dan Informatika")
    shot(page, "6-formulir-terisi-1280")

    choose_files(page, documents)
    page.get_by_role("button", name="Kirim permohonan").click()
    both = page.locator(".portal-field.has-error", has=page.get_by_label("Instansi belum ada di daftar? Tulis namanya"))
    expect(both).to_contain_text("salah satu saja")
    expect(page.locator(".error-summary")).to_contain_text("Pilih kembali setiap berkas")
    expect(page.get_by_label("Diajukan oleh (bila bukan pimpinan sendiri)")).to_have_value(
        "Rudi Hartono (Sekretaris Dinas)"
    )
    assert Case.objects.count() == 0
    shot(page, "7-kesalahan-1280")

    page.get_by_label("Instansi belum ada di daftar? Tulis namanya").fill("")
    text = download_filled_form(page, "formulir-1280")
    assert "Siti Rahmawati, S.Kom." in text and "19881130 201403 1 002" in text

    choose_files(page, documents)
    # Enter in a text field sends the form by its first submit button: the request, not the download.
    page.get_by_label("Nomor SK penunjukan").press("Enter")
    reference, _code = read_receipt(page)
    shot(page, "8-tanda-terima-1280")
    case = Case.objects.get(reference=reference)
    assert (case.status, case.current_step, case.agency) == (Status.OPEN, 2, reg.service.agency)
    assert refused == []
