"""The PPK reset happy path in a real browser, from the portal to the sealed archive.

A PPK of Dinas PUPR (Kalimantan Timur) who lost their SPSE password asks for a new one on the
portal; the Admin Agency checks the request in the console with one submit; the worker mails the
one-time link over real SMTP; the PPK reveals the temporary password, signs in and is made to
choose a new one; staff see every step measured against the SOP and print the sealed archive.
Each persona has its own browser context (its own cookies), as they would have their own computer.
"""

from __future__ import annotations

import io
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from loket.catalog.selectors import get_version, parsed
from loket.directory.backends import get_backend
from loket.directory.credentials import credential_url, issue_credential_link
from loket.units.models import Unit
from tests.factories import PASSWORD, pdf_bytes
from tests.sop_factory import service, submit

__all__ = ["service"]  # the test SOP's fixture (tests/sop_factory.py)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOP_KODE = "kaltim-reset-ppk"
TYPED_EMAIL = "siti.rahma85@gmail.com"  # the requester's own address, not the one on record
RECORD_EMAIL = "siti.rahmawati@pupr.kaltimprov.go.id"  # the PPK's address in the directory
NEW_PASSWORD = "Kaltim#Baru2026"
TRACKING_CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")


@pytest.fixture
def documents(tmp_path: Path) -> dict[str, Path]:
    files = {}
    for kode in ("surat-permohonan", "sk-pengangkatan"):
        files[kode] = tmp_path / f"{kode}.pdf"
        files[kode].write_bytes(pdf_bytes())
    return files


