"""Uploads that carry nothing, through the API: every sample of the generated corpus
(tests/cases/upload_corpus.py: truncations, bit flips, polyglots, wrong headers, pixel bombs,
active and encrypted PDFs, empty files, control characters in names) handed in as one document
of a request; bodies Django itself refuses to read; more files than a request may carry; control
characters in the form fields. Never a 5xx, every refusal in the API's JSON shape, nothing
accepted that should not be, nothing half-saved."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from loket.cases.models import Case, Document
from loket.cases.uploads import MAX_PIXELS, check_file
from tests.cases.upload_corpus import corpus
from tests.factories import pdf_bytes

from .conftest import API, service_documents, submit

pytestmark = pytest.mark.django_db


def _stored_files(media) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0


def _send(client: Client, to, **fields):  # type: ignore[no-untyped-def]
    """POST /requests to the test SOP `to`; `fields` override the form (`unit`, `service` too)."""
    files = fields.pop("files", None)
    files = service_documents(to) if files is None else files
    unit, kode = fields.pop("unit", to.unit.kode), fields.pop("service", to.kode)
    return submit(client, unit, kode, to.account, files=files, **fields)


def _refusal(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "problems"} and body["detail"]
    return body


def test_every_malformed_file_is_refused_or_stored_clean_and_nothing_is_half_saved(client, service, media, settings):
    # Hundreds of requests from one address in one test: the submit throttle is not what this is about.
    settings.LOKET_SUBMIT_LIMIT_PER_SESSION = settings.LOKET_SUBMIT_LIMIT_PER_ADDRESS = 10**6
    samples = corpus()
    assert len(samples) >= 300
    refused = accepted = 0
    for sample in samples:
        cases, documents, stored = Case.objects.count(), Document.objects.count(), _stored_files(media)
        upload = SimpleUploadedFile(sample.name, sample.content, "application/pdf")
        response = _send(client, service, files=service_documents(service, **{"surat-pengajuan": upload}))
        assert response.status_code < 500, sample.label
        if response.status_code == 400:
            refused += 1
            body = _refusal(response)
            assert body["problems"].get("surat-pengajuan"), (sample.label, body)
            assert sample.expect != "clean", (sample.label, body)
            # Nothing half-saved: no case, no document row, no file.
            assert (Case.objects.count(), Document.objects.count(), _stored_files(media)) == (
                cases,
                documents,
                stored,
            ), sample.label
            continue
        assert response.status_code == 201, (sample.label, response.content[:300])
        accepted += 1
        assert sample.expect != "refuse", sample.label
        case = Case.objects.get(reference=response.json()["reference"])
        doc = case.documents.get(kode="surat-pengajuan")
        content = doc.file.read()
        assert hashlib.sha256(content).hexdigest() == doc.sha256 and doc.size == len(content)
        assert "\x00" not in doc.original_name and "/" not in doc.original_name and len(doc.original_name) <= 255
        if sample.marker:
            assert sample.marker not in content, sample.label
        # What is stored passes the checks again, and a PNG is stored as Pillow writes it (a
        # JPEG is re-encoded lossily, so a second pass differs in its bits).
        again = check_file(kode="x", name=doc.original_name, content=content)
        assert not isinstance(again, str), (sample.label, again)
        if doc.content_type == "image/png":
            assert again.content == content, sample.label
    assert refused > 200 and accepted > 30


def test_a_polyglot_image_is_stored_re_encoded_with_the_hash_of_what_is_stored(client, service, media):
    picture = io.BytesIO()
    Image.new("RGB", (80, 60), "navy").save(picture, format="PNG")
    polyglot = picture.getvalue() + b"PK\x03\x04" + b"<script>alert(1)</script>" * 10
    upload = SimpleUploadedFile("sk.png", polyglot, "image/png")
    response = _send(client, service, files=service_documents(service, **{"sk-penunjukan": upload}))
    assert response.status_code == 201
    doc = Document.objects.get(kode="sk-penunjukan")
    content = doc.file.read()
    assert b"<script>" not in content and b"PK\x03\x04" not in content
    assert doc.sha256 == hashlib.sha256(content).hexdigest() != hashlib.sha256(polyglot).hexdigest()
    assert Image.open(io.BytesIO(content)).size == (80, 60)


@pytest.mark.parametrize(("width", "height"), [(14_000, 12_000), (1, 100_000_000)])
def test_a_pixel_bomb_is_refused_beside_its_field(client, service, width, height):
    from tests.cases.upload_corpus import png_with_size

    assert width * height > MAX_PIXELS
    upload = SimpleUploadedFile("sk.png", png_with_size(width, height), "image/png")
    body = _refusal(_send(client, service, files=service_documents(service, **{"sk-penunjukan": upload})))
    assert "megapiksel" in body["problems"]["sk-penunjukan"]
    assert Case.objects.count() == 0


def test_two_files_under_one_kode_are_refused_beside_it(client, service):
    first = SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")
    second = SimpleUploadedFile("b.pdf", pdf_bytes(), "application/pdf")
    files = service_documents(service, **{"surat-pengajuan": [first, second]})
    body = _refusal(_send(client, service, files=files))
    assert "satu berkas saja" in body["problems"]["surat-pengajuan"]
    assert Case.objects.count() == 0 and Document.objects.count() == 0


def test_more_files_than_the_sop_has_documents_are_refused(client, service, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 100  # Django's own default: the app's limits alone
    extra = {f"lampiran-{i}": SimpleUploadedFile(f"{i}.pdf", pdf_bytes(), "application/pdf") for i in range(30)}
    body = _refusal(_send(client, service, files=service_documents(service, **extra)))
    assert "paling banyak 2 berkas" in body["problems"]["files"]
    assert "tidak diminta" in body["problems"]["lampiran-0"]
    assert "tidak diminta" in body["problems"]["lampiran-29"]  # past MAX_FILES_READ: named, not read
    assert Case.objects.count() == 0


def test_a_request_with_more_files_than_django_takes_is_refused_in_the_api_s_shape(client, service):
    """DATA_UPLOAD_MAX_NUMBER_FILES (20) stops a request before anything is buffered past it."""
    extra = {f"lampiran-{i}": SimpleUploadedFile(f"{i}.pdf", pdf_bytes(), "application/pdf") for i in range(30)}
    response = _send(client, service, files=service_documents(service, **extra))
    assert response.status_code == 400
    assert "Terlalu banyak berkas dalam satu permintaan (paling banyak 20)" in response.json()["detail"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "email", "user_id", "nip", "phone", "service", "unit", "need"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\u202e"])
def test_a_control_character_in_a_field_is_refused_beside_it(client, service, field, char):
    value = {"name": "Rina", "email": "rina@example.go.id", "user_id": "pp01", "nip": "1985", "phone": "0811"}
    fields = {field: value.get(field, field) + char}
    if field in {"service", "unit"}:
        fields[field] = (service.kode if field == "service" else service.unit.kode) + char
    body = _refusal(_send(client, service, **fields))
    assert "karakter kontrol" in body["problems"][field]
    assert Case.objects.count() == 0


def test_a_note_may_hold_line_breaks_but_no_nul(client, service, service_tokens):
    from .conftest import decide

    made = _send(client, service).json()
    case = Case.objects.get(reference=made["reference"])
    decide(client, service_tokens["verifier"], case.pk, [(2, "tidak", "")], missing=["sk-penunjukan"])
    url = f"{API}/requests/{made['tracking_code']}/documents"
    sk = {"sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")}
    body = _refusal(client.post(url, {"note": "sudah\x00", **sk}))
    assert "karakter kontrol" in body["problems"]["note"]
    sk = {"sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")}
    assert client.post(url, {"note": "baris satu\r\nbaris\tdua", **sk}).status_code == 200


# -- bodies Django refuses to read ------------------------------------------------------------------


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "xYzZy") -> bytes:
    out = io.BytesIO()
    for name, filename, content in parts:
        out.write(f"--{boundary}\r\n".encode())
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"Content-Disposition: {disposition}\r\n".encode())
        if filename:
            out.write(b"Content-Type: application/pdf\r\n")
        out.write(b"\r\n" + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


def _raw_post(client: Client, body: bytes, boundary: str = "xYzZy"):  # type: ignore[no-untyped-def]
    return client.generic("POST", f"{API}/requests", body, content_type=f"multipart/form-data; boundary={boundary}")


def test_django_s_own_refusals_of_a_body_answer_in_the_api_shape(client, service, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    fields = [("unit", None, b"uji"), ("service", None, b"uji-pulih-akun"), ("need", None, b"password")]
    too_many_files = [(f"f{i}", f"{i}.pdf", b"%PDF-1.7") for i in range(6)]
    body = _refusal(_raw_post(client, _multipart(fields + too_many_files)))
    assert "Terlalu banyak berkas" in body["detail"]
    too_many_fields = [(f"x{i}", None, b"1") for i in range(25)]
    assert "Terlalu banyak isian" in _refusal(_raw_post(client, _multipart(fields + too_many_fields)))["detail"]
    long_header = b'--xYzZy\r\nContent-Disposition: form-data; name="' + b"a" * 5000 + b'"\r\n\r\nx\r\n--xYzZy--\r\n'
    assert "tidak dapat dibaca" in _refusal(_raw_post(client, long_header))["detail"]
    assert "tidak dapat dibaca" in _refusal(_raw_post(client, b"garbage", boundary=""))["detail"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big_field = [("name", None, b"a" * 5000)]
    assert "terlalu besar" in _refusal(_raw_post(client, _multipart(fields + big_field)))["detail"]
    assert Case.objects.count() == 0
