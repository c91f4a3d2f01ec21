"""Two runs in a real browser that the unit-level tests only drive through Django's test client.

1. A unit Loket has never seen (UKPBJ Kabupaten Contoh) installs its own SOP file with lanes no
   built-in SOP has, and the request runs from the portal through three staff members' consoles
   (Petugas Layanan, an agency-scoped Verifikator Instansi, Kepala UKPBJ) with no code change.
2. Kalimantan Timur keeps its accounts in SPSE (the assisted directory): the Admin Agency is shown a
   temporary password with a copy button, must tick that it is set in SPSE, and the holder reveals
   the very same password from the one-time link in the mail.

Each persona has its own browser context; the pages that matter are also shot at phone width.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from loket.units.services import save_unit
from tests.browser.conftest import PHONE
from tests.cases.test_services import submit
from tests.factories import PASSWORD as PEOPLE_PASSWORD
from tests.factories import pdf_bytes
from tests.test_new_unit_end_to_end import PASSWORD, set_up_contoh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACKING_CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")


def open_from_queue(page: Page, reference: str) -> None:
    """The case is in this staff member's queue; open it from there."""
    row = page.locator("table.queue tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=reference).click()
    page.wait_for_url("**/konsol/kasus/*/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def open_status(page: Page, base: str, code: str, reference: str) -> None:
    page.goto(f"{base}/permohonan/status/")
    page.get_by_label("Kode pelacakan").fill(code)
    page.get_by_role("button", name="Buka permohonan").click()
    page.wait_for_url(f"**/permohonan/status/{reference}/")


# -- 1. A new unit's SOP ------------------------------------------------------------------------


@pytest.fixture
def contoh(tmp_path: Path, settings) -> None:
    """What an operator does for a new unit (as tests/test_new_unit_end_to_end.py's `unit`)."""
    set_up_contoh(tmp_path, settings)


def open_contoh_form(page: Page, base: str) -> None:
    page.goto(f"{base}/permohonan/")
    page.locator("select#unit").select_option(label="UKPBJ Kabupaten Contoh")
    page.get_by_role("button", name="Tampilkan layanan").click()
    service = page.locator('li[data-kode="contoh-reset-pp"]')
    expect(service.get_by_role("heading")).to_have_text("Reset Password Pejabat Pengadaan")
    service.get_by_role("link", name="Ajukan permohonan ini").click()
    page.wait_for_url("**/permohonan/contoh/contoh-reset-pp/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset Password Pejabat Pengadaan")


def test_a_new_units_sop_runs_in_the_browser_from_portal_through_three_lanes(
    live_server, contoh, tmp_path, new_page, snap
):
    base = live_server.url
    files = {}
    for kode in ("surat-permohonan", "sk-pp"):
        files[kode] = tmp_path / f"{kode}.pdf"
        files[kode].write_bytes(pdf_bytes())

    # The requester picks the new unit and its service, and hands in the request.
    requester = new_page()
    open_contoh_form(requester, base)
    requester.get_by_label("User ID SPSE").fill("pp.dinkes01")
    requester.get_by_label("Nama lengkap").fill("Yohana Wenda")
    requester.get_by_label("Alamat e-mail").fill("yohana.pribadi@gmail.com")
    requester.get_by_label("Nomor telepon/HP").fill("081200000001")
    requester.get_by_label("Instansi").select_option(label="Dinas Kesehatan")
    requester.get_by_label("Password baru (beserta user ID)").check()
    requester.get_by_label("Surat permohonan reset password").set_input_files(files["surat-permohonan"])
    requester.get_by_label("SK penetapan Pejabat Pengadaan").set_input_files(files["sk-pp"])
    snap(requester, "unit-1-formulir-1366")
    phone = new_page(PHONE)
    open_contoh_form(phone, base)
    snap(phone, "unit-1-formulir-390")

    requester.get_by_role("button", name="Kirim permohonan").click()
    requester.wait_for_url("**/permohonan/tanda-terima/")
    reference = requester.locator(".portal-receipt .reference").inner_text().strip()
    assert re.fullmatch(r"CONTOH-\d{4}-\d{6}", reference), reference
    code = requester.locator(".tracking-code .code").inner_text().strip()
    assert TRACKING_CODE.match(code), code
    snap(requester, "unit-2-tanda-terima-1366")

    # Petugas Layanan: the documents are complete.
    layanan = new_page()
    sign_in(layanan, base, "layanan", PASSWORD)
    open_from_queue(layanan, reference)
    decision = layanan.locator("form.decision")
    expect(decision.locator("legend")).to_have_count(1)
    expect(decision.locator("legend")).to_contain_text("Langkah 2")
    decision.locator('input[name="jawaban-2"][value="ya"]').check()
    for item in decision.locator('input[name="kelengkapan"]').all():  # the step's kelengkapan, each checked
        item.check()
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(layanan.locator(".messages")).to_contain_text("Tersimpan: langkah 2")
    expect(layanan.locator("form.decision")).to_have_count(0)
    expect(layanan.locator("main")).to_contain_text("Verifikator Instansi (langkah 4)")

    # Only the Dinas Kesehatan verifier sees it; the Dinas PUPR verifier neither sees nor opens it.
    case_path = layanan.url.removeprefix(base)
    pupr = new_page()
    sign_in(pupr, base, "verif-pupr", PASSWORD)
    expect(pupr.locator("main")).not_to_contain_text(reference)
    refused = pupr.goto(f"{base}{case_path}")
    assert refused is not None and refused.status == 404

    dinkes = new_page()
    sign_in(dinkes, base, "verif-dinkes", PASSWORD)
    open_from_queue(dinkes, reference)
    expect(dinkes.locator("table.compare")).to_contain_text("yohana@dinkes.contoh.go.id")
    decision = dinkes.locator("form.decision")
    expect(decision.locator("legend")).to_contain_text("Langkah 4")
    decision.locator('input[name="jawaban-4"][value="ya"]').check()
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(dinkes.locator(".messages")).to_contain_text("Tersimpan: langkah 4")
    expect(dinkes.locator("form.decision")).to_have_count(0)

    # Kepala UKPBJ: "Tidak" needs a reason; then the approval with a note.
    kepala = new_page()
    sign_in(kepala, base, "kepala", PASSWORD)
    open_from_queue(kepala, reference)
    decision = kepala.locator("form.decision")
    expect(decision.locator("legend")).to_contain_text("Langkah 5 — Apakah reset disetujui?")
    snap(kepala, "unit-3-kasus-kepala-1366")
    kepala_phone = new_page(PHONE)
    sign_in(kepala_phone, base, "kepala", PASSWORD)
    kepala_phone.goto(f"{base}{case_path}")
    expect(kepala_phone.locator("form.decision")).to_be_visible()
    snap(kepala_phone, "unit-3-kasus-kepala-390")

    decision.locator('input[name="jawaban-5"][value="tidak"]').check()
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(kepala.get_by_role("alert")).to_contain_text("Tulis alasan jawaban 'Tidak'")
    expect(kepala.locator("h1 .badge")).not_to_have_text("ditolak")
    expect(kepala.locator("form.decision")).to_be_visible()
    snap(kepala, "unit-4-kasus-kepala-tanpa-alasan-1366")
    kepala_phone.goto(f"{base}{case_path}")
    kepala_phone.locator('input[name="jawaban-5"][value="tidak"]').check()
    kepala_phone.get_by_role("button", name="Simpan keputusan").click()
    expect(kepala_phone.get_by_role("alert")).to_contain_text("Tulis alasan jawaban 'Tidak'")
    snap(kepala_phone, "unit-4-kasus-kepala-tanpa-alasan-390")

    decision = kepala.locator("form.decision")
    decision.locator('input[name="jawaban-5"][value="ya"]').check()
    decision.get_by_label("Catatan").fill("Disetujui, SK masih berlaku")
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(kepala.locator(".messages")).to_contain_text("Tersimpan: langkah 5")
    expect(kepala.locator("h1 .badge")).to_have_text("selesai")
    expect(kepala.locator("form.decision")).to_have_count(0)

    # The steps table: who did each step, the system's steps last, on the head's behalf.
    rows = kepala.locator("table.steps tbody tr")
    cells = [[c.strip() for c in row.split("\t")] for row in rows.all_inner_texts()]
    assert [row[0] for row in cells] == ["1", "2", "4", "5", "6", "7", "8"]
    assert [row[3] for row in cells] == [
        "pemohon",
        "layanan",
        "verif-dinkes",
        "kepala",
        "sistem a.n. kepala",
        "sistem a.n. kepala",
        "sistem a.n. kepala",
    ]
    expect(rows.nth(3)).to_contain_text("Disetujui, SK masih berlaku")
    expect(kepala.get_by_role("link", name="Cetak arsip tersegel (PDF)")).to_be_visible()
    snap(kepala, "unit-5-kasus-selesai-1366")

    # The requester opens the status with the tracking code: done, in their words.
    open_status(requester, base, code, reference)
    status = requester.locator(".portal-status")
    expect(status.locator(".portal-status-word")).to_contain_text("Status: Selesai.")
    expect(status).to_contain_text("Hasilnya dikirim ke y***@dinkes.contoh.go.id.")
    progress = requester.locator("ol.portal-progress")
    expect(progress.locator("li", has_text="Kepala UKPBJ menyetujui permohonan Anda")).to_have_count(1)
    expect(progress.locator("li.step-done", has_text="Kepala UKPBJ menyetujui permohonan Anda")).to_have_count(1)
    expect(progress).not_to_contain_text("Kepala UKPBJ memeriksa dan menyetujui reset password")
    expect(progress.locator("li:not(.step-done)")).to_have_count(0)
    snap(requester, "unit-6-status-1366")
    open_status(phone, base, code, reference)
    expect(phone.locator(".portal-status-word")).to_contain_text("Status: Selesai.")
    snap(phone, "unit-6-status-390")


# -- 2. The assisted reset (accounts live in SPSE) ------------------------------------------------


def open_assisted_case(page: Page, base: str, reference: str) -> str:
    sign_in(page, base, "aa-pupr", PEOPLE_PASSWORD)
    open_from_queue(page, reference)
    decision = page.locator("form.decision")
    legends = decision.locator("legend")
    expect(legends).to_have_count(3)
    for index, no in enumerate((2, 5, 6)):
        expect(legends.nth(index)).to_contain_text(f"Langkah {no} ")
    field = decision.get_by_label("Password sementara yang diatur di SPSE")
    expect(field).to_be_visible()
    expect(decision.get_by_role("button", name="Salin")).to_be_visible()
    shown = field.input_value()
    assert len(shown) >= 8, shown
    return shown


def test_the_admin_agency_copies_the_spse_password_and_the_holder_reveals_the_same(
    live_server, people, smtp_server, settings, tmp_path, new_page, snap
):
    settings.LOKET_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    save_unit(actor=None, kode="kaltim", nama=None, zona_waktu=None, jam_kerja=None, direktori="spse", update=True)
    reference = submit("kaltim-reset-ppk", people.ppk).case.reference

    staff = new_page(permissions=["clipboard-read", "clipboard-write"])
    shown = open_assisted_case(staff, base, reference)
    decision = staff.locator("form.decision")
    copied = decision.locator("[data-copy-done]")
    expect(copied).to_be_hidden()
    decision.get_by_role("button", name="Salin").click()
    expect(copied).to_be_visible()
    expect(copied).to_have_text("Tersalin")
    assert staff.evaluate("navigator.clipboard.readText()") == shown
    snap(staff, "spse-1-kasus-password-1366")
    phone = new_page(PHONE)
    open_assisted_case(phone, base, reference)
    snap(phone, "spse-1-kasus-password-390")

    # Without the tick nothing is saved, and the same password is offered again. Step 6 has no
    # button of its own: the tick is its answer.
    answers = (("jawaban-2", "ya"), ("jawaban-5", "ya"))
    expect(decision.locator('input[name="jawaban-6"]')).to_have_attribute("type", "hidden")
    for name, value in answers:
        decision.locator(f'input[name="{name}"][value="{value}"]').check()
    for item in decision.locator('input[name="kelengkapan"]').all():  # the step's kelengkapan, each checked
        item.check()
    tick = "Password ini sudah saya atur di SPSE"
    expect(decision.get_by_label(tick)).not_to_be_checked()
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(staff.get_by_role("alert")).to_contain_text("sudah diatur di SPSE")
    expect(staff.locator("h1 .badge")).not_to_have_text("selesai")
    decision = staff.locator("form.decision")
    expect(decision.get_by_label("Password sementara yang diatur di SPSE")).to_have_value(shown)
    snap(staff, "spse-2-kasus-tanpa-centang-1366")
    # The error stands at step 6 (the summary at the top is the one alert); the answers given are kept.
    expect(decision.locator("#langkah-6 p.error")).to_contain_text("sudah diatur di SPSE")
    for name, value in answers:
        expect(decision.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()
    for item in decision.locator('input[name="kelengkapan"]').all():  # kept as ticked
        expect(item).to_be_checked()
    decision.get_by_label(tick).check()
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(staff.locator(".messages")).to_contain_text("Tersimpan: langkah 2, 5, 6")
    expect(staff.locator("h1 .badge")).to_have_text("selesai")
    expect(staff.locator("form.decision")).to_have_count(0)
    assert shown not in staff.content()
    snap(staff, "spse-3-kasus-selesai-1366")

    # The mail to the address on record carries the one-time link; the holder reveals the password.
    call_command("worker", "--once", stdout=io.StringIO())
    mails = smtp_server.wait_for(2)
    to_record = [m for m in mails if m.envelope_to == [people.ppk.email]]
    assert len(to_record) == 1 and reference in to_record[0].subject
    assert shown not in to_record[0].body
    found = re.search(rf"{re.escape(base)}/akun/tautan/#[A-Za-z0-9_-]+", to_record[0].body)
    assert found, to_record[0].body

    holder = new_page()
    holder.goto(found.group(0))
    assert holder.url == f"{base}/akun/tautan/"  # the script took the token out of the address
    snap(holder, "spse-4-tautan-1366")
    holder.get_by_role("button", name="Tampilkan password sementara").click()
    expect(holder.locator("#user-id")).to_have_text("ppk.pupr01")
    assert holder.locator("#password").inner_text().strip() == shown
    # The holder signs in at SPSE: no button to Loket's own sign-in.
    expect(holder.get_by_text("Masuk ke aplikasi SPSE")).to_be_visible()
    expect(holder.get_by_role("link", name="Masuk sekarang")).to_have_count(0)
    snap(holder, "spse-5-password-sementara-1366")
    holder.set_viewport_size(PHONE)  # the page cannot be opened again: the same page, narrowed
    snap(holder, "spse-5-password-sementara-390")
