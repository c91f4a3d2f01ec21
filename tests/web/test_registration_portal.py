"""The portal's registration form (`layanan: registrasi-akun`) as a head of an agency, or whoever
files for them, uses it with a browser: the service on the start page, the form with its
fieldsets, a good submit and its receipt, refused input shown beside the fields with what was
typed kept, the filled application form as a PDF, and the reset form beside it unchanged. On the
registration SOP of the tests (tests/registration/sop.py)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from loket.cases.models import Case, Document, Need, Status
from loket.cases.offer import offered_versions
from loket.notify.models import OutboxMessage
from loket.registration.models import Registration
from tests.factories import pdf_bytes
from tests.registration.conftest import CANDIDATE_NIP, reg
from tests.sop_factory import service

__all__ = ["reg", "service"]  # fixtures

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
RESET_URL = reverse("portal:form", args=["uji", "uji-pulih-akun"])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def form_url(reg) -> str:  # type: ignore[no-untyped-def]
    return reverse("portal:form", args=[reg.service.unit.kode, reg.service.kode])


def form_token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the form carries a one-time token"
    return match.group(1)


def typed(reg, **changes):  # type: ignore[no-untyped-def]
    """What a head's secretary types (no files)."""
    data = {
        "head_name": "Ir. Bambang Sutejo, M.T.",
        "head_position": "Kepala Dinas Perumahan Rakyat",
        "head_email": "kadis@dinas.go.id",
        "head_phone": "0541-123456",
        "filed_by": "Rudi Hartono (Sekretaris Dinas)",
        "agency": str(reg.service.agency.pk),
        "new_agency_name": "",
        "candidate_name": "Siti Rahmawati, S.Kom.",
        "candidate_nip": CANDIDATE_NIP,
        "candidate_email": "siti.r@dinas.go.id",
        "candidate_phone": "081234567890",
        "candidate_position": "Pranata Komputer Ahli Pertama",
        "sk_number": "800/12/DPR/2026",
        "sk_date": "2026-01-02",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def files(reg, **skip: bool):  # type: ignore[no-untyped-def]
    return {
        f"berkas-{b.kode}": SimpleUploadedFile(f"{b.kode}.pdf", pdf_bytes(i + 1), "application/pdf")
        for i, b in enumerate(reg.service.sop.berkas)
        if not skip.get(b.kode)
    }


def post(client: Client, reg, *, with_files: bool = True, **changes):  # type: ignore[no-untyped-def]
    url = form_url(reg)
    data = {"form_token": form_token(client, url), **typed(reg, **changes)}
    if with_files:
        data.update(files(reg))
    return client.post(url, data)


def field_block(page: str, name: str) -> str:
    """The portal-field block holding the input named `name` (label, help, message, input)."""
    for block in re.findall(r'<div class="portal-field[^"]*">.*?</div>', page, flags=re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name}")


def nothing_stored(media) -> bool:  # type: ignore[no-untyped-def]
    files_written = media.exists() and any(p.is_file() for p in media.rglob("*"))
    return (Case.objects.count(), Registration.objects.count(), Document.objects.count()) == (0, 0, 0) and not (
        files_written
    )


# -- the start page and the form ------------------------------------------------------------------


def test_the_start_page_lists_the_registration_beside_the_reset(client, reg, service):
    assert {v.layanan for v in offered_versions()} == {"reset-akun", "registrasi-akun"}
    page = client.get(reverse("portal:start"), {"unit": "uji"}).content.decode()
    assert sorted(re.findall(r'data-kode="([^"]+)"', page)) == ["uji-akun-baru", "uji-pulih-akun"]
    cards = dict(
        re.findall(r'<li class="card" data-kode="([^"]+)">(.*?)(?=<li class="card"|</main>)', page, flags=re.S)
    )
    card = cards["uji-akun-baru"]
    assert "Pendaftaran Pengelola Akun Instansi" in card
    assert "Akun baru:" in card and "<strong>Admin Agency</strong>" in card
    assert "Formulir pendaftaran pengelola akun" in card
    assert "diisi Loket dari permohonan Anda" in card  # the document marked formulir
    assert f'href="{form_url(reg)}"' in card


def test_the_form_has_the_fieldsets_of_a_registration_and_the_documents_of_the_sop(client, reg):
    response = client.get(form_url(reg))
    assert response.status_code == 200
    page = response.content.decode()
    legends = [re.sub(r"\s+", " ", x).strip() for x in re.findall(r"<legend>(.*?)</legend>", page, flags=re.S)]
    assert legends == ["Pimpinan instansi", "Instansi", "Calon Admin Agency", "Berkas permohonan"]
    for name in (
        "head_name",
        "head_position",
        "head_email",
        "head_phone",
        "filed_by",
        "agency",
        "new_agency_name",
        *("candidate_name", "candidate_nip", "candidate_email", "candidate_phone", "candidate_position"),
        "sk_number",
        "sk_date",
    ):
        assert f'name="{name}"' in page, name
    assert "Diajukan oleh (bila bukan pimpinan sendiri)" in page
    assert "Instansi belum ada di daftar? Tulis namanya" in page
    assert re.search(r'<input type="date" name="sk_date"[^>]*required', page)
    agency = field_block(page, "agency")
    assert "Dinas Perumahan Rakyat" in agency and "Dinas Ketahanan Pangan" in agency
    for b in reg.service.sop.berkas:
        tag = re.search(rf'<input[^>]*name="berkas-{b.kode}"[^>]*>', page)
        assert tag and 'accept=".pdf,.jpg,.jpeg,.png"' in tag.group(0) and "data-max-bytes=" in tag.group(0)
    # The filled form: a second submit button, before the upload of the document it fills.
    button = re.search(r'<button type="submit" name="unduh-formulir"[^>]*>([^<]*)</button>', page)
    # The hidden default button first: Enter in a text field sends the request, not the download.
    default = page.index('<button type="submit" hidden tabindex="-1">Kirim permohonan</button>')
    assert default < page.index("unduh-formulir")
    assert button and button.group(1) == "Unduh formulir terisi (PDF)" and "formnovalidate" in button.group(0)
    assert page.index("unduh-formulir") < page.index('name="berkas-formulir-daftar"')
    assert "Loket mengisi formulir ini dari data yang Anda tulis di atas" in page
    assert "minta pimpinan menandatanganinya dan membubuhkan cap instansi, pindai (scan), lalu unggah" in page
    assert "formulir dari Loket selalu versi yang berlaku" in page
    assert '<script src="/static/web/upload-limit.js" defer></script>' in page
    assert not re.search(r"<script>|\son[a-z]+=", page)  # no inline script, no inline handler


def test_a_unit_without_agencies_asks_only_for_the_agency_name(client, reg):
    reg.service.unit.agencies.all().delete()
    page = client.get(form_url(reg)).content.decode()
    assert 'name="agency"' not in page
    assert re.search(r'<input type="text" name="new_agency_name"[^>]*required', page)
    assert "Nama instansi" in page


# -- submitting ------------------------------------------------------------------------------------


def test_a_good_submit_gives_the_receipt_and_opens_the_case_at_the_second_step(client, reg):
    response = post(client, reg)
    assert response.status_code == 302 and response["Location"] == reverse("portal:receipt")
    case = Case.objects.get()
    assert (case.status, case.current_step, case.need, case.channel) == (Status.OPEN, 2, Need.NEW_ACCOUNT, "web")
    assert (case.requester_name, case.requester_email, case.agency) == (
        "Ir. Bambang Sutejo, M.T.",
        "kadis@dinas.go.id",
        reg.service.agency,
    )
    registration = Registration.objects.get(case=case)
    assert (registration.candidate_name, registration.candidate_nip, registration.sk_date) == (
        "Siti Rahmawati, S.Kom.",
        CANDIDATE_NIP,
        dt.date(2026, 1, 2),
    )
    assert (registration.filed_by, registration.new_agency_name) == ("Rudi Hartono (Sekretaris Dinas)", "")
    assert sorted(case.documents.values_list("kode", flat=True)) == sorted(b.kode for b in reg.service.sop.berkas)
    assert OutboxMessage.objects.filter(case=case, template="diterima", to="kadis@dinas.go.id").count() == 1

    page = client.get(reverse("portal:receipt")).content.decode()
    code = CODE_RE.search(page)
    assert code and case.reference in page
    assert "Siti Rahmawati, S.Kom." in page  # the candidate
    assert "mengikuti pelatihan" in page and "siti.r@dinas.go.id" in page
    assert "alamat e-mail akun Anda di SPSE" not in page  # the reset's words
    # Shown once: a reload no longer shows the code.
    assert not CODE_RE.search(client.get(reverse("portal:receipt")).content.decode())

    status = client.get(reverse("portal:status_case", args=[case.reference])).content.decode()
    assert "Siti Rahmawati, S.Kom." in status and CANDIDATE_NIP in status


def test_a_new_agency_name_instead_of_the_list(client, reg):
    response = post(client, reg, agency="", new_agency_name="Dinas Komunikasi dan Informatika")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.agency is None
    assert case.registration.new_agency_name == "Dinas Komunikasi dan Informatika"


def test_a_replayed_token_makes_no_second_case(client, reg):
    url = form_url(reg)
    token = form_token(client, url)
    first = client.post(url, {"form_token": token, **typed(reg), **files(reg)})
    again = client.post(url, {"form_token": token, **typed(reg), **files(reg)})
    assert first.status_code == again.status_code == 302
    assert again["Location"] == reverse("portal:receipt")
    assert Case.objects.count() == 1


def test_a_token_the_session_never_gave_gets_the_form_back_with_what_was_typed(client, reg, media):
    response = client.post(form_url(reg), {"form_token": "erfunden", **typed(reg), **files(reg)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Formulir ini sudah tidak berlaku" in page
    assert 'value="Siti Rahmawati, S.Kom."' in page and 'value="2026-01-02"' in page
    assert nothing_stored(media)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"candidate_nip": "19920417201801200"}, "candidate_nip", "NIP harus 18 angka"),
        ({"candidate_nip": "199213172018012003"}, "candidate_nip", "NIP"),  # no 17th month
        ({"sk_date": ""}, "sk_date", "Tanggal SK penunjukan wajib diisi."),
        ({"sk_date": "kemarin"}, "sk_date", "Tulis tanggal SK seperti 20-11-2026."),
        ({"agency": "", "new_agency_name": ""}, "agency", "Pilih instansi Anda, atau tulis namanya"),
        ({"new_agency_name": "Dinas Lain"}, "new_agency_name", "salah satu saja"),
        ({"head_email": "kadis.dinas.go.id"}, "head_email", "Alamat e-mail tidak valid."),
        ({"candidate_email": "siti@"}, "candidate_email", "Alamat e-mail tidak valid."),
        ({"candidate_name": "  "}, "candidate_name", "Nama calon"),
        ({"sk_number": "800\x00/12"}, "sk_number", "karakter kontrol"),
    ],
)
def test_bad_input_is_shown_beside_its_field_with_what_was_typed_kept(client, reg, media, changes, field, message):
    response = post(client, reg, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    block = field_block(page, field)
    assert message in block and 'aria-invalid="true"' in block
    assert 'href="#id_' + field + '"' in page  # the summary at the top links to the field
    assert "Pilih kembali setiap berkas" in page  # files must be chosen again, and it says so
    for name in ("head_name", "candidate_position", "filed_by"):
        assert f'value="{typed(reg)[name]}"' in field_block(page, name), name
    if field != "sk_date":
        assert 'value="2026-01-02"' in field_block(page, "sk_date")
    assert nothing_stored(media)


def test_every_problem_is_named_at_once_even_with_a_date_it_cannot_read(client, reg, media):
    response = post(client, reg, sk_date="32-13-2026", head_email="", candidate_nip="123", with_files=False)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tulis tanggal SK seperti" in field_block(page, "sk_date")
    assert "wajib diisi" not in field_block(page, "sk_date")  # one message, the one that says why
    assert "Alamat e-mail tidak valid." in field_block(page, "head_email")
    assert "NIP harus 18 angka" in field_block(page, "candidate_nip")
    assert nothing_stored(media)


def test_a_missing_document_is_named_beside_its_input(client, reg, media):
    url = form_url(reg)
    data = {"form_token": form_token(client, url), **typed(reg), **files(reg, **{"sk-tugas": True})}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "SK penugasan pengelola akun wajib dilampirkan." in field_block(response.content.decode(), "berkas-sk-tugas")
    assert nothing_stored(media)


# -- the filled form --------------------------------------------------------------------------------


def test_the_filled_form_button_answers_the_pdf_of_what_was_typed_and_stores_nothing(client, reg, media):
    url = form_url(reg)
    token = form_token(client, url)
    response = client.post(url, {"form_token": token, **typed(reg), "unduh-formulir": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="formulir-permohonan-{CANDIDATE_NIP}.pdf"'
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    assert "Siti Rahmawati, S.Kom." in text
    assert "19920417 201801 2 003" in text  # the NIP, as printed
    for value in ("Ir. Bambang Sutejo, M.T.", "Dinas Perumahan Rakyat", "800/12/DPR/2026", "2 Januari 2026"):
        assert value in text, value
    assert nothing_stored(media) and OutboxMessage.objects.count() == 0
    # The form's token is still unused: the same form is then sent with the files.
    response = client.post(url, {"form_token": token, **typed(reg), **files(reg)})
    assert response.status_code == 302 and Case.objects.count() == 1


def test_the_filled_form_names_a_new_agency_as_typed(client, reg):
    response = client.post(
        form_url(reg),
        {**typed(reg, agency="", new_agency_name="Dinas Komunikasi dan Informatika"), "unduh-formulir": "1"},
    )
    assert response.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Dinas Komunikasi dan Informatika" in text


def test_the_filled_form_with_fields_missing_gives_the_form_back_with_the_problems(client, reg, media):
    response = client.post(
        form_url(reg), {**typed(reg, candidate_nip="", sk_date=""), "unduh-formulir": "1", **files(reg)}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Formulir terisi belum dapat dibuat" in page
    assert "NIP calon wajib diisi." in field_block(page, "candidate_nip")
    assert "Tanggal SK penunjukan wajib diisi." in field_block(page, "sk_date")
    assert 'value="Siti Rahmawati, S.Kom."' in field_block(page, "candidate_name")
    assert nothing_stored(media)


# -- the reset form beside it ---------------------------------------------------------------------


def test_the_reset_form_still_hands_in_a_reset(client, reg, service):
    page = client.get(RESET_URL).content.decode()
    assert "Identitas pemohon" in page and "unduh-formulir" not in page
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    response = client.post(
        RESET_URL,
        {
            "form_token": token.group(1),
            "user_id": service.account.user_id,
            "name": "Rina Kartika",
            "email": "pemohon.baru@gmail.com",
            "agency": str(service.account.agency_id),
            "need": "password",
            "berkas-surat-pengajuan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
            "berkas-sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(2), "application/pdf"),
            # A registration's fields and its button mean nothing to a reset form.
            "unduh-formulir": "1",
            "candidate_nip": "x",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.need, case.current_step) == (Need.PASSWORD, 2)
    assert not Registration.objects.exists()
    receipt = client.get(reverse("portal:receipt")).content.decode()
    assert "alamat e-mail akun Anda di SPSE" in receipt and "Calon" not in receipt


def test_registrations_count_against_the_portal_submit_limit_and_downloads_do_not(client, reg, settings):
    settings.LOKET_SUBMIT_LIMIT_PER_SESSION = 1
    url = form_url(reg)
    for _ in range(3):
        assert client.post(url, {**typed(reg), "unduh-formulir": "1"}).status_code == 200
    assert post(client, reg).status_code == 302
    stopped = post(client, reg, candidate_nip="198811302014031002")
    assert stopped.status_code == 429 and "Terlalu banyak permohonan" in stopped.content.decode()
    assert Case.objects.count() == 1


def test_the_status_page_says_the_account_waits_on_the_training(client, reg):
    assert post(client, reg).status_code == 302
    case = reg.to_training(Case.objects.get())
    assert case.status == Status.TRAINING
    page = client.get(reverse("portal:status_case", args=[case.reference])).content.decode()
    assert "diaktifkan setelah calon mengikuti pelatihan" in page
