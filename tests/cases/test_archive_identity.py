"""The sealed archive record carries the unit's identity and the staff's NIPs: the letterhead and
address at the top of the PDF, the unit's contact in its footer, "Nama · NIP" for each step's
actor ("—" without one). Both are a snapshot taken at sealing: the record still verifies after
the unit moves or a NIP is set, and a record sealed before they were held still verifies and
prints."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from loket.cases.archive import archive_pdf, digest, verify_seal
from loket.cases.models import ArchiveRecord
from loket.staff.services import set_staff_nip
from tests.cases.test_archive_record import finished_case, signed_service

pytestmark = pytest.mark.django_db

NIP = "198406102009011002"


def text_of(record: ArchiveRecord) -> str:
    reader = PdfReader(io.BytesIO(archive_pdf(record)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def identified_service():  # type: ignore[no-untyped-def]
    service = signed_service()
    unit = service.unit
    unit.kop = "PEMERINTAH KABUPATEN ARSIP\nUNIT KERJA PENGADAAN BARANG/JASA"
    unit.alamat = "Jl. Arsip Negara No. 7\nKota Arsip 75123"
    unit.telepon = "(0541) 765432"
    unit.surel = "ukpbj@arsipkab.go.id"
    unit.save()
    return service


def test_the_record_prints_the_letterhead_the_contact_and_each_actors_name_and_nip(db):
    service = identified_service()
    set_staff_nip(actor=None, username=service.verifier.get_username(), nip="19840610 200901 1 002")
    case = finished_case(service)
    record = case.archive
    text = text_of(record)
    assert "PEMERINTAH KABUPATEN ARSIP UNIT KERJA PENGADAAN BARANG/JASA Jl. Arsip Negara No. 7 Kota Arsip 75123" in text
    assert "Telp. (0541) 765432 · E-mail ukpbj@arsipkab.go.id" in text  # the page footer
    assert "Jam layanan Senin–Jumat 08.00–16.00 WITA" in text
    assert "Budi Santoso · NIP 19840610 200901 1 002" in text
    assert "NIP · -" not in text
    steps = record.manifest["langkah"]
    assert {s["petugas_nip"] for s in steps if s["petugas"]} == {NIP}
    assert record.manifest["unit"]["identitas"]["alamat"] == ["Jl. Arsip Negara No. 7", "Kota Arsip 75123"]
    assert verify_seal(record)


def test_an_actor_without_a_nip_is_printed_with_a_dash(db):
    record = finished_case(identified_service()).archive
    assert "Budi Santoso · NIP —" in text_of(record)


def test_the_record_keeps_the_identity_it_was_sealed_with_and_still_verifies(db):
    service = identified_service()
    record = finished_case(service).archive
    unit = service.unit
    unit.alamat = "Jl. Baru No. 1"
    unit.save()
    set_staff_nip(actor=None, username=service.verifier.get_username(), nip=NIP)
    out = io.StringIO()
    call_command("archive", "verify", record.case.reference, stdout=out)
    assert "UTUH" in out.getvalue()
    text = text_of(record)
    assert "Jl. Arsip Negara No. 7" in text and "Jl. Baru" not in text
    assert "Budi Santoso · NIP —" in text  # the NIP as sealed (none), not as set later


def test_a_record_sealed_before_identity_and_nips_verifies_and_prints_the_units_identity(db):
    service = identified_service()
    record = finished_case(service).archive
    manifest = record.manifest
    manifest["unit"].pop("identitas")
    for step in manifest["langkah"]:
        step.pop("petugas_nip")
        step.pop("atas_nama_nip")
    ArchiveRecord.objects.filter(pk=record.pk).update(manifest=manifest, sha256=digest(manifest))
    record.refresh_from_db()
    assert verify_seal(record)
    text = text_of(record)
    assert "Jl. Arsip Negara No. 7" in text and "Budi Santoso · NIP —" in text


def test_staff_get_their_nip_from_the_command_and_a_wrong_one_is_refused(installed):
    from django.core.management import CommandError

    from loket.audit.models import AuditEntry
    from loket.staff.models import StaffProfile

    def staff(*args: str) -> str:
        out = io.StringIO()
        call_command("staff", *args, stdout=out, stderr=io.StringIO(), stdin=io.StringIO("Rahasia-uji-123\n"))
        return out.getvalue()

    with pytest.raises(CommandError, match="NIP ditolak: NIP harus 18 angka"):
        staff("add", "kepala-uji", "--unit", "kaltim", "--role", "Kepala LPSE", "--password-stdin", "--nip", "1984")
    assert not StaffProfile.objects.exists()
    staff("add", "kepala-uji", "--unit", "kaltim", "--role", "Kepala LPSE", "--password-stdin", "--nip", NIP)
    assert StaffProfile.objects.get(user__username="kepala-uji").nip == NIP
    assert "NIP kepala-uji: 197205282005021001." in staff("nip", "kepala-uji", "19720528 200502 1 001")
    with pytest.raises(CommandError, match="Angka ke-15 NIP"):
        staff("nip", "kepala-uji", "197205282005023001")
    assert "dikosongkan" in staff("nip", "kepala-uji", "")
    assert StaffProfile.objects.get(user__username="kepala-uji").nip == ""
    entries = AuditEntry.objects.filter(action="staff.nip_set").order_by("id")
    assert [entry.detail["nip"] for entry in entries] == [NIP, "197205282005021001", ""]
