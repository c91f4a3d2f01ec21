"""Sealing a finished file into the archive, and printing the sealed record as PDF.

The manifest holds the SOP (kode, versi, SHA-256, nama, who signed it off), the request as typed,
every document with its SOP name and the SHA-256 of the stored bytes (re-read at sealing, so a
file changed on disk shows), every step with its activity text (the SOP's `uraian`), lane, actor
(username, and the full name and NIP at sealing), times, time standard, answer and note, and the
unit's name, time zone and identity at sealing (letterhead, address, contact, opening hours:
`units.services.unit_identity`; a record sealed before it held one prints the unit's identity
as it is now). The record's own SHA-256 is over the canonical JSON of the manifest; nothing
the PDF shows as the record's content comes from outside it, except the labels of codes (a
status, a channel) and, for records sealed before format 2, what format 1 did not hold, read from
the case's pinned SOP version and its users (see `_fallbacks`). `loket.cases.archive_verify`
re-computes the seal, every document's hash, and compares the record with the database.

The PDF is an official record an office files: its text is Indonesian, as the SOP document's is,
whatever language the staff member reads the console in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone, translation

from loket.sop.render.document import tanggal
from loket.units.services import UnitIdentity, unit_identity, zone_label

from .models import ArchiveRecord, Case, Channel, Need, Status, StepRun

# The manifest's shape: 1 had no `format` key (no activity texts, names or zone); 2 adds them.
FORMAT = 2

ANSWER_LABELS = {"ya": "Ya", "tidak": "Tidak", "lanjut": "Dikerjakan"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _user(user: Any) -> str | None:
    return user.get_username() if user else None


def _full_name(user: Any) -> str | None:
    """The user's full name, else the username."""
    if not user:
        return None
    return user.get_full_name().strip() or user.get_username()


def _nip(user: Any) -> str | None:
    """The staff member's NIP (staff.StaffProfile, read with the steps), None when they have none."""
    if not user:
        return None
    try:
        return user.staff_profile.nip or None
    except ObjectDoesNotExist:
        return None


def _sealed_identity(unit: Any) -> dict[str, Any]:
    """The unit's identity as the record seals it, in Indonesian (a derived opening hours text is
    worded in the language active; the record's is Indonesian whoever's request sealed it)."""
    with translation.override("id"):
        return unit_identity(unit).as_manifest()


def file_sha256(doc: Any) -> str | None:
    """The SHA-256 of a document's stored bytes, or None when the file cannot be read."""
    try:
        with doc.file.open("rb") as fh:
            digest_ = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                digest_.update(chunk)
            return digest_.hexdigest()
    except (OSError, ValueError):
        return None


def document_names(sop: Any) -> dict[str, str]:
    """The name of each kind of document a case of `sop` may hold: the SOP's berkas, and the
    reply letter Loket writes for a registration (not an SOP berkas)."""
    from loket.registration.effects import REPLY_LETTER

    return {REPLY_LETTER: "Surat jawaban (dibuat Loket)", **{b.kode: b.nama for b in sop.berkas}}


def build_manifest(case: Case, *, missing_ok: bool = False) -> dict[str, Any]:
    """The manifest of `case` as its data stands now. A document whose file cannot be read
    raises, unless `missing_ok` (verification), where its hash is None."""
    from loket.catalog.selectors import parsed

    sop = parsed(case.sop)
    berkas_names = document_names(sop)
    documents = []
    for doc in case.documents.order_by("uploaded_at", "id"):
        actual = file_sha256(doc)
        if actual is None and not missing_ok:
            raise FileNotFoundError(doc.file.name)
        documents.append(
            {
                "kode": doc.kode,
                "nama_jenis": berkas_names.get(doc.kode, doc.kode),
                "nama_berkas": doc.original_name,
                "jenis": doc.content_type,
                "ukuran": doc.size,
                "sha256": actual,
                "utuh": actual == doc.sha256,
                "diunggah": _iso(doc.uploaded_at),
                "langkah": doc.step,
            }
        )
    uraian = {k.no: k.uraian for k in sop.kegiatan}
    steps = [
        {
            "langkah": run.step,
            "aksi": run.aksi,
            "uraian": uraian.get(run.step, ""),
            "pelaksana": run.lane,
            "oleh": run.by,
            "petugas": _user(run.actor),
            "petugas_nama": _full_name(run.actor),
            "petugas_nip": _nip(run.actor),
            "atas_nama": _user(run.on_behalf_of),
            "atas_nama_nama": _full_name(run.on_behalf_of),
            "atas_nama_nip": _nip(run.on_behalf_of),
            "mulai": _iso(run.started_at),
            "tenggat": _iso(run.due_at),
            "selesai": _iso(run.finished_at),
            "mutu_baku_menit": run.standard_minutes,
            "menit_kerja": run.working_minutes,
            "jawaban": run.answer,
            "catatan": run.note,
        }
        for run in case.steps.select_related("actor__staff_profile", "on_behalf_of__staff_profile").order_by("id")
    ]
    from loket.registration.archive import manifest_part

    registration = manifest_part(case, _iso)
    signer = sop.disahkan_oleh
    return {
        "format": FORMAT,
        **({"registrasi": registration} if registration is not None else {}),
        "nomor_registrasi": case.reference,
        "unit": {
            "kode": case.unit.kode,
            "nama": case.unit.nama,
            "zona_waktu": case.unit.zona_waktu,
            "identitas": _sealed_identity(case.unit),
        },
        "sop": {
            "kode": case.sop.kode,
            "versi": case.sop.versi,
            "nomor": case.sop.nomor,
            "sha256": case.sop.sha256,
            "nama": sop.nama,
            "disahkan_oleh": (
                {"jabatan": signer.jabatan, "nama": signer.nama, "nip": signer.nip} if signer is not None else None
            ),
        },
        "kanal": case.channel,
        "kebutuhan": case.need,
        "pemohon": {
            "nama": case.requester_name,
            "user_id": case.requester_user_id,
            "nip": case.requester_nip,
            "email": case.requester_email,
            "telepon": case.requester_phone,
        },
        "akun": case.account.user_id if case.account_id and case.account else None,
        "konfirmasi_telepon": case.phone_confirmation,
        "diajukan": _iso(case.created_at),
        "status": case.status,
        "berkas": documents,
        "langkah": steps,
    }


