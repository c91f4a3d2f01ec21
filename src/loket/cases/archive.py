"""Sealing a finished file into the archive, and printing the sealed record as PDF.

The manifest holds the SOP (kode, versi, SHA-256), the request as typed, every document with the
SHA-256 of the stored bytes (re-read at sealing, so a file changed on disk shows), every step with
its actor, times, time standard, answer and note. The record's own SHA-256 is over the canonical
JSON of the manifest; `verify_seal` recomputes both.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .models import ArchiveRecord, Case


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _user(user: Any) -> str | None:
    return user.get_username() if user else None


def build_manifest(case: Case) -> dict[str, Any]:
    documents = []
    for doc in case.documents.order_by("uploaded_at", "id"):
        with doc.file.open("rb") as fh:
            actual = hashlib.sha256(fh.read()).hexdigest()
        documents.append(
            {
                "kode": doc.kode,
                "nama_berkas": doc.original_name,
                "jenis": doc.content_type,
                "ukuran": doc.size,
                "sha256": actual,
                "utuh": actual == doc.sha256,
                "diunggah": _iso(doc.uploaded_at),
                "langkah": doc.step,
            }
        )
    steps = [
        {
            "langkah": run.step,
            "aksi": run.aksi,
            "pelaksana": run.lane,
            "oleh": run.by,
            "petugas": _user(run.actor),
            "atas_nama": _user(run.on_behalf_of),
            "mulai": _iso(run.started_at),
            "tenggat": _iso(run.due_at),
            "selesai": _iso(run.finished_at),
            "mutu_baku_menit": run.standard_minutes,
            "menit_kerja": run.working_minutes,
            "jawaban": run.answer,
            "catatan": run.note,
        }
        for run in case.steps.select_related("actor", "on_behalf_of").order_by("id")
    ]
    from loket.registration.archive import manifest_part

    registration = manifest_part(case, _iso)
    return {
        **({"registrasi": registration} if registration is not None else {}),
        "nomor_registrasi": case.reference,
        "unit": {"kode": case.unit.kode, "nama": case.unit.nama},
        "sop": {"kode": case.sop.kode, "versi": case.sop.versi, "nomor": case.sop.nomor, "sha256": case.sop.sha256},
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
    record, _ = ArchiveRecord.objects.update_or_create(
        case=case, defaults={"sealed_at": timezone.now(), "manifest": manifest, "sha256": digest(manifest)}
    )
    return record


def verify_seal(record: ArchiveRecord) -> bool:
    """The manifest is unchanged and every document on disk still has its sealed SHA-256."""
    if digest(record.manifest) != record.sha256:
        return False
    current = build_manifest(record.case)["berkas"]
    return [d["sha256"] for d in record.manifest["berkas"]] == [d["sha256"] for d in current]


def archive_pdf(record: ArchiveRecord) -> bytes:
    """The sealed record as a printable PDF (A4)."""
    from weasyprint import HTML

    html = render_to_string("cases/archive.html", {"record": record, "m": record.manifest})
    return HTML(string=html).write_pdf()
