"""The requester portal as a requester uses it with a browser: choosing a service, submitting,
the receipt, following the case by its tracking code, supplying documents, withdrawing; and
what another browser or a guesser cannot do. On test SOPs of test units (tests/sop_factory.py):
the portal's behaviour is not about one built-in SOP."""

from __future__ import annotations

import re
import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from loket.audit.models import AuditEntry
from loket.cases import services
from loket.cases.models import Case, Document, Status
from loket.cases.services import Decision, StepAnswer
from loket.notify.models import OutboxMessage
from tests.factories import pdf_bytes, png_bytes
from tests.sop_factory import URAIAN, make_service

pytestmark = pytest.mark.django_db

FORM_URL = reverse("portal:form", args=["uji", "uji-pulih-akun"])
CODE_RE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
TYPED_EMAIL = "pemohon.baru@gmail.com"
TYPED_PHONE = "0811-5550-123"


def form_token(client: Client, url: str = FORM_URL) -> str:
    page = client.get(url).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the form carries a one-time token"
    return match.group(1)


def request_data(service, token: str, **changes):  # type: ignore[no-untyped-def]
    data = {
        "form_token": token,
        "user_id": service.account.user_id,
        "nip": "",
        "name": "Rina Kartika",
        "email": TYPED_EMAIL,
        "phone": TYPED_PHONE,
        "agency": str(service.account.agency_id),
        "need": "password",
        "berkas-surat-pengajuan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
        "berkas-sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(2), "application/pdf"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: Client, service, **changes):  # type: ignore[no-untyped-def]
    return client.post(FORM_URL, request_data(service, form_token(client), **changes))


def submit_and_read_code(client: Client, service) -> tuple[Case, str]:  # type: ignore[no-untyped-def]
    response = submit(client, service)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    code = CODE_RE.search(page)
    assert code
    return Case.objects.get(), code.group(0)


def open_case(client: Client, code: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:status"), {"code": code})


def decide(case: Case, actor, answers, **extra) -> None:  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    services.decide(
        case_id=case.pk,
        actor=actor,
        version=case.version,
        decision=Decision(answers=[StepAnswer(no, ans, note) for no, ans, note in answers], values=extra),
    )


@pytest.fixture
def registration(service):
    """A registration SOP of the same unit (a request for a new account): offered beside the reset."""
    return make_service(unit="uji", kode="uji-registrasi-akun", layanan="registrasi-akun", accounts=False)


def test_the_landing_page_leads_to_the_portal_the_status_page_the_console_and_the_catalogue(client, service):
    page = client.get(reverse("portal:home")).content.decode()
    for href in (reverse("portal:start"), reverse("portal:status"), "/konsol/", reverse("web:sop_list")):
        assert f'href="{href}"' in page
    assert "Ajukan permohonan" in page and "Lacak permohonan" in page


def test_it_lists_the_services_each_unit_offers(client, service, other_service, registration):
    page = client.get(reverse("portal:start")).content.decode()
    for unit in ("UKPBJ Kabupaten Uji", "UKPBJ Kabupaten Uji Lain"):
        assert unit in page
    assert "data-kode" not in page  # the services come on the next page, once the unit is chosen
    uji = client.get(reverse("portal:start"), {"unit": "uji"}).content.decode()
    assert re.findall(r'data-kode="([^"]+)"', uji) == ["uji-pulih-akun", "uji-registrasi-akun"]
    assert "Pemulihan Akun SPSE Pejabat Pengadaan" in uji
    assert f'href="{FORM_URL}"' in uji
    assert "<strong>PPK</strong>" in uji
    # One thing per page: once a unit is chosen the page offers its services, not the unit list.
    assert 'name="unit"' not in uji and 'href="/permohonan/"' in uji and "ganti unit" in uji
    other = client.get(reverse("portal:start"), {"unit": "uji-lain"}).content.decode()
    assert re.findall(r'data-kode="([^"]+)"', other) == ["uji-lain-pulih-akun"]
    assert "Pemulihan Akun SPSE Pokja Pemilihan" in other
    assert "<strong>Pokja Pemilihan, PP</strong>" in other


def test_a_service_of_another_unit_has_no_form_here_and_the_registration_has_its_own(
    client, other_service, registration
):
    assert client.get(reverse("portal:form", args=["uji-lain", "uji-pulih-akun"])).status_code == 404
    page = client.get(reverse("portal:form", args=["uji", "uji-registrasi-akun"])).content.decode()
    assert 'name="candidate_nip"' in page and 'name="need"' not in page
    assert client.get(reverse("portal:form", args=["uji", "tidak-ada"])).status_code == 404


def test_the_form_asks_for_each_document_of_the_sop_with_its_limit(client, service):
    page = client.get(FORM_URL).content.decode()
    for name in ("berkas-surat-pengajuan", "berkas-sk-penunjukan"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag and 'accept=".pdf,.jpg,.jpeg,.png"' in tag.group(0) and "required" in tag.group(0)
    assert "SK penunjukan sebagai pejabat pengadaan" in page
    assert "Salinan SK yang ditandatangani pejabat yang berwenang" in page  # its keterangan
    assert "paling besar 5,0\xa0MB" in page
    assert "Dinas Perumahan Rakyat" in page and "Dinas Ketahanan Pangan" in page  # the unit's agencies


def test_a_ppk_submits_two_pdfs_and_reads_the_reference_and_the_code_once(client, service):
    response = submit(client, service)
    assert response.status_code == 302 and response["Location"] == reverse("portal:receipt")
    page = client.get(reverse("portal:receipt")).content.decode()
    case = Case.objects.get()
    assert re.fullmatch(r"UJI-\d{4}-\d{6}", case.reference)
    assert case.reference in page
    assert "http://testserver/permohonan/status/" in page  # where to follow it, printed with the receipt
    code = CODE_RE.search(page)
    assert code and services.case_by_tracking_code(code.group(0)) == case
    assert (case.channel, case.need, case.requester_email, case.agency) == (
        "web",
        "password",
        TYPED_EMAIL,
        service.account.agency,
    )
    assert sorted(case.documents.values_list("kode", flat=True)) == ["sk-penunjukan", "surat-pengajuan"]
    assert OutboxMessage.objects.filter(case=case, template="diterima", to=TYPED_EMAIL).count() == 1
    # The code is in no address: not where the browser was sent, not in any link or form of the page.
    assert code.group(0) not in response["Location"]
    for url in re.findall(r'(?:href|action|src)="([^"]*)"', page):
        assert code.group(0) not in url and code.group(0).replace("-", "") not in url
    assert f'href="{reverse("portal:status_case", args=[case.reference])}"' in page
    assert "data-print" in page  # the print button (web/page.js)

    again = client.get(reverse("portal:receipt")).content.decode()
    assert case.reference in again
    assert not CODE_RE.search(again)
    assert "sudah ditampilkan sekali" in again


def test_a_wrong_file_type_is_shown_beside_its_field_and_no_case_is_made(client, service):
    response = submit(
        client,
        service,
        **{"berkas-surat-pengajuan": SimpleUploadedFile("surat.pdf", b"PK\x03\x04 a word file", "application/pdf")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    beside = re.search(r'<p class="field-message" id="id_berkas-surat-pengajuan_error">([^<]*)</p>', page)
    assert beside and "bukan PDF, JPEG atau PNG" in beside.group(1)
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*name="berkas-surat-pengajuan"[^>]*>', page).group(0)
    assert 'value="Rina Kartika"' in page and f'value="{TYPED_EMAIL}"' in page  # typed values kept
    assert "Pilih kembali setiap berkas" in page
    assert (Case.objects.count(), Document.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_each_problem_of_the_identity_is_shown_beside_its_field(client, service):
    response = submit(client, service, user_id="", nip="1985", name="", email="bukan-email", agency="")
    assert response.status_code == 400
    page = response.content.decode()

    def beside(field: str) -> str:
        found = re.search(rf'id="id_{field}_error">([^<]*)<', page)
        assert found, field
        return found.group(1)

    assert "Pilih instansi Anda" in beside("agency")
    assert Case.objects.count() == 0
    # With the agency chosen, the service's own checks come back beside their fields.
    response = submit(client, service, user_id="", nip="1985", name="", email="bukan-email")
    page = response.content.decode()
    assert "NIP terdiri dari 18 angka" in beside("nip")
    assert "Nama wajib diisi" in beside("name")
    assert "e-mail tidak valid" in beside("email")
    assert Case.objects.count() == 0


def test_a_replayed_form_token_makes_no_second_case(client, service):
    token = form_token(client)
    first = client.post(FORM_URL, request_data(service, token))
    second = client.post(FORM_URL, request_data(service, token))
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("portal:receipt")
    assert Case.objects.count() == 1
    page = client.get(reverse("portal:receipt")).content.decode()
    assert Case.objects.get().reference in page and CODE_RE.search(page)  # the first answer was lost: shown now


def test_a_token_the_session_never_gave_is_refused_with_the_typed_values_kept(client, service):
    client.get(FORM_URL)
    response = client.post(FORM_URL, request_data(service, "dibuat-sendiri"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "sudah tidak berlaku" in page and 'value="Rina Kartika"' in page
    assert Case.objects.count() == 0


def test_the_status_page_shows_the_steps_and_no_staff_name_or_directory_data(client, service):
    service.verifier.first_name, service.verifier.last_name = "Budi", "Santoso"
    service.verifier.save()
    holder = service.account
    holder.satker, holder.phone = "Subbagian Perencanaan Perumahan", "0541-736-999"
    holder.save()
    case, code = submit_and_read_code(Client(), service)
    decide(case, service.verifier, [(2, "ya", "Catatan internal petugas"), (5, "ya", "Dicek di SPSE")])

    response = open_case(client, code.lower().replace("-", " "))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:status_case", args=[case.reference])
    assert code not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page
    assert "Pemulihan Akun SPSE Pejabat Pengadaan" in page
    assert case.unit.nama in page
    assert "WITA" in page  # the unit's local time
    assert "Selesai" in page
    # Steps in the requester's words, not the SOP's sentences for staff.
    assert "Permohonan dan berkas Anda diterima" in page
    assert "Berkas permohonan diarsipkan" in page
    for sentence in URAIAN.values():
        assert sentence not in page, sentence
    # Where the result went, masked.
    assert "Hasilnya dikirim ke p***@uji.go.id" in page
    # What the requester typed, and nothing of the staff or of the directory record.
    assert "Rina Kartika" in page and TYPED_EMAIL in page and TYPED_PHONE in page
    for hidden in (
        service.verifier.username,
        "Budi",
        "Santoso",
        "Catatan internal petugas",
        "Dicek di SPSE",
        holder.email,
        holder.nip,
        holder.phone,
        holder.sk_number,
        holder.satker,
    ):
        assert hidden not in page, hidden
    assert AuditEntry.objects.filter(action="portal.case_opened", case=case).count() == 1


def test_an_open_case_shows_the_steps_ahead_and_the_withdraw_button(client, service):
    case, _code = submit_and_read_code(client, service)
    page = client.get(reverse("portal:status_case", args=[case.reference])).content.decode()
    assert "Sedang diproses" in page and "Belum" in page
    assert "Petugas mencocokkan berkas Anda dengan data akun" in page  # step 5, still ahead
    assert reverse("portal:withdraw", args=[case.reference]) in page


def test_a_wrong_code_gets_a_clear_message_and_too_many_are_stopped(client, service):
    case, code = submit_and_read_code(Client(), service)
    response = open_case(client, "AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 400
    assert "Kode pelacakan tidak dikenal" in response.content.decode()
    for _ in range(9):
        open_case(client, "AAAA-BBBB-CCCC-DDDD")
    stopped = open_case(client, code)  # even the right code, once the limit is reached
    assert stopped.status_code == 429
    assert "Terlalu banyak kode pelacakan yang salah" in stopped.content.decode()
    assert client.get(reverse("portal:status_case", args=[case.reference])).status_code == 302
    # Another browser on another address is not held back by this one's mistakes.
    assert open_case(Client(REMOTE_ADDR="10.1.2.3"), code).status_code == 302
    # The audit trail counts the attempts without the address itself.
    entry = AuditEntry.objects.filter(action="portal.tracking_code_refused").first()
    assert entry is not None and "127.0.0.1" not in str(entry.detail)


def test_supplying_the_documents_asked_for_moves_the_case_back_to_the_completeness_check(client, service):
    case, code = submit_and_read_code(client, service)
    decide(case, service.verifier, [(2, "tidak", "SK tidak terbaca, mohon pindai ulang")], missing=["sk-penunjukan"])
    page = client.get(reverse("portal:status_case", args=[case.reference])).content.decode()
    assert "Menunggu Anda" in page
    assert "SK tidak terbaca, mohon pindai ulang" in page  # the note meant for the requester
    assert 'name="berkas-sk-penunjukan"' in page and 'name="berkas-surat-pengajuan"' not in page

    url = reverse("portal:supply", args=[case.reference])
    wrong = client.post(
        url, {"code": "AAAA-BBBB-CCCC-DDDD", "berkas-sk-penunjukan": SimpleUploadedFile("sk.png", png_bytes())}
    )
    assert wrong.status_code == 400 and "tidak cocok dengan permohonan ini" in wrong.content.decode()
    case.refresh_from_db()
    assert case.status == Status.WAITING

    response = client.post(
        url,
        {
            "code": code,
            "note": "Sudah saya pindai ulang",
            "berkas-sk-penunjukan": SimpleUploadedFile("sk.png", png_bytes()),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.OPEN, 2)
    assert case.documents.filter(kode="sk-penunjukan").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Berkas diterima" in page and "Sudah saya pindai ulang" in page


def test_a_bad_file_supplied_is_shown_beside_its_field(client, service):
    case, code = submit_and_read_code(client, service)
    decide(case, service.verifier, [(2, "tidak", "")], missing=["sk-penunjukan"])
    response = client.post(
        reverse("portal:supply", args=[case.reference]),
        {"code": code, "berkas-sk-penunjukan": SimpleUploadedFile("sk.pdf", b"%PDF-1.7\n broken")},
    )
    assert response.status_code == 400
    assert re.search(r'id="id_berkas-sk-penunjukan_error">[^<]*rusak', response.content.decode())
    case.refresh_from_db()
    assert case.status == Status.WAITING


def test_the_requester_withdraws_after_confirming_with_the_code(client, service):
    case, code = submit_and_read_code(client, service)
    url = reverse("portal:withdraw", args=[case.reference])
    confirm = client.get(url).content.decode()
    assert "Ya, batalkan permohonan" in confirm and 'method="post"' in confirm
    response = client.post(url, {"code": code, "reason": "Sudah ingat password"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    page = client.get(response["Location"]).content.decode()
    assert "dibatalkan" in page and "Sudah ingat password" in page
    assert reverse("portal:withdraw", args=[case.reference]) not in page  # closed: no button
    assert OutboxMessage.objects.filter(case=case, template="dibatalkan").count() == 1


def test_another_browser_cannot_open_the_case_without_the_code(client, service):
    case, code = submit_and_read_code(Client(), service)
    status_url = reverse("portal:status_case", args=[case.reference])
    response = client.get(status_url)
    assert response.status_code == 302 and response["Location"] == reverse("portal:status")
    unknown = client.get(reverse("portal:status_case", args=["UJI-2000-000999"]))
    assert unknown["Location"] == response["Location"]  # the same answer: nothing told
    assert client.post(reverse("portal:withdraw", args=[case.reference]), {"code": code}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPEN
    # With the code, it opens.
    assert open_case(client, code).status_code == 302
    assert "Rina Kartika" in client.get(status_url).content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks; CI's PostgreSQL pass (DATABASE_URL) runs it",
)
@pytest.mark.django_db(transaction=True)
def test_a_double_click_sending_the_form_twice_at_once_makes_one_case(service):
    browser = Client()
    token = form_token(browser)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def click() -> None:
        twin = Client()  # the same browser: the same session cookie, its own connection
        twin.cookies[settings.SESSION_COOKIE_NAME] = cookie
        try:
            barrier.wait()
            answers.append(twin.post(FORM_URL, request_data(service, token)).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [302, 302]
    assert Case.objects.count() == 1
    page = browser.get(reverse("portal:receipt")).content.decode()
    assert Case.objects.get().reference in page and CODE_RE.search(page)


def test_the_upload_hint_of_a_document_shown_in_person_fits_the_web(client, db):
    """A document whose original is shown at the counter (`asli`): the SOP's note tells a
    visitor to bring it; online, a clear copy is enough."""
    import json

    from tests.sop_factory import BERKAS, make_service, reset_sop

    note = f"    keterangan: {json.dumps(BERKAS[1].keterangan)}\n"
    text = reset_sop(unit="uji-asli", kode="uji-asli-pulih")
    assert note in text
    text = text.replace(note, '    keterangan: "Bawa aslinya bila datang langsung"\n    asli: true\n')
    other = make_service(unit="uji-asli", text=text)
    page = client.get(f"/permohonan/{other.unit.kode}/{other.kode}/").content.decode()
    assert "aslinya hanya diperlihatkan bila Anda datang langsung ke loket" in page
    assert "Bawa aslinya bila datang langsung" not in page


def test_a_reset_form_offers_what_a_reset_gives(client, service):
    page = client.get(f"/permohonan/{service.unit.kode}/{service.kode}/").content.decode()
    assert 'value="password"' in page and 'value="user-id"' in page and 'value="akun-baru"' not in page
