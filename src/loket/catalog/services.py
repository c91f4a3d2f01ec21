"""Installing SOP files: check, then keep as a new SOP or a new version of one.

`install_sop` is the one way an SOP enters the system: `loket sop install`, `make demo` (the
built-in definitions) and the admin upload all call it. Versions are never overwritten: a running
case keeps the version it started on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction

from loket.sop.check import check_text
from loket.sop.load import Violation
from loket.units.models import Unit
from loket.units.services import load_units_file

from .models import SopVersion

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "sop" / "definitions"


class SopRejected(Exception):
    """The file was not installed; `violations` says why and what to change."""

    def __init__(self, violations: list[Violation]):
        super().__init__("; ".join(str(v) for v in violations))
        self.violations = violations


@dataclass(frozen=True)
class Installed:
    version: SopVersion
    created: bool  # False: this exact version was already installed (same content hash)


def install_sop(*, text: str, source: str, actor=None) -> Installed:  # type: ignore[no-untyped-def]
    """Check `text` and install it.

    Effects, in order: the file is checked against every rule (units known to this system);
    a new `SopVersion` row is written. Installing the same kode+versi with the same content again
    changes nothing; with other content, or with a versi lower than the newest, it is refused.
    """
    loaded = check_text(text, source, known_units=Unit.objects.values_list("kode", flat=True))
    if loaded.violations or loaded.sop is None:
        raise SopRejected(loaded.violations)
    sop = loaded.sop
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    line = loaded.line(("versi",))

    def refuse(message: str) -> SopRejected:
        return SopRejected([Violation(source, line, "versi", message)])

    with transaction.atomic():
        existing = list(
            SopVersion.objects.select_for_update().filter(kode=sop.kode).select_related("unit").order_by("-versi")
        )
        newest = existing[0] if existing else None
        same = next((v for v in existing if v.versi == sop.versi), None)
        if same is not None:
            if same.sha256 == digest:
                return Installed(same, created=False)
            raise refuse(
                f"versi {sop.versi} dari `{sop.kode}` sudah terpasang dengan isi berbeda; "
                f"naikkan `versi` menjadi {existing[0].versi + 1}"
            )
        if newest is not None and sop.versi < newest.versi:
            raise refuse(f"versi terbaru `{sop.kode}` adalah {newest.versi}; versi baru harus lebih besar")
        if newest is not None and newest.unit.kode != sop.unit:
            raise refuse(f"`{sop.kode}` milik unit `{newest.unit.kode}`; SOP unit lain harus memakai kode lain")
        try:
            with transaction.atomic():
                version = SopVersion.objects.create(
                    kode=sop.kode,
                    versi=sop.versi,
                    unit=Unit.objects.get(kode=sop.unit),
                    nomor=sop.nomor,
                    nama=sop.nama,
                    layanan=sop.layanan,
                    content=text,
                    sha256=digest,
                    source=source[:300],
                    installed_by=actor,
                )
        except IntegrityError as exc:  # another installer won the race for this kode+versi
            raise refuse(f"versi {sop.versi} dari `{sop.kode}` baru saja dipasang orang lain; periksa lagi") from exc
    return Installed(version, created=True)


def install_builtin(*, actor=None) -> list[Installed]:  # type: ignore[no-untyped-def]
    """Install the built-in units and every built-in definition (what `make demo` does)."""
    load_units_file()
    return [
        install_sop(text=path.read_text(encoding="utf-8"), source=path.name, actor=actor)
        for path in sorted(DEFINITIONS_DIR.glob("*.yaml"))
    ]