def test_a_ppk_gets_a_new_password_and_staff_see_the_whole_case_measured_and_archived(
    live_server, people, smtp_server, settings, tmp_path, page, new_page, snap, documents
):
    settings.LOKET_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url

    # 1. The requester hands in the request on the portal.
    page.goto(f"{base}/permohonan/")
    page.locator("select#unit").select_option("kaltim")
    page.get_by_role("button", name="Tampilkan layanan").click()
    page.locator(f'li[data-kode="{SOP_KODE}"]').get_by_role("link", name="Ajukan permohonan ini").click()
    page.wait_for_url(f"**/permohonan/kaltim/{SOP_KODE}/")
    page.get_by_label("User ID SPSE").fill("ppk.pupr01")
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("Alamat e-mail").fill(TYPED_EMAIL)
    page.get_by_label("Nomor telepon/HP").fill("081234567890")
    page.get_by_label("Instansi").select_option(label="Dinas PUPR")
    page.get_by_label("Password baru (beserta user ID)").check()
    page.get_by_label("Surat permohonan reset password atau informasi user ID").set_input_files(
        documents["surat-permohonan"]
    )
    page.get_by_label("Surat Keputusan/SK pengangkatan sebagai PPK").set_input_files(documents["sk-pengangkatan"])
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_url("**/permohonan/tanda-terima/")
    reference = page.locator(".portal-receipt .reference").inner_text().strip()
    year = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(Unit.objects.get(kode="kaltim").zona_waktu)).year
    assert re.fullmatch(rf"KALTIM-{year}-\d{{6}}", reference), reference
    tracking_code = page.locator(".tracking-code .code").inner_text().strip()
    assert TRACKING_CODE.match(tracking_code), tracking_code
    snap(page, "reset-1-tanda-terima")

    # 2. The Admin Agency of Dinas PUPR finds it in the queue and decides steps 2 and 5 at once.
    staff = new_page()
    staff.goto(f"{base}/konsol/masuk/")
    staff.get_by_label("Nama pengguna").fill("aa-pupr")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Masuk").click()
    staff.wait_for_url(f"{base}/konsol/")
    row = staff.locator("table.queue tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Siti Rahmawati")
    snap(staff, "reset-2-antrean")

    row.get_by_role("link", name=reference).click()
    staff.wait_for_url("**/konsol/kasus/*/")
    case_url = staff.url
    expect(staff.get_by_role("heading", level=1)).to_contain_text(reference)
    berkas = staff.locator("table.data", has=staff.get_by_role("columnheader", name="Berkas yang diminta SOP"))
    expect(berkas.locator("tbody tr")).to_have_count(2)
    for name in ("Surat permohonan reset password", "Surat Keputusan/SK pengangkatan sebagai PPK"):
        expect(berkas.locator("tr", has_text=name).locator(".badge")).to_have_text("ada")
    expect(staff.locator("figure.doc")).to_have_count(2)
    compare = staff.locator("table.compare")
    for label, verdict in (
        ("User ID", "sesuai"),
        ("Nama", "sesuai"),
        ("Instansi", "sesuai"),
        ("E-mail", "tidak sesuai"),
    ):
        expect(
            compare.locator("tr", has=staff.get_by_role("rowheader", name=label, exact=True)).locator(".badge")
        ).to_have_text(verdict)
    expect(compare).to_contain_text(RECORD_EMAIL)
    snap(staff, "reset-3-kasus-sebelum")

    decision = staff.locator("form.decision")
    decision.locator('input[name="jawaban-2"][value="ya"]').check()
    for item in decision.locator('input[name="kelengkapan"]').all():  # the step's kelengkapan, each checked
        item.check()
    decision.locator('input[name="jawaban-5"][value="ya"]').check()
    expect(decision.locator('input[name="missing"]:checked')).to_have_count(0)
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(staff.locator(".messages")).to_contain_text("Tersimpan: langkah 2, 5")
    expect(staff.locator("h1 .badge")).to_have_text("selesai")
    expect(staff.locator("form.decision")).to_have_count(0)
    snap(staff, "reset-4-kasus-sesudah")

    # 3. The worker sends the mail; the PPK opens the one-time link from the mail on record.
    call_command("worker", "--once", stdout=io.StringIO())
    mails = smtp_server.wait_for(2)
    # Beside the receipt the requester also gets the survey invitation (loket.survey) once the case is done.
    to_requester = [m for m in mails if m.envelope_to == [TYPED_EMAIL] and "Survei kepuasan" not in m.subject]
    assert len(to_requester) == 1 and tracking_code in to_requester[0].body
    to_record = [m for m in mails if m.envelope_to == [RECORD_EMAIL]]
    assert len(to_record) == 1
    assert reference in to_record[0].subject
    # The token is in the link's fragment only: no server, proxy or Referer ever sees it.
    found = re.search(rf"{re.escape(base)}/akun/tautan/#([A-Za-z0-9_-]+)", to_record[0].body)
    assert found, to_record[0].body
    link, token = found.group(0), found.group(1)

    ppk = new_page()
    sent: list = []  # every request the PPK's browser makes, to look for the token in it
    ppk.context.on("request", lambda request: sent.append(request))
    ppk.goto(link)
    reveal = ppk.get_by_role("button", name="Tampilkan password sementara")
    expect(reveal).to_be_visible()
    # The page's script moved the token into the form and out of the address bar and history.
    assert ppk.url == f"{base}/akun/tautan/"
    assert ppk.evaluate("location.hash") == ""
    expect(ppk.locator('input[name="token"]')).to_have_value(token)
    expect(ppk.get_by_label("Tautan atau kode dari e-mail")).to_be_hidden()
    second_tab = ppk.context.new_page()  # the same link left open in another tab
    second_tab.goto(link)
    snap(ppk, "reset-5-tautan")

    with ppk.expect_response(lambda r: r.request.method == "POST") as posted:
        reveal.click()
    expect(ppk.locator("#user-id")).to_have_text("ppk.pupr01")
    temporary = ppk.locator("#password").inner_text().strip()
    assert len(temporary) >= 8
    # In Chromium the form's POST carries the page's own Origin (it passed the CSRF check) and the
    # token in its body only; the answer sends no Referer on.
    post = posted.value.request
    assert post.url == f"{base}/akun/tautan/" and post.headers.get("origin") == base
    assert token in (post.post_data or "")
    assert posted.value.headers["referrer-policy"] == "no-referrer"
    snap(ppk, "reset-6-password-sementara")

    with second_tab.expect_response(lambda r: r.request.method == "POST") as refused:
        second_tab.get_by_role("button", name="Tampilkan password sementara").click()
    assert refused.value.status == 410
    expect(second_tab.get_by_role("heading", level=1)).to_have_text("Tautan sudah dipakai")
    assert temporary not in second_tab.content()
    second_tab.close()
    for request in sent:
        assert token not in request.url and token not in (request.headers.get("referer") or ""), request.url
    assert any(r.method == "POST" for r in sent) and any(r.url.endswith("/static/web/link.js") for r in sent)

    # 4. The PPK signs in with the temporary password and must choose a new one.
    ppk.get_by_role("link", name="Masuk sekarang").click()
    ppk.wait_for_url("**/akun/masuk/?unit=kaltim")
    expect(ppk.get_by_label("Unit (LPSE/UKPBJ)")).to_have_value("kaltim")
    ppk.get_by_label("User ID").fill("ppk.pupr01")
    # By name: its label "Password" comes out as Django's own Indonesian "Sandi".
    ppk.locator('input[name="password"]').fill(temporary)
    ppk.get_by_role("button", name="Masuk").click()
    ppk.wait_for_url(f"{base}/akun/ganti-password/")
    expect(ppk.locator(".warning")).to_contain_text("password sementara")
    ppk.goto(f"{base}/akun/")
    ppk.wait_for_url(f"{base}/akun/ganti-password/")  # nowhere else until the password is changed

    ppk.get_by_label("Password baru", exact=True).fill("rahasia")
    ppk.get_by_label("Ulangi password baru").fill("rahasia")
    ppk.get_by_role("button", name="Simpan password baru").click()
    refusal = ppk.get_by_role("alert")
    expect(refusal).to_contain_text("Password paling sedikit 8 karakter.")
    expect(refusal).to_contain_text("Password harus memuat huruf besar.")
    assert ppk.url == f"{base}/akun/ganti-password/"
    snap(ppk, "reset-7-password-lemah")

    ppk.get_by_label("Password baru", exact=True).fill(NEW_PASSWORD)
    ppk.get_by_label("Ulangi password baru").fill(NEW_PASSWORD)
    ppk.get_by_role("button", name="Simpan password baru").click()
    ppk.wait_for_url(f"{base}/akun/")
    expect(ppk.get_by_role("heading", level=1)).to_have_text("Akun SPSE")
    expect(ppk.locator(".messages")).to_contain_text("Password berhasil diganti")
    expect(ppk.locator("main, body").first).to_contain_text("ppk.pupr01")
    snap(ppk, "reset-8-akun")

    # 5. Staff see every step with who did it and its minutes against the SOP, and the archive.
    sop = parsed(get_version(SOP_KODE))
    staff.goto(case_url)
    steps = staff.locator("table.steps tbody tr")
    numbers = [cells.split("\t")[0].strip() for cells in steps.all_inner_texts()]
    assert numbers == ["1", "2", "5", "6", "8", "9"]
    done_by = {"1": "pemohon", "2": "aa-pupr", "5": "aa-pupr", "6": "sistem a.n. aa-pupr"}
    done_by |= {"8": "sistem a.n. aa-pupr", "9": "sistem a.n. aa-pupr"}
    for index, no in enumerate(numbers):
        cells = steps.nth(index).locator("td")
        assert cells.nth(3).inner_text().strip() == done_by[no]
        waktu = sop.step(int(no)).waktu
        standard = "N/A" if waktu is None else str(waktu)
        assert re.fullmatch(
            rf"(\d+|—) / {re.escape(standard)}( melewati mutu baku)?", cells.nth(6).inner_text().strip()
        )
        assert cells.nth(5).inner_text().strip() != "berjalan"
    archive = staff.get_by_role("link", name="Cetak arsip tersegel (PDF)")
    expect(archive).to_be_visible()
    snap(staff, "reset-9-kasus-arsip")
    pdf = staff.request.get(f"{base}{archive.get_attribute('href')}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:4] == b"%PDF"


def test_without_javascript_the_holder_pastes_the_link_from_the_mail(live_server, service, settings, new_page, snap):
    """No script runs, so nothing reads the fragment: the page offers a field for the link (or
    the code after #), and its POST passes Django's CSRF check in Chromium all the same."""
    settings.LOKET_BASE_URL = base = live_server.url
    case = submit(service).case
    password = get_backend().reset_password(service.account)
    link = credential_url(issue_credential_link(case=case, account=service.account, password=password))

    holder = new_page(java_script_enabled=False)
    holder.goto(link)
    field = holder.get_by_label("Tautan atau kode dari e-mail")
    expect(field).to_be_visible()
    snap(holder, "tautan-tanpa-javascript")
    field.fill(link[:-4])  # copied short: not known, the form again
    with holder.expect_response(lambda r: r.request.method == "POST") as short:
        holder.get_by_role("button", name="Tampilkan password sementara").click()
    assert short.value.status == 404
    expect(holder.get_by_role("alert")).to_contain_text("tidak dikenal")

    holder.get_by_label("Tautan atau kode dari e-mail").fill(link)
    with holder.expect_response(lambda r: r.request.method == "POST") as posted:
        holder.get_by_role("button", name="Tampilkan password sementara").click()
    assert posted.value.status == 200 and posted.value.request.headers.get("origin") == base
    expect(holder.locator("#password")).to_have_text(password)
