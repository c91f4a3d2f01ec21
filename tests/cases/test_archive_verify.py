"""Verifying a sealed archive record (cases.archive_verify): the one check behind
`loket archive verify REF` and the console's "Periksa segel arsip" page. It says intact for an
untouched case, names the document whose stored bytes changed, names the field whose sealed
value changed in the database (the record itself or the case's data), and exits 0 / 1 / 2."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from loket.audit.models import AuditEntry
from loket.cases.archive_verify import verify_archive
from loket.cases.models import ArchiveRecord, Case, StepRun
from tests.cases.test_services import answer_run
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """Files of these tests are changed on disk: in a directory of their own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def finished(service) -> Case:  # type: ignore[no-untyped-def]
    case = submit(service).case
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
    case.refresh_from_db()
    assert hasattr(case, "archive")
    return case


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("archive", "verify", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def sop_name(service, kode: str) -> str:  # type: ignore[no-untyped-def]
    return next(b.nama for b in service.sop.berkas if b.kode == kode)


def test_an_untouched_case_is_intact(service):
    case = finished(service)
    verdict = verify_archive(case=case, actor=service.verifier)
    assert (verdict.state, verdict.exit_code, verdict.findings()) == ("intact", 0, [])
    assert [d.state for d in verdict.documents] == ["utuh", "utuh"]
    code, out = run(case.reference)
    assert code == 0
    assert f"Arsip {case.reference} UTUH" in out and case.archive.sha256 in out
    code, out = run(case.reference, "--json")
    data = json.loads(out)
    assert (code, data["state"], data["intact"], data["findings"]) == (0, "intact", True, [])
    assert data["sha256"] == data["computed_sha256"] == case.archive.sha256
    # Every check is on record, with its outcome.
    entries = AuditEntry.objects.filter(case=case, action="archive.verified").order_by("id")
    assert [e.detail["state"] for e in entries] == ["intact"] * 3
    assert entries[0].actor == service.verifier


def test_a_stored_file_changed_on_disk_is_named(service):
    case = finished(service)
    doc = case.documents.get(kode="sk-penunjukan")
    with open(doc.file.path, "ab") as fh:
        fh.write(b"diubah")
    verdict = verify_archive(case=case)
    assert verdict.state == "changed" and verdict.seal_ok
    assert [(d.kode, d.state) for d in verdict.changed_documents] == [("sk-penunjukan", "berubah")]
    code, out = run(case.reference)
    assert code == 1
    assert f"Arsip {case.reference} BERUBAH" in out
    assert f"Berkas {sop_name(service, 'sk-penunjukan')} (sk-penunjukan.png) BERUBAH" in out
    assert sop_name(service, "surat-pengajuan") in out  # the other one is listed as intact
    data = json.loads(run(case.reference, "--json")[1])
    assert [d["state"] for d in data["documents"]] == ["utuh", "berubah"]


def test_a_stored_file_gone_is_named(service):
    case = finished(service)
    doc = case.documents.get(kode="surat-pengajuan")
    doc.file.storage.delete(doc.file.name)
    code, out = run(case.reference)
    assert code == 1
    assert f"Berkas {sop_name(service, 'surat-pengajuan')} (surat-pengajuan.pdf) tidak ditemukan lagi" in out


def test_a_step_changed_in_the_database_after_sealing_is_named(service):
    case = finished(service)
    StepRun.objects.filter(case=case, step=5).update(note="diubah belakangan")
    verdict = verify_archive(case=case)
    assert verdict.state == "changed" and verdict.seal_ok and not verdict.changed_documents
    assert [(f.path, f.sealed, f.current) for f in verdict.fields] == [
        ("langkah[2].catatan", "cocok", "diubah belakangan")
    ]
    code, out = run(case.reference)
    assert code == 1
    assert "Langkah 5 (baris 3) · catatan berubah: disegel «cocok», sekarang «diubah belakangan»." in out


def test_the_requester_changed_in_the_database_after_sealing_is_named(service):
    case = finished(service)
    Case.objects.filter(pk=case.pk).update(requester_email="lain@contoh.id")
    code, out = run(case.reference)
    assert code == 1
    assert "pemohon · email berubah: disegel «pemohon.baru@gmail.com», sekarang «lain@contoh.id»." in out


def test_the_sealed_record_edited_breaks_the_seal_and_names_the_field(service):
    case = finished(service)
    record = case.archive
    manifest = record.manifest
    manifest["langkah"][1]["jawaban"] = "tidak"
    ArchiveRecord.objects.filter(pk=record.pk).update(manifest=manifest)
    verdict = verify_archive(case=case)
    assert verdict.state == "changed" and not verdict.seal_ok
    assert [(f.path, f.sealed, f.current) for f in verdict.fields] == [("langkah[1].jawaban", "tidak", "ya")]
    code, out = run(case.reference)
    assert code == 1
    assert "Segel tidak cocok: isi catatan arsip di basis data telah diubah" in out
    assert "Langkah 2 (baris 2) · jawaban berubah" in out


def test_a_case_not_sealed_or_not_found_exits_2(service):
    open_case = submit(service).case
    code, out = run(open_case.reference)
    assert code == 2 and f"Permohonan {open_case.reference} belum diarsipkan" in out
    code, out = run("UJI-2026-999999")
    assert code == 2 and "Permohonan UJI-2026-999999 tidak ditemukan." in out
    assert json.loads(run("UJI-2026-999999", "--json")[1])["state"] == "not_found"


def test_the_console_page_shows_the_verdict(service):
    case = finished(service)
    client = Client()
    client.force_login(service.verifier)
    url = reverse("console:archive_verify", args=[case.pk])
    body = client.get(url).content.decode()
    assert f"Arsip {case.reference} UTUH" in body and case.archive.sha256 in body
    # The case page links to it beside the PDF.
    assert url in client.get(reverse("console:case", args=[case.pk])).content.decode()

    doc = case.documents.get(kode="surat-pengajuan")
    with open(doc.file.path, "wb") as fh:
        fh.write(b"%PDF-1.4 lain")
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Arsip {case.reference} BERUBAH" in body
    assert f"Berkas {sop_name(service, 'surat-pengajuan')} (surat-pengajuan.pdf) BERUBAH" in body


def test_the_page_of_a_case_not_sealed_says_so(service):
    case = submit(service).case
    client = Client()
    client.force_login(service.verifier)
    body = client.get(reverse("console:archive_verify", args=[case.pk])).content.decode()
    assert f"Permohonan {case.reference} belum diarsipkan" in body


def test_staff_of_another_unit_get_404(service, other_service):
    case = finished(service)
    client = Client()
    client.force_login(other_service.verifier)
    response = client.get(reverse("console:archive_verify", args=[case.pk]))
    assert response.status_code == 404
    assert case.reference not in response.content.decode()
    assert not AuditEntry.objects.filter(case=case, action="archive.verified").exists()
