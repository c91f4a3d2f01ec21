"""Checking a sealed archive record: the one service `loket archive verify` and the console's
"Periksa segel arsip" page call.

Three checks, each named in the verdict in Indonesian:
1. the seal: the SHA-256 of the stored manifest is re-computed and compared with the sealed one
   (someone edited the record itself);
2. the documents: every stored file is read again and its SHA-256 compared with the sealed one
   (a file changed or gone on disk). A file the retention job removed (`Document.removed_at`,
   loket.cases.retention) is reported as removed on its date, not as gone: the seal is over the
   hashes, which stay; a file gone without that mark is still a finding;
3. the data: the manifest is built again from the case as it stands now and compared, key by
   key, with the sealed one (a step's answer, a requester's field, a document's row changed in the
   database). Only the keys the sealed manifest holds are compared, so a record sealed with an
   older manifest format is checked against what it sealed; the actors' full names and NIPs and
   the unit's identity (letterhead, address, contact) are a snapshot taken at sealing (a staff
   member may change their name, a unit may move), so they are not compared.

Every check writes an audit entry `archive.verified` with the outcome (the brief's rule: every
look at a case's record is on record, like `archive.printed`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from loket.audit.services import log_action

from .archive import build_manifest, digest
from .models import ArchiveRecord, Case

# Keys of a step that record who acted as named at sealing, not a fact the database must keep.
SNAPSHOT_KEYS = {"petugas_nama", "atas_nama_nama", "petugas_nip", "atas_nama_nip"}
# Keys of the unit that record its identity as printed at sealing.
UNIT_SNAPSHOT_KEYS = {"identitas"}
# Keys of a document compared by the document check instead.
DOCUMENT_HASH_KEYS = {"sha256", "utuh"}
# The states of a document the seal still vouches for: its bytes as sealed, or removed by retention
# with its sealed hash kept.
KEPT_STATES = {"utuh", "dihapus"}

State = Literal["intact", "changed", "not_sealed", "not_found"]


@dataclass(frozen=True)
class DocumentCheck:
    index: int
    kode: str
    nama: str  # the SOP's name of the document
    nama_berkas: str
    sealed_sha256: str
    current_sha256: str | None  # None: the file (or its row) is gone
    removed_at: dt.datetime | None = None  # the retention job removed the file then
    removed_on: str = ""  # that date as the unit reads it (2 Desember 2026)

    @property
    def state(self) -> Literal["utuh", "berubah", "hilang", "dihapus"]:
        if self.removed_at is not None:
            return "dihapus"
        if self.current_sha256 is None:
            return "hilang"
        return "utuh" if self.current_sha256 == self.sealed_sha256 else "berubah"

    def sentence(self) -> str:
        if self.state == "utuh":
            return _("Berkas %(nama)s (%(file)s) utuh.") % {"nama": self.nama, "file": self.nama_berkas}
        if self.state == "dihapus":
            return _(
                "Berkas %(nama)s (%(file)s) dihapus sesuai masa retensi pada %(date)s; SHA-256-nya tetap tercatat "
                "di segel."
            ) % {"nama": self.nama, "file": self.nama_berkas, "date": self.removed_on}
        if self.state == "hilang":
            return _("Berkas %(nama)s (%(file)s) tidak ditemukan lagi di penyimpanan.") % {
                "nama": self.nama,
                "file": self.nama_berkas,
            }
        return _(
            "Berkas %(nama)s (%(file)s) BERUBAH: isinya tidak lagi sama dengan yang disegel "
            "(SHA-256 disegel %(sealed)s…, sekarang %(now)s…)."
        ) % {
            "nama": self.nama,
            "file": self.nama_berkas,
            "sealed": self.sealed_sha256[:16],
            "now": (self.current_sha256 or "")[:16],
        }


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. langkah[1].jawaban
    label: str  # e.g. Langkah 2 · jawaban
    sealed: Any
    current: Any

    def sentence(self) -> str:
        return _("%(label)s berubah: disegel %(sealed)s, sekarang %(now)s.") % {
            "label": self.label,
            "sealed": _shown(self.sealed),
            "now": _shown(self.current),
        }


@dataclass(frozen=True)
class Verdict:
    reference: str
    state: State
    record: ArchiveRecord | None = None
    seal_ok: bool = True
    computed_sha256: str = ""
    documents: list[DocumentCheck] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.state == "intact"

    @property
    def exit_code(self) -> int:
        return {"intact": 0, "changed": 1}.get(self.state, 2)

    @property
    def changed_documents(self) -> list[DocumentCheck]:
        return [d for d in self.documents if d.state not in KEPT_STATES]

    @property
    def removed_documents(self) -> list[DocumentCheck]:
        return [d for d in self.documents if d.state == "dihapus"]

    def summary(self) -> str:
        if self.state == "not_found":
            return _("Permohonan %(ref)s tidak ditemukan.") % {"ref": self.reference}
        if self.state == "not_sealed":
            return _("Permohonan %(ref)s belum diarsipkan: belum ada segel yang bisa diperiksa.") % {
                "ref": self.reference
            }
        if self.state == "intact" and self.removed_documents:
            return _(
                "Arsip %(ref)s UTUH: segel cocok, %(n)d berkas tidak berubah, %(removed)d berkas dihapus sesuai "
                "masa retensi, data sama dengan yang disegel."
            ) % {
                "ref": self.reference,
                "n": len(self.documents) - len(self.removed_documents),
                "removed": len(self.removed_documents),
            }
        if self.state == "intact":
            return _("Arsip %(ref)s UTUH: segel cocok, %(n)d berkas tidak berubah, data sama dengan yang disegel.") % {
                "ref": self.reference,
                "n": len(self.documents),
            }
        return _("Arsip %(ref)s BERUBAH sejak disegel: %(n)d temuan.") % {
            "ref": self.reference,
            "n": len(self.findings()),
        }

    def findings(self) -> list[str]:
        """One sentence per thing that changed, the seal first."""
        out = []
        if not self.seal_ok:
            out.append(
                _(
                    "Segel tidak cocok: isi catatan arsip di basis data telah diubah "
                    "(SHA-256 disegel %(sealed)s…, dihitung ulang %(now)s…)."
                )
                % {"sealed": self.record.sha256[:16] if self.record else "", "now": self.computed_sha256[:16]}
            )
        out.extend(d.sentence() for d in self.changed_documents)
        out.extend(f.sentence() for f in self.fields)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "state": self.state,
            "intact": self.intact,
            "summary": self.summary(),
            "sealed_at": self.record.sealed_at.isoformat() if self.record else None,
            "sha256": self.record.sha256 if self.record else None,
            "computed_sha256": self.computed_sha256 or None,
            "seal_ok": self.seal_ok if self.record else None,
            "documents": [
                {
                    "kode": d.kode,
                    "nama": d.nama,
                    "nama_berkas": d.nama_berkas,
                    "state": d.state,
                    "sealed_sha256": d.sealed_sha256,
                    "current_sha256": d.current_sha256,
                    "removed_at": d.removed_at.isoformat() if d.removed_at else None,
                }
                for d in self.documents
            ],
            "fields": [
                {"path": f.path, "label": f.label, "sealed": f.sealed, "current": f.current} for f in self.fields
            ],
            "findings": self.findings(),
        }


def _shown(value: Any) -> str:
    if value is None or value == "":
        return _("(kosong)")
    return f"«{value}»"


_MISSING = object()


def _compare(sealed: Any, current: Any, path: str, label: str, out: list[FieldChange]) -> None:
    if isinstance(sealed, dict):
        if not isinstance(current, dict):
            out.append(FieldChange(path, label, sealed, current))
            return
        for key, value in sealed.items():
            now = current.get(key, _MISSING)
            sub_path, sub_label = f"{path}.{key}" if path else key, f"{label} · {key}" if label else key
            if now is _MISSING:
                out.append(FieldChange(sub_path, sub_label, value, None))
            else:
                _compare(value, now, sub_path, sub_label, out)
        return
    if isinstance(sealed, list):
        if not isinstance(current, list):
            out.append(FieldChange(path, label, sealed, current))
            return
        for i, value in enumerate(sealed):
            item_label = f"{label} {i + 1}"
            if i >= len(current):
                out.append(FieldChange(f"{path}[{i}]", item_label, _("ada"), None))
            else:
                _compare(value, current[i], f"{path}[{i}]", item_label, out)
        for i in range(len(sealed), len(current)):
            out.append(FieldChange(f"{path}[{i}]", f"{label} {i + 1}", None, _("ditambahkan")))
        return
    if sealed != current:
        out.append(FieldChange(path, label, sealed, current))


def _steps(sealed: list[dict[str, Any]], current: list[dict[str, Any]], out: list[FieldChange]) -> None:
    for i, step in enumerate(sealed):
        label = _("Langkah %(no)s (baris %(i)d)") % {"no": step.get("langkah"), "i": i + 1}
        if i >= len(current):
            out.append(FieldChange(f"langkah[{i}]", label, _("tercatat"), _("tidak ada lagi")))
            continue
        kept = {k: v for k, v in step.items() if k not in SNAPSHOT_KEYS}
        _compare(kept, current[i], f"langkah[{i}]", label, out)
    for i in range(len(sealed), len(current)):
        label = _("Langkah %(no)s (baris %(i)d)") % {"no": current[i].get("langkah"), "i": i + 1}
        out.append(FieldChange(f"langkah[{i}]", label, None, _("ditambahkan setelah disegel")))


def _removal_dates(case: Case) -> list[tuple[dt.datetime | None, str]]:
    """When each document of `case` (in the manifest's order) was removed by retention, with the
    date as the unit reads it; (None, "") for one still kept."""
    from loket.sop.render.document import tanggal

    zone = zoneinfo.ZoneInfo(case.unit.zona_waktu)
    return [
        (removed, tanggal(removed.astimezone(zone).date()) if removed else "")
        for removed in case.documents.order_by("uploaded_at", "id").values_list("removed_at", flat=True)
    ]


def _documents(
    sealed: list[dict[str, Any]],
    current: list[dict[str, Any]],
    out: list[FieldChange],
    removals: list[tuple[dt.datetime | None, str]],
) -> list[DocumentCheck]:
    checks = []
    for i, doc in enumerate(sealed):
        now = current[i] if i < len(current) else None
        removed_at, removed_on = removals[i] if now is not None and i < len(removals) else (None, "")
        name = doc.get("nama_jenis") or doc.get("kode", "")
        checks.append(
            DocumentCheck(
                index=i,
                kode=doc.get("kode", ""),
                nama=name,
                nama_berkas=doc.get("nama_berkas", ""),
                sealed_sha256=doc.get("sha256", ""),
                current_sha256=now.get("sha256") if now else None,
                removed_at=removed_at,
                removed_on=removed_on,
            )
        )
        if now is not None:
            kept = {k: v for k, v in doc.items() if k not in DOCUMENT_HASH_KEYS}
            _compare(kept, now, f"berkas[{i}]", _("Berkas %(nama)s") % {"nama": name}, out)
    for i in range(len(sealed), len(current)):
        label = _("Berkas %(nama)s") % {"nama": current[i].get("nama_jenis") or current[i].get("kode")}
        out.append(FieldChange(f"berkas[{i}]", label, None, _("ditambahkan setelah disegel")))
    return checks


def check_record(record: ArchiveRecord) -> Verdict:
    """The verdict on one sealed record, with no audit entry (see `verify_archive`)."""
    case = record.case
    sealed = record.manifest
    computed = digest(sealed)
    current = build_manifest(case, missing_ok=True)
    fields: list[FieldChange] = []
    documents = _documents(sealed.get("berkas", []), current["berkas"], fields, _removal_dates(case))
    _steps(sealed.get("langkah", []), current["langkah"], fields)
    rest = {k: v for k, v in sealed.items() if k not in {"berkas", "langkah"}}
    if isinstance(rest.get("unit"), dict):
        rest["unit"] = {k: v for k, v in rest["unit"].items() if k not in UNIT_SNAPSHOT_KEYS}
    _compare(rest, current, "", "", fields)
    seal_ok = computed == record.sha256
    intact = seal_ok and not fields and all(d.state in KEPT_STATES for d in documents)
    return Verdict(
        reference=case.reference,
        state="intact" if intact else "changed",
        record=record,
        seal_ok=seal_ok,
        computed_sha256=computed,
        documents=documents,
        fields=fields,
    )


def verify_archive(*, case: Case | None = None, reference: str | None = None, actor: Any = None) -> Verdict:
    """Verify the sealed record of `case` (or of the case with `reference`).

    Effects: reads every stored document of the case; writes one audit entry `archive.verified`
    (state, number of findings) when the case exists. Returns the verdict; nothing is changed.
    """
    if case is None:
        case = Case.objects.select_related("unit", "sop").filter(reference=(reference or "").strip()).first()
    if case is None:
        return Verdict(reference=(reference or "").strip(), state="not_found")
    record = ArchiveRecord.objects.filter(case=case).first()
    verdict = Verdict(reference=case.reference, state="not_sealed") if record is None else check_record(record)
    log_action("archive.verified", actor=actor, case=case, state=verdict.state, findings=len(verdict.findings()))
    return verdict