def digest(manifest: dict[str, Any]) -> str:
    canonical = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_case(case: Case) -> ArchiveRecord:
    """Write (or rewrite, if the same answer sealed twice) the sealed record of `case`."""
    manifest = build_manifest(case)
    record = ArchiveRecord(case=case, sealed_at=timezone.now(), manifest=manifest, sha256=digest(manifest))
    # One statement (INSERT ... ON CONFLICT DO UPDATE) on both databases; the caller holds the
    # case's row lock, so nobody seals it meanwhile.
    ArchiveRecord.objects.bulk_create(
        [record], update_conflicts=True, unique_fields=["case"], update_fields=["sealed_at", "manifest", "sha256"]
    )
    return record


def verify_seal(record: ArchiveRecord) -> bool:
    """The record is intact: its manifest unchanged, every document on disk still has its
    sealed SHA-256, and the case's data still reads as sealed (archive_verify)."""
    from .archive_verify import check_record

    return check_record(record).intact


# -- the record as printed ------------------------------------------------------------------------


def local_time(value: str | dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """A sealed moment as the office reads it: 2 Desember 2026 13.31 WITA."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    shown = moment.astimezone(zone)
    return f"{tanggal(shown.date())} {shown:%H.%M} {zone_label(zone, moment)}"


def local_parts(value: str | dt.datetime | None, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """The same moment as (date, time with the zone's name), for a narrow table column."""
    words = local_time(value, zone).split(" ")
    return " ".join(words[:3]), " ".join(words[3:])


def _date(value: str | None) -> str:
    return tanggal(dt.date.fromisoformat(value[:10])) if value else ""


def _fallbacks(record: ArchiveRecord) -> dict[str, Any]:
    """What a format-1 manifest did not hold, read from the case's pinned SOP version and its
    users: shown on the printout, never part of the old seal."""
    from loket.catalog.selectors import parsed

    case = record.case
    sop = parsed(case.sop)
    runs = {run.pk: run for run in case.steps.select_related("actor", "on_behalf_of")}
    ordered = [runs[pk] for pk in sorted(runs)]
    signer = sop.disahkan_oleh
    return {
        "zona_waktu": case.unit.zona_waktu,
        "sop_nama": sop.nama,
        "disahkan_oleh": {"jabatan": signer.jabatan, "nama": signer.nama, "nip": signer.nip} if signer else None,
        "berkas_nama": document_names(sop),
        "uraian": {k.no: k.uraian for k in sop.kegiatan},
        "nama": [(_full_name(run.actor), _full_name(run.on_behalf_of)) for run in ordered],
    }


def _named(name: str | None, nip: str | None) -> str | None:
    """A staff member as the record prints them: "Nama · NIP 19720528 200502 1 001", with "—"
    for a NIP not on record."""
    from loket.registration.letters import format_nip

    if not name:
        return None
    return f"{name} · NIP {format_nip(nip) if nip else '—'}"


def record_identity(record: ArchiveRecord) -> UnitIdentity:
    """The unit's identity the record prints: as sealed, or for a record sealed before the
    manifest held it, the unit's as it is now. The logo is the unit's current one (a picture)."""
    unit = record.case.unit
    if "identitas" in record.manifest["unit"]:
        return UnitIdentity.from_manifest(record.manifest["unit"], logo=unit.logo)
    return unit_identity(unit)


def record_context(record: ArchiveRecord) -> dict[str, Any]:
    """The sealed manifest as the printed record shows it: labels for codes, local times with
    the zone's name, Indonesian dates, the activity of each step, deviations marked."""
    m = record.manifest
    old = None if m.get("format", 1) >= FORMAT else _fallbacks(record)
    zone = zoneinfo.ZoneInfo(m["unit"].get("zona_waktu") or (old or _fallbacks(record))["zona_waktu"])
    by_labels = dict(StepRun.By.choices)
    steps = []
    for i, s in enumerate(m["langkah"]):
        names = old["nama"][i] if old and i < len(old["nama"]) else (None, None)
        actor = s.get("petugas_nama") or names[0] or s.get("petugas")
        behalf = s.get("atas_nama_nama") or names[1] or s.get("atas_nama")
        actor_nip, behalf_nip = s.get("petugas_nip"), s.get("atas_nama_nip")
        standard, worked = s.get("mutu_baku_menit"), s.get("menit_kerja")
        over = standard is not None and worked is not None and worked > standard
        steps.append(
            {
                "no": s["langkah"],
                "uraian": s.get("uraian") or (old["uraian"].get(s["langkah"], "") if old else ""),
                "pelaksana": s["pelaksana"],
                "oleh": str(by_labels.get(s["oleh"], s["oleh"])),
                "petugas": _named(actor, actor_nip),
                "atas_nama": _named(behalf, behalf_nip),
                "sistem": s["oleh"] == StepRun.By.SYSTEM,
                "mulai": local_parts(s.get("mulai"), zone),
                "tenggat": local_parts(s.get("tenggat"), zone),
                "selesai": local_parts(s.get("selesai"), zone),
                "mutu_baku": standard,
                "menit_kerja": worked,
                "over": over,
                "selisih": (worked - standard) if over and standard is not None and worked is not None else None,
                "jawaban": ANSWER_LABELS.get(s.get("jawaban") or "", s.get("jawaban") or ""),
                "catatan": s.get("catatan") or "",
            }
        )
    documents = [
        {
            **d,
            "nama_jenis": d.get("nama_jenis") or (old["berkas_nama"].get(d["kode"], d["kode"]) if old else d["kode"]),
            "ukuran_label": filesizeformat(d["ukuran"]),
            "diunggah_label": local_time(d.get("diunggah"), zone),
        }
        for d in m["berkas"]
    ]
    registration = None
    if m.get("registrasi"):
        r = m["registrasi"]
        seat_labels = {"invited": "diundang", "present": "hadir", "absent": "tidak hadir"}
        registration = {
            **r,
            "tanggal_sk": _date(r["calon"].get("tanggal_sk")),
            "menunggu_pelatihan_sejak": local_time(r.get("menunggu_pelatihan_sejak"), zone),
            "hadir_pelatihan": local_time(r.get("hadir_pelatihan"), zone),
            "akun_diaktifkan": local_time(r.get("akun_diaktifkan"), zone),
            "kehadiran": [
                {
                    **k,
                    "status": seat_labels.get(k["status"], k["status"]),
                    "mulai": local_time(k.get("mulai"), zone),
                    "diundang": local_time(k.get("diundang"), zone),
                    "dicatat": local_time(k.get("dicatat"), zone),
                }
                for k in r.get("kehadiran", [])
            ],
        }
    sop = m["sop"]
    signer = sop.get("disahkan_oleh") if "disahkan_oleh" in sop else (old or {}).get("disahkan_oleh")
    sealed_local = record.sealed_at.astimezone(zone)
    identity = record_identity(record)
    return {
        "record": record,
        "m": m,
        "zone_label": zone_label(zone, record.sealed_at),
        "unit_nama": m["unit"]["nama"],
        "identity": identity,
        "logo": identity.logo_uri(),
        "sop_nama": sop.get("nama") or (old["sop_nama"] if old else ""),
        "kanal": str(dict(Channel.choices).get(m["kanal"], m["kanal"])),
        "kebutuhan": str(dict(Need.choices).get(m["kebutuhan"], m["kebutuhan"])),
        "status": str(dict(Status.choices).get(m["status"], m["status"])),
        "diajukan": local_time(m.get("diajukan"), zone),
        "disegel": local_time(record.sealed_at, zone),
        "tanggal_segel": tanggal(sealed_local.date()),
        "berkas": documents,
        "langkah": steps,
        "over_count": sum(1 for s in steps if s["over"]),
        "registrasi": registration,
        "pengesah": signer,
        "format_lama": old is not None,
    }


def archive_pdf(record: ArchiveRecord) -> bytes:
    """The sealed record as a printable PDF (A4), in Indonesian."""
    from weasyprint import HTML

    with translation.override("id"):
        html = render_to_string("cases/archive.html", record_context(record))
    return HTML(string=html).write_pdf()
