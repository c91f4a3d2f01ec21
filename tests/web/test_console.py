"""The staff console: the queue in scope and order, the case page's one-submit decision, documents
inline, the archive PDF, the outbox for administrators, and every refusal. On test SOPs of test
units (tests/sop_factory.py): the console's behaviour is not about one built-in SOP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loket.cases.models import Case, Status
from loket.notify.models import OutboxMessage
from tests.cases.test_services import answer_run, steps_of
from tests.sop_factory import AGENCIES, HAPPY_STEPS, STRANGERS, VERIFIER, strangers, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service):
    return submit(service).case


def test_the_queue_lists_my_cases_oldest_due_first_and_marks_the_overdue(client, service, other_service):
    first = submit(service).case
    second = submit(service).case
    Case.objects.filter(pk=second.pk).update(current_due_at=timezone.now() - dt.timedelta(hours=1))
    other = submit(other_service).case  # another unit: not mine
    client.force_login(service.verifier)
    page = client.get(reverse("console:queue")).content.decode()
    assert page.index(second.reference) < page.index(first.reference)
    assert page.count("terlambat") == 1
    assert other.reference.startswith("UJI-LAIN-") and "UJI-LAIN-" not in page


def test_the_queue_shows_times_in_the_units_zone(client, service):
    case = submit(service).case
    created = dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 WITA, the test unit's zone
    Case.objects.filter(pk=case.pk).update(created_at=created, current_due_at=created + dt.timedelta(minutes=15))
    client.force_login(service.verifier)
    page = client.get(reverse("console:queue")).content.decode()
    assert "01-12-2026 09:30" in page and "01-12-2026 09:45" in page and "01:30" not in page


def test_the_queue_costs_the_same_queries_for_one_case_or_twenty(client, service):
    client.force_login(service.verifier)
    submit(service)
    client.get(reverse("console:queue"))  # the session's idle stamp is written on its first use
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console:queue"))
    for _ in range(19):
        submit(service)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(reverse("console:queue")).content.decode().count("UJI-") == 20
    assert len(twenty) == len(one)
    # and no row of the queue carries its SOP's whole file: the SOP is known by its hash once parsed
    rows = [q["sql"] for q in twenty.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert rows and not [sql for sql in rows if '"catalog_sopversion"."content"' in sql]


@pytest.mark.parametrize("who", STRANGERS)
def test_staff_outside_the_scope_see_neither_the_case_nor_its_documents(client, service, other_service, case, who):
    client.force_login(strangers(service, other_service)[who])
    assert case.reference not in client.get(reverse("console:queue")).content.decode()
    doc = case.documents.first()
    assert client.get(reverse("console:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("console:document", args=[case.pk, doc.pk])).status_code == 404
    response = client.post(reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-2": "ya"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.current_step == 2


def test_signed_out_visitors_are_sent_to_sign_in(client, case):
    for url in (reverse("console:queue"), reverse("console:case", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("console:login"))


def test_the_case_page_shows_documents_and_the_request_beside_the_directory(client, service, case):
    client.force_login(service.verifier)
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert page.count('class="badge ok">ada<') == 2
    assert "ppk.dpr@uji.go.id" in page  # the record's address beside the typed one
    assert "tidak sesuai" in page  # the typed e-mail differs from the record
    assert 'name="jawaban-2"' in page and 'name="jawaban-5"' in page


def test_one_submit_answers_both_checks_and_the_system_finishes(client, service, case):
    client.force_login(service.verifier)
    response = client.post(
        reverse("console:case", args=[case.pk]),
        {"version": case.version, "jawaban-2": "ya", "jawaban-5": "ya"},
        follow=True,
    )
    assert "Tersimpan: langkah 2, 5." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DONE
    assert steps_of(case) == HAPPY_STEPS
    page = response.content.decode()
    assert f"sistem a.n. {service.verifier.username}" in page
    pdf = client.get(reverse("console:archive_pdf", args=[case.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_double_click_saves_once_and_says_why_the_second_did_not(client, service, case):
    client.force_login(service.verifier)
    data = {"version": case.version, "jawaban-2": "ya", "jawaban-5": "ya"}
    client.post(reverse("console:case", args=[case.pk]), data)
    second = client.post(reverse("console:case", args=[case.pk]), data, follow=True)
    assert "tidak sedang menunggu Anda" in second.content.decode()
    case.refresh_from_db()
    assert [s for s, _, _ in steps_of(case)] == [1, 2, 5, 6, 8, 9]


def test_missing_documents_are_marked_and_the_requester_is_asked(client, service, case):
    client.force_login(service.verifier)
    client.post(
        reverse("console:case", args=[case.pk]),
        {"version": case.version, "jawaban-2": "tidak", "missing": ["sk-penunjukan"], "catatan-2": "SK buram"},
    )
    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.WAITING, 4)
    assert case.steps.get(step=2).detail["kurang"] == ["sk-penunjukan"]
    # The requester is asked, by mail to the address they typed, for exactly that document.
    asked = OutboxMessage.objects.get(case=case, template="minta-kelengkapan")
    assert asked.to == case.requester_email
    assert "SK penunjukan sebagai pejabat pengadaan" in asked.body
    assert "Surat pengajuan pemulihan akun SPSE" not in asked.body


def test_a_refusal_without_a_reason_keeps_what_was_typed_and_saves_nothing(client, service, case):
    client.force_login(service.verifier)
    response = client.post(
        reverse("console:case", args=[case.pk]),
        {"version": case.version, "jawaban-2": "ya", "jawaban-5": "tidak", "phone_confirmation": "Ditelepon pukul 9"},
    )
    assert response.status_code == 400
    assert "Tulis alasan penolakan" in response.content.decode()
    assert "Ditelepon pukul 9" in response.content.decode()
    case.refresh_from_db()
    assert case.current_step == 2


def test_documents_open_inline_and_cannot_run_scripts(client, service, case):
    client.force_login(service.verifier)
    doc = case.documents.get(kode="surat-pengajuan")
    response = client.get(reverse("console:document", args=[case.pk, doc.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_outbox_is_for_administrators_only(client, service, superuser, case):
    client.force_login(service.verifier)
    assert client.get(reverse("console:outbox")).status_code == 403
    client.force_login(superuser)
    page = client.get(reverse("console:outbox")).content.decode()
    assert case.reference in page and "pemohon.baru@gmail.com" in page


def test_two_lanes_each_answer_their_own_steps(client, other_service):
    # In the other unit's SOP, Petugas Layanan checks completeness (step 2), Verifikator Akun the rest.
    case = submit(other_service).case
    desk = other_service.staff_of("Petugas Layanan")
    verifier = other_service.staff_of(VERIFIER, AGENCIES[0])
    client.force_login(desk)
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'name="jawaban-2"' in page and 'name="jawaban-5"' not in page
    client.post(reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-2": "ya"})
    case.refresh_from_db()
    assert (case.current_step, case.current_lane) == (5, VERIFIER)
    assert case.reference not in client.get(reverse("console:queue")).content.decode()
    client.force_login(verifier)
    assert case.reference in client.get(reverse("console:queue")).content.decode()
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'name="jawaban-5"' in page and 'name="jawaban-2"' not in page
    answer_run(case, verifier, [(5, "ya", "")])
    case.refresh_from_db()
    assert case.status == Status.DONE


def test_documents_are_read_in_the_checklists_order_under_their_sop_names(client, service):
    from tests.factories import png_bytes

    # Handed in the other way round: the SK (an image) before the letter.
    files = service.files()
    case = submit(service, files=list(reversed(files[:1])) + [("sk-penunjukan", "foto-sk.png", png_bytes())]).case
    client.force_login(service.verifier)
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    viewer = page[page.index('id="judul-berkas"') :]
    letter, decree = (b.nama for b in service.sop.berkas)
    assert viewer.index(letter) < viewer.index(decree)  # the SOP's order, not the upload's
    assert 'id="berkas-sk-penunjukan"' in viewer and 'href="#berkas-sk-penunjukan"' in page
    assert "data-zoom" in viewer  # the image can be read at its own size
    assert "bita" in viewer or "KB" in viewer  # a human size
