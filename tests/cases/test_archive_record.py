"""The sealed archive record as an office files it (cases.archive): the PDF reads as an official
record, with labels instead of codes, each step's activity, local times with the zone's name,
the documents with their SOP names and hashes, and the approver's signature block; a record
sealed before the manifest's format 2 still verifies and prints."""

from __future__ import annotations

import io
import os
import re

import pytest
from pypdf import PdfReader

from loket.cases.archive import archive_pdf, digest, verify_seal
from loket.cases.models import ArchiveRecord, Case, StepRun
from tests.cases.test_services import answer_run
from tests.sop_factory import make_service, reset_sop, submit

pytestmark = pytest.mark.django_db

SIGNER = """tanggal:
  pengesahan: 2026-01-05
disahkan_oleh:
  jabatan: "Kepala UKPBJ Kabupaten Arsip"
  nama: "Dra. Sri Wahyuni, M.Si."
  nip: "197001011995032001"
"""

ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def signed_service(zona_waktu: str = "WITA"):  # type: ignore[no-untyped-def]
    """A unit `arsip` whose SOP names its approver."""
    text = reset_sop(kode="arsip-pulih-akun", unit="arsip") + SIGNER
    return make_service(unit="arsip", kode="arsip-pulih-akun", zona_waktu=zona_waktu, text=text)


def finished_case(service) -> Case:  # type: ignore[no-untyped-def]
    verifier = service.verifier
    verifier.first_name, verifier.last_name = "Budi", "Santoso"
    verifier.save(update_fields=["first_name", "last_name"])
    case = submit(service).case
    answer_run(case, verifier, [(2, "ya", ""), (5, "ya", "cocok dengan direktori")])
    case.refresh_from_db()
    return case


def pdf_text(record: ArchiveRecord) -> str:
    data = archive_pdf(record)
    if os.environ.get("LOKET_SHOT_PDF"):
        with open(os.environ["LOKET_SHOT_PDF"], "wb") as fh:
            fh.write(data)
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_record_reads_as_an_official_record():
    service = signed_service()
    case = finished_case(service)
    record = case.archive
    text = flat(pdf_text(record))

    # The letterhead and the labels, never the codes.
    assert service.unit.nama.upper() in text
    assert "selesai" in text and "Status: done" not in text and " done" not in text
    assert "formulir web" in text and "Kanal: web" not in text
    assert "password baru (beserta user ID)" in text
    # Each step's activity (the SOP's uraian), never the action code.
    for no in (2, 5, 8):
        assert flat(service.sop.step(no).uraian) in text
    assert "periksa-kelengkapan" not in text and "beri-tahu-hasil" not in text
    # The staff member by full name; the system's steps on their authority.
    assert "Budi Santoso" in text and "a.n. Budi Santoso" in text
    # Local times with the zone's name, Indonesian dates, no ISO UTC time.
    assert "WITA" in text and not ISO_UTC.search(text) and "UTC" not in text
    months = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    assert re.search(rf"\d{{1,2}} ({months}) \d{{4}} \d{{2}}\.\d{{2}} WITA", text)
    # The documents by their SOP names, with hashes and human sizes.
    raw = pdf_text(record).replace("\n", "")
    for doc in case.documents.all():
        assert flat(service.sop.berkas[[b.kode for b in service.sop.berkas].index(doc.kode)].nama) in text
        assert doc.sha256 in raw
    assert re.search(r"\d+([,.]\d)? (bita|bytes|byte|KB)", text)
    # The signature block.
    assert "Mengetahui," in text
    assert "Kepala UKPBJ Kabupaten Arsip" in text
    assert "Dra. Sri Wahyuni, M.Si." in text and "NIP 197001011995032001" in text
    assert record.sha256 in raw


def test_a_step_over_its_standard_is_marked():
    service = signed_service(zona_waktu="WIT")
    case = finished_case(service)
    run = case.steps.get(step=2)
    StepRun.objects.filter(pk=run.pk).update(working_minutes=(run.standard_minutes or 0) + 7)
    from loket.cases.archive import seal_case

    record = seal_case(case)
    text = flat(pdf_text(record))
    assert "lewat 7 menit" in text and "1 langkah melebihi mutu bakunya" in text
    assert "WIT" in text and "WITA" not in text


def test_without_an_approver_the_block_leaves_room_to_write_one_in(service):
    case = finished_case(service)
    text = flat(pdf_text(case.archive))
    assert "Mengetahui," in text and "NIP ...." in text


def test_a_record_sealed_in_the_old_format_still_verifies_and_prints(service):
    case = finished_case(service)
    record = case.archive
    old = dict(record.manifest)
    old.pop("format")
    old["unit"] = {k: v for k, v in old["unit"].items() if k != "zona_waktu"}
    old["sop"] = {k: v for k, v in old["sop"].items() if k not in {"nama", "disahkan_oleh"}}
    old["berkas"] = [{k: v for k, v in d.items() if k != "nama_jenis"} for d in old["berkas"]]
    drop = {"uraian", "petugas_nama", "atas_nama_nama"}
    old["langkah"] = [{k: v for k, v in s.items() if k not in drop} for s in old["langkah"]]
    ArchiveRecord.objects.filter(pk=record.pk).update(manifest=old, sha256=digest(old))
    record.refresh_from_db()
    assert verify_seal(record)
    text = flat(pdf_text(record))
    assert flat(service.sop.step(2).uraian) in text and "Budi Santoso" in text and "format lama" in text
    assert "WITA" in text and not ISO_UTC.search(text)


def test_a_registration_record_names_the_reply_letter_and_shows_local_times(db):
    from loket.registration import services as registration_services
    from loket.registration.models import Registration
    from tests.registration.conftest import Registering
    from tests.registration.sop import registration_sop
    from tests.registration.test_flow import _start_session

    reg = Registering(make_service(text=registration_sop(), accounts=False))
    case = reg.to_training(reg.submit())
    registration = Registration.objects.get(case=case)
    session = reg.session()
    registration_services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    _start_session(session)
    registration_services.record_attendance(session_id=session.pk, present_ids=[registration.pk], actor=reg.admin)
    case.refresh_from_db()
    assert verify_seal(case.archive)
    text = flat(pdf_text(case.archive))
    assert "Surat jawaban (dibuat Loket)" in text and "Daftar hadir pelatihan" in text
    assert "hadir" in text and "present" not in text
    assert not ISO_UTC.search(text)
