"""The public operations: the service list, handing in a request (and what is refused), the
status page for the requester, and the OpenAPI document. On test SOPs of test units
(tests/sop_factory.py): none of this is about one built-in SOP."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases.models import Case, Document
from loket.notify.models import OutboxMessage
from tests.factories import pdf_bytes
from tests.sop_factory import URAIAN, make_service

from .conftest import API, decide, service_documents, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(service):
    """A registration SOP of the same unit: a service requesters hand in beside the reset."""
    return make_service(unit="uji", kode="uji-registrasi-akun", layanan="registrasi-akun", accounts=False)


def send(client, to, *, files=None, **fields):  # type: ignore[no-untyped-def]
    """POST /requests to the test SOP `to` as the holder of its account; `fields` override the form
    (`service`, `unit` included)."""
    files = service_documents(to) if files is None else files
    data = {"unit": to.unit.kode, "service": to.kode, **fields}
    unit, service = data.pop("unit"), data.pop("service")
    return submit(client, unit, service, to.account, files=files, **data)


def test_it_lists_every_service_with_its_unit_and_documents(client, service, other_service, registration):
    response = client.get(f"{API}/services")
    assert response.status_code == 200
    services = {item["service"]: item for item in response.json()}
    assert sorted(services) == ["uji-lain-pulih-akun", "uji-pulih-akun", "uji-registrasi-akun"]
    assert services["uji-registrasi-akun"]["kind"] == "registrasi-akun"
    mine = services["uji-pulih-akun"]
    assert (mine["version"], mine["kind"], mine["account_roles"]) == (1, "reset-akun", ["PPK"])
    assert mine["unit"]["kode"] == "uji" and mine["unit"]["timezone"] == "Asia/Makassar"
    assert {"id": service.account.agency_id, "name": "Dinas Perumahan Rakyat"} in mine["unit"]["agencies"]
    assert [(d["kode"], d["required"]) for d in mine["documents"]] == [
        ("surat-pengajuan", True),
        ("sk-penunjukan", True),
    ]
    other = services["uji-lain-pulih-akun"]
    assert other["unit"]["timezone"] == "Asia/Jayapura"
    assert other["account_roles"] == ["Pokja Pemilihan", "PP"]


def test_a_submitted_request_answers_its_reference_and_tracking_code(client, service):
    response = send(client, service)
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert body["status"] == "open" and case.current_step == 2
    assert body["reference"].startswith("UJI-")
    assert case.tracking_digest != body["tracking_code"]
    assert OutboxMessage.objects.get(case=case, template="diterima").to == "pemohon.baru@gmail.com"


def test_a_pdf_that_is_really_a_program_is_refused_and_nothing_is_saved(client, service, media):
    fake = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run", "application/pdf")
    response = send(client, service, files=service_documents(service, **{"surat-pengajuan": fake}))
    assert response.status_code == 400
    assert "bukan PDF" in response.json()["problems"]["surat-pengajuan"]
    assert (Case.objects.count(), Document.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"service": "tidak-ada"}, "service", "daftar layanan"),
        ({"agency": ""}, "agency", "Pilih instansi"),
        ({"unit": "uji-lain"}, "unit", "tidak menawarkan"),
        ({"email": "bukan-email"}, "email", "tidak valid"),
        ({"user_id": "", "nip": "123"}, "nip", "18 angka"),
        ({"agency": "PUPR"}, "agency", "bilangan bulat"),
        ({"need": "semua"}, "need", "Pilih kebutuhan"),
    ],
)
def test_it_refuses_a_request_with_a_message_under_the_field(
    client, service, other_service, registration, fields, field, message
):
    response = send(client, service, **fields)
    assert response.status_code == 400
    assert message in response.json()["problems"][field]
    assert response.json()["detail"]
    assert Case.objects.count() == 0


def test_a_too_large_upload_is_refused_with_its_real_size(client, service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 1_000_000
    big = SimpleUploadedFile("surat.pdf", pdf_bytes() + b"\0" * 2_500_000, "application/pdf")
    response = send(client, service, files=service_documents(service, **{"surat-pengajuan": big}))
    assert response.status_code == 400
    assert "terlalu besar (2,4\xa0MB); paling besar 976,6\xa0KB" in response.json()["problems"]["surat-pengajuan"]
    assert Case.objects.count() == 0


def test_a_missing_required_document_is_named(client, service):
    response = send(client, service, files=service_documents(service, **{"sk-penunjukan": None}))
    assert response.status_code == 400
    assert "wajib" in response.json()["problems"]["sk-penunjukan"]


def test_the_status_shows_the_requester_no_staff_names_nor_directory_data(client, service, service_tokens):
    body = send(client, service, email="pemohon.baru@gmail.com").json()
    case = Case.objects.get(reference=body["reference"])
    decide(client, service_tokens["verifier"], case.pk, [(2, "tidak", "")], missing=["sk-penunjukan"])

    response = client.get(f"{API}/requests/{body['tracking_code'].lower()}")
    assert response.status_code == 200
    status = response.json()
    assert (status["reference"], status["status"]) == (body["reference"], "waiting")
    assert [(s["step"], s["state"]) for s in status["steps"]] == [
        (1, "done"),
        (2, "done"),
        (3, "done"),
        (4, "waiting-on-you"),
        # if all goes well from here: checked again, validity, reset, result, archive
        (2, "expected"),
        (5, "expected"),
        (6, "expected"),
        (8, "expected"),
        (9, "expected"),
    ]
    # The requester's words, not the SOP's sentence for staff.
    assert status["steps"][0]["description"] == "Permohonan dan berkas Anda diterima"
    assert status["steps"][3]["description"] == "Anda melengkapi berkas yang diminta"
    assert not {s["description"] for s in status["steps"]} & set(URAIAN.values())
    assert status["missing_named"] is True and status["supply_before"]
    text = response.content.decode()
    holder = service.account
    for private in (service.verifier.username, holder.email, holder.nip, holder.phone, holder.user_id):
        assert private not in text


def test_a_completeness_no_with_only_a_note_asks_for_every_document_as_the_portal_does(client, service, service_tokens):
    body = send(client, service).json()
    case = Case.objects.get(reference=body["reference"])
    decide(client, service_tokens["verifier"], case.pk, [(2, "tidak", "Lampirkan SK yang ditandatangani")])

    status = client.get(f"{API}/requests/{body['tracking_code']}").json()
    assert [d["kode"] for d in status["missing_documents"]] == ["surat-pengajuan", "sk-penunjukan"]
    assert status["missing_named"] is False
    assert status["missing_note"] == "Lampirkan SK yang ditandatangani"


def test_an_unknown_tracking_code_is_not_found(client, service):
    response = client.get(f"{API}/requests/ABCD-EFGH-JKLM-NPQR")
    assert response.status_code == 404
    assert "Kode pelacakan tidak dikenal" in response.json()["detail"]
    supplied = client.post(
        f"{API}/requests/ABCD-EFGH-JKLM-NPQR/documents",
        data={"sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")},
    )
    assert supplied.status_code == 404


def test_a_bad_supplied_document_is_refused_and_the_case_still_waits(client, service, service_tokens):
    body = send(client, service).json()
    case = Case.objects.get(reference=body["reference"])
    decide(client, service_tokens["verifier"], case.pk, [(2, "tidak", "")], missing=["sk-penunjukan"])
    response = client.post(
        f"{API}/requests/{body['tracking_code']}/documents",
        data={"sk-penunjukan": SimpleUploadedFile("sk.pdf", b"MZ\x90\x00 program", "application/pdf")},
    )
    assert response.status_code == 400
    assert "bukan PDF" in response.json()["problems"]["sk-penunjukan"]
    case.refresh_from_db()
    assert case.status == "waiting"
    assert Document.objects.filter(case=case).count() == 2


def test_the_openapi_document_lists_every_operation(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {path: sorted(ops) for path, ops in schema["paths"].items()} == {
        "/api/v1/services": ["get"],
        "/api/v1/requests": ["post"],
        "/api/v1/requests/{tracking_code}": ["get"],
        "/api/v1/requests/{tracking_code}/documents": ["post"],
        "/api/v1/cases": ["get"],
        "/api/v1/cases/{case_id}": ["get"],
        "/api/v1/cases/{case_id}/decisions": ["post"],
        "/api/v1/search/cases": ["get"],
        "/api/v1/training/units/{unit}/sessions": ["get", "post"],
        "/api/v1/training/units/{unit}/waiting": ["get"],
        "/api/v1/training/sessions/{session_id}": ["get"],
        "/api/v1/training/sessions/{session_id}/invitations": ["post"],
        "/api/v1/training/sessions/{session_id}/attendance": ["post"],
        "/api/v1/training/registrations/{registration_id}/activation": ["post"],
    }
    submit_body = schema["paths"]["/api/v1/requests"]["post"]["requestBody"]["content"]
    assert list(submit_body) == ["multipart/form-data"]
    assert {"unit", "service", "need", "agency"} <= set(submit_body["multipart/form-data"]["schema"]["properties"])
    assert "security" in schema["paths"]["/api/v1/cases"]["get"]
    assert "security" not in schema["paths"]["/api/v1/services"]["get"]
    assert client.get(f"{API}/docs").status_code == 200


def test_a_public_post_needs_no_csrf_token(service):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = send(strict, service)
    assert response.status_code == 201
