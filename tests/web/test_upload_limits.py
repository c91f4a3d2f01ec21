"""Uploads that carry nothing, through the portal: every sample of the generated corpus
(tests/cases/upload_corpus.py) chosen for a document of the request form, a second file for one
input, control characters in the typed fields and notes, and the size limit the form tells the
browser (checked by web/upload-limit.js, no inline script)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loket.cases.models import Case, Document, Status
from tests.cases.upload_corpus import corpus
from tests.factories import pdf_bytes

from .test_portal import FORM_URL, decide, form_token, request_data, submit, submit_and_read_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(media) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0


def _beside(page: str, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">([^<]*)<', page)
    assert found, field
    return found.group(1)


def test_every_malformed_file_is_refused_beside_its_field_or_stored_clean(client, service, media, settings):
    # Hundreds of requests from one address in one test: the submit throttle is not what this is about.
    settings.LOKET_SUBMIT_LIMIT_PER_SESSION = settings.LOKET_SUBMIT_LIMIT_PER_ADDRESS = 10**6
    samples = corpus()
    token = form_token(client)
    refused = accepted = 0
    for sample in samples:
        cases, documents, stored = Case.objects.count(), Document.objects.count(), _stored_files(media)
        upload = SimpleUploadedFile(sample.name, sample.content, "application/pdf")
        response = client.post(FORM_URL, request_data(service, token, **{"berkas-sk-penunjukan": upload}))
        assert response.status_code in {302, 400}, (sample.label, response.status_code)
        if response.status_code == 400:
            refused += 1
            assert sample.expect != "clean", sample.label
            assert _beside(response.content.decode(), "berkas-sk-penunjukan"), sample.label
            assert (Case.objects.count(), Document.objects.count(), _stored_files(media)) == (
                cases,
                documents,
                stored,
            ), sample.label
            continue
        accepted += 1
        assert sample.expect != "refuse", sample.label
        doc = Document.objects.filter(kode="sk-penunjukan").latest("id")
        content = doc.file.read()
        if sample.marker:
            assert sample.marker not in content, sample.label
        token = form_token(client)  # the submit used it
    assert len(samples) >= 300 and refused > 200 and accepted > 30


def test_a_second_file_for_one_input_is_refused_beside_it(client, service, media):
    files = [SimpleUploadedFile("a.pdf", pdf_bytes()), SimpleUploadedFile("b.pdf", pdf_bytes())]
    response = submit(client, service, **{"berkas-surat-pengajuan": files})
    assert response.status_code == 400
    assert "satu berkas saja" in _beside(response.content.decode(), "berkas-surat-pengajuan")
    assert (Case.objects.count(), Document.objects.count(), _stored_files(media)) == (0, 0, 0)


@pytest.mark.parametrize("field", ["name", "email", "user_id", "nip", "phone"])
@pytest.mark.parametrize("char", ["\x00", "\x08", "\x9b", "\u202e", "\n"])
def test_a_control_character_in_a_typed_field_is_refused_beside_it(client, service, field, char):
    typed = {"name": "Rina Kartika", "email": "rina@example.go.id", "user_id": "pp01", "nip": "1985", "phone": "0811"}
    response = submit(client, service, **{field: typed[field] + char + "x"})
    assert response.status_code == 400
    assert "karakter kontrol" in _beside(response.content.decode(), field)
    assert Case.objects.count() == 0


def test_notes_may_hold_line_breaks_but_no_control_characters(client, service):
    case, code = submit_and_read_code(client, service)
    decide(case, service.verifier, [(2, "tidak", "")], missing=["sk-penunjukan"])
    url = reverse("portal:supply", args=[case.reference])
    sk = SimpleUploadedFile("sk.pdf", pdf_bytes())
    response = client.post(url, {"code": code, "note": "sudah\x00", "berkas-sk-penunjukan": sk})
    assert response.status_code == 400 and "karakter kontrol" in _beside(response.content.decode(), "note")
    sk = SimpleUploadedFile("sk.pdf", pdf_bytes())
    response = client.post(url, {"code": code, "note": "baris satu\r\nbaris\tdua", "berkas-sk-penunjukan": sk})
    assert response.status_code == 302
    withdraw = reverse("portal:withdraw", args=[case.reference])
    response = client.post(withdraw, {"code": code, "reason": "batal\x00"})
    assert response.status_code == 400 and "karakter kontrol" in _beside(response.content.decode(), "reason")
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_the_form_tells_the_browser_the_limit_and_loads_the_check_as_a_file(client, service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 2_000_000
    page = client.get(FORM_URL).content.decode()
    for name in ("berkas-surat-pengajuan", "berkas-sk-penunjukan"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag and 'data-max-bytes="2000000"' in tag.group(0)
        message = re.search(r'data-too-large="([^"]*)"', tag.group(0))
        assert message and "{name}" in message.group(1) and "{size}" in message.group(1)
        assert "paling besar 1,9\xa0MB" in message.group(1)  # as the hint says it (filesizeformat)
    assert re.search(r'<script src="[^"]*web/upload-limit\.js" defer></script>', page)
    # No inline script or inline handler in the form (a CSP of script-src 'self' is coming).
    content = page[page.index("<main>") :]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content)
    assert not re.search(r"\son[a-z]+=", content)


def test_the_status_page_s_supply_form_checks_the_limit_too(client, service):
    case, code = submit_and_read_code(client, service)
    decide(case, service.verifier, [(2, "tidak", "")], missing=["sk-penunjukan"])
    client.post(reverse("portal:status"), {"code": code})
    page = client.get(reverse("portal:status_case", args=[case.reference])).content.decode()
    tag = re.search(r'<input[^>]*name="berkas-sk-penunjukan"[^>]*>', page)
    assert tag and "data-max-bytes" in tag.group(0)
    assert "web/upload-limit.js" in page


def test_an_oversized_file_is_refused_with_its_real_size(client, service, settings, media):
    settings.LOKET_UPLOAD_MAX_BYTES = 1_000_000
    big = SimpleUploadedFile("besar.pdf", pdf_bytes() + b"\0" * 3_000_000)
    response = submit(client, service, **{"berkas-surat-pengajuan": big})
    assert response.status_code == 400
    assert "terlalu besar (2,9\xa0MB); paling besar 976,6\xa0KB" in _beside(
        response.content.decode(), "berkas-surat-pengajuan"
    )
    assert (Case.objects.count(), _stored_files(media)) == (0, 0)
