"""Registration (`registrasi-akun`) through the public API: the service list shows it with its
kind and the document Loket fills, POST /requests hands one in with the registration's form
fields, and every refusal has the API's one shape. On the registration SOP of the tests
(tests/registration/sop.py), beside the reset SOP of the same unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.api.urls import api
from loket.cases.models import Case, Document, Need, Status
from loket.notify.models import OutboxMessage
from loket.registration.models import Registration
from tests.factories import pdf_bytes, png_bytes
from tests.registration.conftest import CANDIDATE_NIP, reg
from tests.sop_factory import service

from .conftest import API, service_documents, submit

__all__ = ["reg", "service"]  # fixtures

pytestmark = pytest.mark.django_db


def fields(reg, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {
        "unit": reg.service.unit.kode,
        "service": reg.service.kode,
        "head_name": "Ir. Bambang Sutejo",
        "head_position": "Kepala Dinas Perumahan Rakyat",
        "head_email": "kadis@dinas.go.id",
        "head_phone": "0541-123456",
        "agency": reg.service.agency.pk,
        "candidate_name": "Siti Rahmawati",
        "candidate_nip": CANDIDATE_NIP,
        "candidate_email": "siti.r@dinas.go.id",
        "candidate_phone": "081234567890",
        "candidate_position": "Pengelola Pengadaan",
        "sk_number": "800/12/DPR/2026",
        "sk_date": "2026-01-02",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def parts(reg, **skip: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    out: dict[str, Any] = {}
    for i, b in enumerate(reg.service.sop.berkas):
        if skip.get(b.kode):
            continue
        out[b.kode] = (
            SimpleUploadedFile(f"{b.kode}.pdf", pdf_bytes(i + 1), "application/pdf")
            if i % 2 == 0
            else SimpleUploadedFile(f"{b.kode}.png", png_bytes(), "image/png")
        )
    return out


def send(client, reg, *, files: dict[str, Any] | None = None, **changes: Any):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/requests", data={**fields(reg, **changes), **(parts(reg) if files is None else files)})


def nothing_stored() -> bool:
    return (Case.objects.count(), Registration.objects.count(), Document.objects.count()) == (0, 0, 0)


def test_the_service_list_shows_the_registration_with_its_kind_and_the_filled_form(client, reg, service):
    listed = {item["service"]: item for item in client.get(f"{API}/services").json()}
    assert {k: v["kind"] for k, v in listed.items()} == {
        "uji-akun-baru": "registrasi-akun",
        "uji-pulih-akun": "reset-akun",
    }
    registration = listed["uji-akun-baru"]
    assert registration["account_roles"] == ["Admin Agency"]
    assert [(d["kode"], d["required"], d["filled_form"]) for d in registration["documents"]] == [
        ("formulir-daftar", True, True),
        ("sk-tugas", True, False),
        ("surat-pimpinan", True, False),
    ]
    assert {a["name"] for a in registration["unit"]["agencies"]} == {"Dinas Perumahan Rakyat", "Dinas Ketahanan Pangan"}
    assert not any(d["filled_form"] for d in listed["uji-pulih-akun"]["documents"])


def test_a_registration_is_handed_in_and_opens_at_the_second_step(client, reg):
    response = send(client, reg)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"reference", "tracking_code", "status"} and body["status"] == "open"
    case = Case.objects.get(reference=body["reference"])
    assert (case.status, case.current_step, case.need, case.channel) == (Status.OPEN, 2, Need.NEW_ACCOUNT, "api")
    assert (case.requester_name, case.requester_email, case.agency) == (
        "Ir. Bambang Sutejo",
        "kadis@dinas.go.id",
        reg.service.agency,
    )
    registration = case.registration
    assert (registration.candidate_nip, registration.sk_date, registration.candidate_position) == (
        CANDIDATE_NIP,
        dt.date(2026, 1, 2),
        "Pengelola Pengadaan",
    )
    assert case.documents.count() == 3
    assert OutboxMessage.objects.get(case=case, template="diterima").to == "kadis@dinas.go.id"
    # The requester follows it with the code, as any request.
    status = client.get(f"{API}/requests/{body['tracking_code']}")
    assert status.status_code == 200 and status.json()["service"] == "uji-akun-baru"


def test_a_new_agency_is_named_by_its_name(client, reg):
    response = send(client, reg, agency="", new_agency_name="Dinas Komunikasi dan Informatika")
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.agency is None and case.registration.new_agency_name == "Dinas Komunikasi dan Informatika"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"candidate_nip": "12345"}, "candidate_nip", "NIP harus 18 angka"),
        ({"sk_date": None}, "sk_date", "Tanggal SK penunjukan wajib diisi."),
        ({"sk_date": "2026-13-40"}, "sk_date", "Isian tidak valid."),
        ({"sk_date": "2999-01-01"}, "sk_date", "tidak boleh sesudah hari ini"),
        ({"agency": None}, "agency", "Pilih instansi Anda, atau tulis namanya"),
        ({"new_agency_name": "Dinas Lain"}, "new_agency_name", "salah satu saja"),
        ({"agency": 999999}, "agency", "tidak terdaftar di unit ini"),
        ({"head_email": "kadis"}, "head_email", "Alamat e-mail tidak valid."),
        ({"candidate_email": ""}, "candidate_email", "Alamat e-mail tidak valid."),
        ({"head_name": ""}, "head_name", "wajib diisi"),
        ({"candidate_name": "x" * 201}, "candidate_name", "Isian tidak valid."),
        ({"filed_by": "Rudi\u202eHartono"}, "filed_by", "karakter kontrol"),
    ],
)
def test_it_refuses_a_registration_with_a_message_under_the_field(client, reg, changes, field, message):
    response = send(client, reg, **changes)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "problems"} and body["detail"]
    assert message in body["problems"][field], body
    assert nothing_stored()


def test_a_missing_document_is_named_under_its_kode(client, reg):
    response = send(client, reg, files=parts(reg, **{"formulir-daftar": True}))
    assert response.status_code == 400
    assert response.json()["problems"] == {"formulir-daftar": "Formulir pendaftaran pengelola akun wajib dilampirkan."}
    assert nothing_stored()


def test_a_candidate_with_a_registration_running_is_refused(client, reg):
    assert send(client, reg).status_code == 201
    again = send(client, reg)
    assert again.status_code == 400
    assert "sedang diproses" in again.json()["problems"]["candidate_nip"]
    assert Case.objects.count() == 1


def test_a_reset_still_reads_the_reset_fields(client, reg, service):
    documents = service_documents(service)
    response = submit(
        client, "uji", "uji-pulih-akun", service.account, files=documents, candidate_nip="ignored", sk_date=""
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert (case.need, case.current_step) == (Need.PASSWORD, 2)
    assert not Registration.objects.exists()
    refused = submit(client, "uji", "uji-pulih-akun", service.account, files=service_documents(service), need="")
    assert refused.status_code == 400 and "Pilih kebutuhan" in refused.json()["problems"]["need"]


def test_the_openapi_document_describes_the_registration_fields():
    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/requests"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    properties = body["properties"]
    for name in (
        "head_name",
        "head_position",
        "head_email",
        "head_phone",
        "filed_by",
        "new_agency_name",
        "candidate_name",
        "candidate_nip",
        "candidate_email",
        "candidate_phone",
        "candidate_position",
        "sk_number",
        "sk_date",
        "agency",
        "need",
    ):
        assert name in properties, name
    assert body["required"] == ["unit", "service"]
    assert properties["candidate_name"]["maxLength"] == 200
    assert {"type": "string", "format": "date"} in properties["sk_date"]["anyOf"]
    assert "registrasi-akun" in properties["head_name"]["description"]
    document = schema["components"]["schemas"]["DocumentSpecOut"]
    assert "filled_form" in document["required"]
