"""Fixtures and helpers for the API tests: uploads kept in a temporary folder, tokens for the
personas, and small wrappers around the Django test client.

`tokens` are for the built-in SOPs' personas (`people`), used by the runs over each built-in reset
SOP; `service_tokens` for the test SOP's (`service`, `other_service`: tests/sop_factory.py), used by
every test that is not about a built-in SOP."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.staff.services import create_api_token
from tests.factories import pdf_bytes, png_bytes
from tests.sop_factory import STRANGERS, Service, other_service, service, strangers

__all__ = ["other_service", "service"]  # fixtures, registered here for the API tests

API = "/api/v1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded documents land here, so a test can see whether anything was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def tokens(people):
    """A live API token for each staff persona, by attribute name of `people`."""
    names = ["aa_pupr", "aa_dinkes", "aa_magelang", "aa_sbt", "kkp_helpdesk", "kkp_admin_ppe", "outsider_staff"]
    return {name: create_api_token(actor=None, user=getattr(people, name))[1] for name in names}


@pytest.fixture
def service_tokens(service, other_service):
    """A live API token for the test SOP's verifier ("verifier") and for each of STRANGERS."""
    users = {"verifier": service.verifier, **strangers(service, other_service)}
    assert set(users) == {"verifier", *STRANGERS}
    return {name: create_api_token(actor=None, user=user)[1] for name, user in users.items()}


def service_documents(service: Service, **overrides: Any) -> dict[str, Any]:
    """One good file part per document of the test SOP, named by its kode; an override replaces
    a part (None leaves it out) or adds one."""
    parts: dict[str, Any] = {
        kode: SimpleUploadedFile(name, content, "image/png" if name.endswith(".png") else "application/pdf")
        for kode, name, content in service.files()
    }
    parts.update(overrides)
    return {k: v for k, v in parts.items() if v is not None}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def documents(**overrides: Any) -> dict[str, Any]:
    """The two documents every reset SOP asks for, as file parts named by their kode."""
    parts: dict[str, Any] = {
        "surat-permohonan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
        "sk-pengangkatan": SimpleUploadedFile("sk.png", png_bytes(), "image/png"),
    }
    parts.update(overrides)
    return {k: v for k, v in parts.items() if v is not None}


def submit(client, unit_kode: str, service_kode: str, account, *, files: dict[str, Any] | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    """POST /requests as the holder of `account` would, with `fields` overriding the form."""
    data: dict[str, Any] = {
        "unit": unit_kode,
        "service": service_kode,
        "need": "password",
        "name": account.name,
        "email": "pemohon.baru@gmail.com",
        "user_id": account.user_id,
        "agency": account.agency_id,
    }
    data.update(fields)
    data.update(documents() if files is None else files)
    return client.post(f"{API}/requests", data=data)


def decide(
    client, token: str, case_id: int, answers: list[tuple[int, str, str]], *, version: int | None = None, **extra: Any
):  # type: ignore[no-untyped-def]
    """Answer steps as the token's user; reads the case's version first unless one is given."""
    if version is None:
        version = client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json()["version"]
    if "kelengkapan" not in extra:
        from loket.cases.models import Case
        from tests.cases.test_services import ticked_all

        extra["kelengkapan"] = ticked_all(Case.objects.get(pk=case_id), answers)
    body = {"version": version, "answers": [{"step": s, "answer": a, "note": n} for s, a, n in answers], **extra}
    return client.post(
        f"{API}/cases/{case_id}/decisions", data=body, content_type="application/json", headers=bearer(token)
    )
