"""A registration from the head's request to the archive entirely over HTTP: submitted through
`POST /requests`, the chief's step (the numbered letter) and the Admin PPE's completeness (each
kelengkapan item ticked) and account creation through `POST /cases/{id}/decisions`, training
through `/training/...`; on the registration SOP of the tests (tests/registration/sop.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loket.cases.models import Case, Status
from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from loket.registration.models import Registration, TrainingSession
from loket.staff.services import create_api_token
from tests.factories import pdf_bytes
from tests.registration.conftest import CANDIDATE_NIP, reg

from .conftest import API, bearer

__all__ = ["reg"]  # the fixture

pytestmark = pytest.mark.django_db


def _json(client, token: str, method: str, path: str, body: Any = None):  # type: ignore[no-untyped-def]
    call = client.get if method == "get" else client.post
    kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
    return call(f"{API}{path}", headers=bearer(token), **kwargs)


def test_the_whole_registration_over_http(client, reg):
    files = {
        b.kode: SimpleUploadedFile(f"{b.kode}.pdf", pdf_bytes(i + 1), "application/pdf")
        for i, b in enumerate(reg.service.sop.berkas)
    }
    response = client.post(
        f"{API}/requests",
        {
            "unit": reg.service.unit.kode,
            "service": reg.service.kode,
            "head_name": "Ir. Bambang Sutejo",
            "head_position": "Kepala Dinas Perumahan Rakyat",
            "head_email": "kadis@dinas.go.id",
            "agency": str(reg.service.agency.pk),
            "candidate_name": "Siti Rahmawati",
            "candidate_nip": CANDIDATE_NIP,
            "candidate_email": "calon@dinas.go.id",
            "candidate_phone": "081234567890",
            "candidate_position": "Pengelola Pengadaan",
            "sk_number": "800/12/DPR/2026",
            "sk_date": "2026-11-02",
            **files,
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    chief = create_api_token(actor=None, user=reg.chief)[1]
    admin = create_api_token(actor=None, user=reg.admin)[1]

    seen = _json(client, chief, "get", f"/cases/{case.pk}").json()
    assert seen["registration"]["candidate"]["nip"] == CANDIDATE_NIP
    assert [(a["step"], a["fields"]) for a in seen["answerable"]] == [(2, ["letter_note"])]
    decided = _json(
        client,
        chief,
        "post",
        f"/cases/{case.pk}/decisions",
        {"version": seen["version"], "answers": [{"step": 2, "answer": "lanjut"}], "letter_note": "Mohon hadir."},
    )
    assert decided.status_code == 200, decided.content
    number = Registration.objects.get(case=case).letter_number
    assert number and OutboxMessage.objects.filter(case=case, template="surat-jawaban").exists()

    seen = _json(client, admin, "get", f"/cases/{case.pk}").json()
    assert [(a["step"], a["fields"]) for a in seen["answerable"]] == [
        (3, ["kelengkapan", "missing"]),
        (6, ["new_user_id"]),
    ]
    body = {
        "version": seen["version"],
        "answers": [{"step": 3, "answer": "ya"}, {"step": 6, "answer": "lanjut"}],
        "kelengkapan": [0],
        "new_user_id": "siti.dpr",
    }
    refused = _json(client, admin, "post", f"/cases/{case.pk}/decisions", body)
    assert refused.status_code == 400 and "kelengkapan" in refused.json()["problems"]
    body["kelengkapan"] = [0, 1]
    assert _json(client, admin, "post", f"/cases/{case.pk}/decisions", body).status_code == 200
    case.refresh_from_db()
    assert case.status == Status.TRAINING and case.account.user_id == "siti.dpr"
    assert _json(client, admin, "get", f"/cases/{case.pk}").json()["registration"]["letter_number"] == number

    starts = timezone.now() + dt.timedelta(days=1)
    planned = _json(
        client,
        admin,
        "post",
        f"/training/units/{reg.service.unit.kode}/sessions",
        {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
            "place": "Ruang Rapat",
            "online_url": "",
            "capacity": 10,
        },
    )
    assert planned.status_code == 201, planned.content
    session_id = planned.json()["id"]
    registration = Registration.objects.get(case=case)
    invited = _json(
        client, admin, "post", f"/training/sessions/{session_id}/invitations", {"registration_ids": [registration.pk]}
    )
    assert [i["registration_id"] for i in invited.json()["invited"]] == [registration.pk]
    TrainingSession.objects.filter(pk=session_id).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now() + dt.timedelta(hours=2)
    )
    recorded = _json(
        client, admin, "post", f"/training/sessions/{session_id}/attendance", {"present": [registration.pk]}
    )
    assert [a["registration_id"] for a in recorded.json()["activated"]] == [registration.pk]
    case.refresh_from_db()
    assert case.status == Status.DONE and Account.objects.get(pk=case.account_id).is_active
    assert OutboxMessage.objects.get(case=case, template="akun-dibuat").to == "calon@dinas.go.id"
