"""A new Admin Agency for Kalimantan Timur (seed 002, the built-in SOP) in a real browser, from the
head's request to the candidate's first sign-in.

The head of Dinas PUPR asks on a phone, with the form Loket fills; the Kepala LPSE previews and
sends the numbered reply letter in one submit; the Admin PPE checks the file and creates the
account (inactive); the Admin PPE plans a training session, invites the candidate and records
them present; the worker sends every mail over real SMTP (the letter attached, the invitation with
its .ics, the one-time link to the candidate, the copy to the Kepala LPSE without any secret); the
candidate reveals the password, signs in and must change it; the case page shows every step
against the SOP's minutes with the training wait apart. Each persona has its own browser context.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from loket.cases.models import Case, Status
from loket.directory.models import Account, Agency
from loket.registration.models import Registration, TrainingSession
from loket.units.models import Unit
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, pdf_bytes
from tests.factories import staff as make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOP_KODE = "kaltim-registrasi-admin-agency"
AGENCY = "Dinas Pekerjaan Umum dan Penataan Ruang"
HEAD_EMAIL = "kadis@pupr.kaltimprov.go.id"
CANDIDATE_EMAIL = "andi.saputra@pupr.kaltimprov.go.id"
CHIEF_EMAIL = "kepala-lpse@kaltimprov.go.id"
CANDIDATE_NIP = "199204172018011003"
NEW_PASSWORD = "Kaltim#Admin2026"


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")


def test_a_head_of_agency_gets_an_admin_agency_account_for_their_staff(
    live_server, installed, smtp_server, settings, tmp_path, new_page, snap
):
    settings.LOKET_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    kaltim = Unit.objects.get(kode="kaltim")
    Agency.objects.create(unit=kaltim, name=AGENCY)
    chief = make_staff("kepala-lpse", "kaltim", "Kepala LPSE")
    chief.email = CHIEF_EMAIL
    chief.save(update_fields=["email"])
    make_staff("admin-ppe", "kaltim", "Admin PPE")
    documents = {}
    for i, name in enumerate(
        (
            "Formulir Permohonan Pembuatan Akun Admin Agency",
            "Surat Keputusan/SK Penunjukan sebagai Admin Agency",
            "Surat Permohonan kepada Pimpinan LPSE",
        )
    ):
        documents[name] = tmp_path / f"berkas-{i}.pdf"
        documents[name].write_bytes(pdf_bytes(i + 1))

    # 1. The head of the agency asks on a phone, and prints the form Loket fills.
    head = new_page(viewport=PHONE, accept_downloads=True)
    head.goto(f"{base}/permohonan/?unit=kaltim")
    head.locator(f'li[data-kode="{SOP_KODE}"]').get_by_role("link", name="Ajukan permohonan ini").click()
    head.wait_for_url(f"**/permohonan/kaltim/{SOP_KODE}/")
    head.get_by_label("Nama pimpinan instansi").fill("Ir. Bambang Sutejo, M.T.")
    head.get_by_label("Jabatan pimpinan").fill("Kepala Dinas Pekerjaan Umum dan Penataan Ruang")
    head.get_by_label("Alamat e-mail pimpinan").fill(HEAD_EMAIL)
    head.get_by_label("Nomor telepon/HP pimpinan atau kantor").fill("0541-736111")
    head.get_by_label("Instansi", exact=True).select_option(label=AGENCY)
    head.get_by_label("Nama lengkap calon").fill("Andi Saputra, S.Kom.")
    head.get_by_label("NIP calon").fill(CANDIDATE_NIP)
    head.get_by_label("Alamat e-mail calon").fill(CANDIDATE_EMAIL)
    head.get_by_label("Nomor telepon/HP calon").fill("081350001234")
    head.get_by_label("Jabatan calon").fill("Pranata Komputer Ahli Pertama")
    head.get_by_label("Nomor SK penunjukan").fill("800/045/DPUPR/2026")
    head.get_by_label("Tanggal SK penunjukan").fill("2026-11-02")
    with head.expect_download() as download:
        head.get_by_role("button", name="Unduh formulir terisi (PDF)").click()
    form_text = _text(Path(download.value.path()).read_bytes())
    assert "Andi Saputra, S.Kom." in form_text and "19920417 201801 1 003" in form_text
    snap(head, "registrasi-1-formulir-390")
    for name, path in documents.items():
        head.get_by_label(name).set_input_files(path)
    head.get_by_role("button", name="Kirim permohonan").click()
    head.wait_for_url("**/permohonan/tanda-terima/")
    reference = head.locator(".portal-receipt .reference").inner_text().strip()
    assert re.fullmatch(r"KALTIM-\d{4}-\d{6}", reference), reference
    snap(head, "registrasi-2-tanda-terima-390")
    case = Case.objects.get(reference=reference)

    # 2. The Kepala LPSE previews the reply letter, then receives, answers and disposes in one submit.
    lpse = new_page()
    _sign_in(lpse, base, "kepala-lpse")
    lpse.locator("table.queue tbody tr", has_text=reference).get_by_role("link", name=reference).click()
    lpse.wait_for_url("**/konsol/kasus/*/")
    case_url = lpse.url
    expect(lpse.locator("main")).to_contain_text("Andi Saputra, S.Kom.")
    preview = lpse.get_by_role("link", name="Pratinjau surat jawaban (PDF)")
    letter = lpse.request.get(f"{base}{preview.get_attribute('href')}")
    assert letter.status == 200
    preview_text = _text(letter.body())
    assert "Kepala Dinas Pekerjaan Umum dan Penataan Ruang" in preview_text
    snap(lpse, "registrasi-3-kepala-lpse")
    form = lpse.locator("form.decision")
    form.get_by_label("Tambahan isi surat jawaban (opsional)").fill("Calon mohon membawa laptop saat pelatihan.")
    form.locator('input[name="jawaban-2"][value="lanjut"]').check()
    form.get_by_role("button", name="Simpan keputusan").click()
    expect(lpse.locator(".messages")).to_contain_text("Tersimpan: langkah 2")
    number = Registration.objects.get(case=case).letter_number
    assert number and number in preview_text  # the preview named the number the letter took
    expect(lpse.locator("main")).to_contain_text(number)

    # 3. The Admin PPE checks completeness and creates the account with the proposed user ID.
    ppe = new_page()
    _sign_in(ppe, base, "admin-ppe")
    ppe.goto(case_url)
    decision = ppe.locator("form.decision")
    decision.locator('input[name="jawaban-3"][value="ya"]').check()
    for item in decision.locator('input[name="kelengkapan"]').all():  # the step's kelengkapan, each checked
        item.check()
    proposed = decision.locator('input[name="new_user_id"]').input_value()
    assert proposed, "the unit's rule proposes a user ID"
    decision.locator('input[name="jawaban-6"][value="lanjut"]').check()
    snap(ppe, "registrasi-4-admin-ppe")
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(ppe.locator(".messages")).to_contain_text("Tersimpan: langkah 3, 6")
    expect(ppe.locator("h1 .badge")).to_have_text("menunggu pelatihan")
    account = Account.objects.get(unit=kaltim, user_id=proposed)
    assert not account.is_active

    # 4. A training session: planned, the candidate invited, then (the day come) marked present.
    ppe.get_by_role("link", name="Pelatihan").click()
    expect(ppe.locator("table.waiting")).to_contain_text("Andi Saputra")
    zone = timezone.get_fixed_timezone(8 * 60)  # WITA, as the form reads it
    tomorrow = (timezone.now().astimezone(zone) + dt.timedelta(days=1)).date()
    session_form = ppe.locator("form.session-form")
    session_form.get_by_label("Tanggal").fill(tomorrow.isoformat())
    session_form.get_by_label("Jam mulai").fill("09:00")
    session_form.get_by_label("Jam selesai").fill("12:00")
    session_form.get_by_label("Tempat").fill("Ruang Rapat Biro PBJ Lt. 2, Samarinda")
    session_form.get_by_label("Kapasitas (peserta)").fill("20")
    session_form.get_by_role("button", name="Simpan sesi").click()
    invite = ppe.locator("form.invite-form")
    invite.get_by_label("Andi Saputra", exact=False).check()
    invite.get_by_role("button", name="Undang yang dicentang").click()
    expect(ppe.locator(".messages")).to_contain_text("1 calon diundang")
    session = TrainingSession.objects.get(unit=kaltim)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now() + dt.timedelta(hours=2)
    )
    ppe.reload()
    attendance = ppe.locator("form.attendance-form")
    attendance.get_by_label("hadir: Andi Saputra, S.Kom.").check()
    snap(ppe, "registrasi-5-kehadiran")
    attendance.get_by_role("button", name="Simpan kehadiran").click()
    expect(ppe.locator(".messages")).to_contain_text("1 akun diaktifkan dan informasi akun dikirim")
    case.refresh_from_db()
    assert case.status == Status.DONE

    # 5. Every mail over real SMTP: letter attached, invitation with .ics, link, copy without secret.
    call_command("worker", "--once", stdout=io.StringIO())
    mails = smtp_server.wait_for(5)
    by_to = {}
    for mail in mails:
        by_to.setdefault(mail.envelope_to[0], []).append(mail)
    to_head = {m.subject: m for m in by_to[HEAD_EMAIL]}
    reply = next(m for s, m in to_head.items() if "Surat jawaban" in s)
    attached = [part for part in reply.message.iter_attachments()]
    assert [a.get_content_type() for a in attached] == ["application/pdf"]
    assert number in _text(attached[0].get_content())
    to_candidate = by_to[CANDIDATE_EMAIL]
    invitation = next(m for m in to_candidate if "Undangan pelatihan" in m.subject)
    ics = [a for a in invitation.message.iter_attachments() if a.get_content_type() == "text/calendar"]
    assert ics and "BEGIN:VEVENT" in ics[0].get_content()
    result = next(m for m in to_candidate if "sudah dibuat" in m.subject)
    found = re.search(rf"{re.escape(base)}/akun/tautan/#([A-Za-z0-9_-]+)", result.body)
    assert found and proposed in result.body
    copy = by_to[CHIEF_EMAIL]
    assert len(copy) == 1 and "Tembusan" in copy[0].subject and proposed in copy[0].body
    assert "/akun/tautan/" not in copy[0].body and found.group(1) not in copy[0].body

    # 6. The candidate reveals the password, signs in and must choose a new one.
    candidate = new_page(viewport=PHONE)
    candidate.goto(found.group(0))
    candidate.get_by_role("button", name="Tampilkan password sementara").click()
    expect(candidate.locator("#user-id")).to_have_text(proposed)
    temporary = candidate.locator("#password").inner_text().strip()
    candidate.get_by_role("link", name="Masuk sekarang").click()
    candidate.wait_for_url("**/akun/masuk/?unit=kaltim")
    candidate.get_by_label("User ID").fill(proposed)
    candidate.locator('input[name="password"]').fill(temporary)
    candidate.get_by_role("button", name="Masuk").click()
    candidate.wait_for_url(f"{base}/akun/ganti-password/")
    candidate.get_by_label("Password baru", exact=True).fill(NEW_PASSWORD)
    candidate.get_by_label("Ulangi password baru").fill(NEW_PASSWORD)
    candidate.get_by_role("button", name="Simpan password baru").click()
    candidate.wait_for_url(f"{base}/akun/")
    expect(candidate.locator(".messages")).to_contain_text("Password berhasil diganti")
    snap(candidate, "registrasi-6-akun-390")

    # 7. The case page: every step against the SOP's minutes, the training wait apart, the archive.
    ppe.goto(case_url)
    rows = ppe.locator("table.steps tbody tr")
    firsts = [text.split("\t")[0].strip() for text in rows.all_inner_texts()]
    assert firsts == ["1", "2", "3", "6", "—", "7", "8"]
    expect(rows.nth(4)).to_contain_text("Menunggu pelatihan")
    expect(rows.nth(3).locator("td").nth(6)).to_contain_text("/ 15")
    expect(ppe.get_by_role("link", name="Cetak arsip tersegel (PDF)")).to_be_visible()
    snap(ppe, "registrasi-7-kasus-selesai")
