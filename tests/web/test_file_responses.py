"""Documents handed to nginx (LOKET_ACCEL_REDIRECT) or streamed by Django, after the same checks.

The response through a real nginx is tested in tests/operations/test_nginx_proxy.py; here: what
Django answers, with the setting on and off."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.sop_factory import submit

pytestmark = pytest.mark.django_db


def test_with_the_setting_the_document_is_named_for_nginx_after_the_checks(client, service, other_service, settings):
    settings.LOKET_ACCEL_REDIRECT = "/_berkas/"
    case = submit(service).case
    doc = case.documents.get(kode="surat-pengajuan")
    client.force_login(service.verifier)
    response = client.get(reverse("console:document", args=[case.pk, doc.pk]))
    assert response.status_code == 200 and response.content == b""
    target = response["X-Accel-Redirect"]
    assert target.startswith("/_berkas/")
    # the path nginx will read under its alias is the stored file itself
    with default_storage.open(unquote(target.removeprefix("/_berkas/")), "rb") as stored:
        assert stored.read() == doc.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    # a staff member of another unit gets no redirect to the file
    client.force_login(other_service.verifier)
    refused = client.get(reverse("console:document", args=[case.pk, doc.pk]))
    assert refused.status_code in (403, 404) and "X-Accel-Redirect" not in refused


def test_without_the_setting_django_streams_the_bytes(client, service, settings):
    settings.LOKET_ACCEL_REDIRECT = ""
    case = submit(service).case
    doc = case.documents.get(kode="surat-pengajuan")
    client.force_login(service.verifier)
    response = client.get(reverse("console:document", args=[case.pk, doc.pk]))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == doc.file.open("rb").read()
