"""Installing SOP files: check, then keep as a new SOP or a new version of one.

`install_sop` is the one way an SOP enters the system: `loket sop install`, `make demo` (the
built-in definitions) and the admin upload all call it. Versions are never overwritten: a running
case keeps the version it started on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from loket.sop.check import check_text, role_lanes
from loket.sop.load import Loaded, Violation
from loket.sop.model import Sop
from loket.units.models import Unit
from loket.units.services import load_units_file

from .models import SopVersion, UnitLane

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
    # One line per staff lane of this SOP that no active staff member of the unit holds yet.
    warnings: tuple[str, ...] = field(default=())


def install_sop(*, text: str, source: str, actor=None) -> Installed:  # type: ignore[no-untyped-def]
    """Check `text` and install it.

    Effects, in order: the file is checked against every rule (units known to this system);
    its staff lanes are checked against the unit's other SOPs (a lane agency-scoped in one must be
    so in all, rule `lingkup`); a new `SopVersion` row is written; the unit's staff lanes
    (UnitLane) are rebuilt from its installed SOPs. Installing the same kode+versi with the same
    content again writes no version but still rebuilds the lanes; with other content, or with a
    versi lower than the newest, it is refused. The result carries a warning for each staff lane
    of the SOP nobody holds yet.
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
                rebuild_lanes(same.unit)
                return Installed(same, created=False, warnings=tuple(unheld_lane_warnings(sop)))
            raise refuse(
                f"versi {sop.versi} dari `{sop.kode}` sudah terpasang dengan isi berbeda; "
                f"naikkan `versi` menjadi {existing[0].versi + 1}"
            )
        if newest is not None and sop.versi < newest.versi:
            raise refuse(f"versi terbaru `{sop.kode}` adalah {newest.versi}; versi baru harus lebih besar")
        if newest is not None and newest.unit.kode != sop.unit:
            raise refuse(f"`{sop.kode}` milik unit `{newest.unit.kode}`; SOP unit lain harus memakai kode lain")
        unit = Unit.objects.get(kode=sop.unit)
        scope_conflicts = _scope_conflicts(loaded, sop, unit)
        if scope_conflicts:
            raise SopRejected(scope_conflicts)
        try:
            with transaction.atomic():
                version = SopVersion.objects.create(
                    kode=sop.kode,
                    versi=sop.versi,
                    unit=unit,
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
        rebuild_lanes(unit)
    return Installed(version, created=True, warnings=tuple(unheld_lane_warnings(sop)))


# --- the unit's staff lanes ---------------------------------------------------------------------


def _newest_per_kode(versions: Iterable[SopVersion]) -> tuple[list[SopVersion], list[SopVersion]]:
    """The newest version of each SOP, and the older ones (both newest first)."""
    newest: dict[str, SopVersion] = {}
    older: list[SopVersion] = []
    for v in sorted(versions, key=lambda v: (v.kode, -v.versi)):
        if v.kode in newest:
            older.append(v)
        else:
            newest[v.kode] = v
    return list(newest.values()), older


def derive_lanes(newest: Iterable[Sop], older: Iterable[Sop] = ()) -> dict[str, bool]:
    """Staff lane name -> agency-scoped, from a unit's SOPs: their staff lanes and the lanes they
    name as `pengawas` (never agency-scoped: the checker refuses that, and so does `lingkup`).

    The newest version of each SOP decides a lane's scope; a lane found only in older versions
    (running cases may still wait there) takes the scope those declare. Where two disagree (only
    possible for files installed before `lingkup_instansi` was checked) the lane is scoped: the
    narrower reading never shows a case to staff of another agency.
    """
    lanes = _scopes(newest)
    return {**lanes, **{lane: scoped for lane, scoped in _scopes(older).items() if lane not in lanes}}


def _scopes(sops: Iterable[Sop]) -> dict[str, bool]:
    """Staff lane (or `pengawas`) -> whether any of `sops` scopes it to an agency."""
    scopes: dict[str, bool] = {}
    for sop in sops:
        for lane in role_lanes(sop):
            scopes[lane] = scopes.get(lane, False) or lane in sop.lingkup_instansi
    return scopes


def rebuild_lanes(unit: Unit) -> list[UnitLane]:
    """Rewrite the unit's UnitLane rows from every SOP version installed for it."""
    from .selectors import parsed

    newest, older = _newest_per_kode(SopVersion.objects.filter(unit=unit))
    lanes = derive_lanes([parsed(v) for v in newest], [parsed(v) for v in older])
    UnitLane.objects.filter(unit=unit).exclude(name__in=list(lanes)).delete()
    rows = []
    for name, scoped in sorted(lanes.items()):
        row, _created = UnitLane.objects.update_or_create(unit=unit, name=name, defaults={"agency_scoped": scoped})
        rows.append(row)
    return rows


def _scope_conflicts(loaded: Loaded, sop: Sop, unit: Unit) -> list[Violation]:
    """A `lingkup` violation for each staff lane (or `pengawas`) of `sop` that the newest version
    of another SOP of the unit also has as a staff lane (or `pengawas`), with the other scope."""
    from .selectors import parsed

    others, _older = _newest_per_kode(SopVersion.objects.filter(unit=unit).exclude(kode=sop.kode))
    mine = set(role_lanes(sop))
    problems = []
    for version in others:
        other = parsed(version)
        for lane in role_lanes(other):
            if lane not in mine:
                continue
            here, there = lane in sop.lingkup_instansi, lane in other.lingkup_instansi
            if here == there:
                continue
            if there and lane == sop.pengawas:
                remedy = "pilih `pengawas` lain (pengawas selalu untuk seluruh unit)"
                said = "per instansi"
            elif there:
                remedy = f"tambahkan `{lane}` ke `lingkup_instansi`"
                said = "per instansi"
            elif lane == other.pengawas:
                remedy = f"hapus `{lane}` dari `lingkup_instansi` (lajur itu `pengawas` SOP `{other.kode}`)"
                said = "untuk seluruh unit (sebagai `pengawas`)"
            else:
                remedy = f"hapus `{lane}` dari `lingkup_instansi`"
                said = "untuk seluruh unit (tanpa `lingkup_instansi`)"
            # The lane's entry in `lingkup_instansi` when this file scopes it, else in `pelaksana`,
            # else the `pengawas` key that names it.
            where: tuple[str | int, ...] = (
                ("lingkup_instansi", sop.lingkup_instansi.index(lane))
                if here
                else ("pelaksana", sop.pelaksana.index(lane))
                if lane in sop.pelaksana
                else ("pengawas",)
            )
            line = loaded.line(where)
            problems.append(
                Violation(
                    loaded.file,
                    line,
                    "lingkup",
                    f"lajur `{lane}` di unit `{unit.kode}` berlaku {said} pada SOP `{other.kode}` "
                    f"versi {other.versi}; lingkup satu lajur harus sama di semua SOP unit itu: {remedy} "
                    f"(atau ubah SOP `{other.kode}`)",
                )
            )
    return problems


def unheld_lane_warnings(sop: Sop) -> list[str]:
    """A warning for each staff lane (or `pengawas`) of `sop` that no active staff member of its
    unit holds."""
    from loket.staff.lanes import held_lanes

    held = held_lanes(sop.unit)
    scoped = set(sop.lingkup_instansi)
    warnings = []
    for lane in role_lanes(sop):
        if lane in held:
            continue
        command = f'loket staff add USERNAME --unit {sop.unit} --role "{lane}"'
        if lane in scoped:
            command += ' --agency "NAMA INSTANSI"'
        warnings.append(
            _("Peringatan: belum ada petugas berperan %(lane)s di unit %(unit)s; tambahkan dengan `%(command)s`")
            % {"lane": lane, "unit": sop.unit, "command": command}
        )
    return warnings


def install_builtin(*, actor=None) -> list[Installed]:  # type: ignore[no-untyped-def]
    """Install the built-in units and every built-in definition (what `make demo` does)."""
    load_units_file()
    return [
        install_sop(text=path.read_text(encoding="utf-8"), source=path.name, actor=actor)
        for path in sorted(DEFINITIONS_DIR.glob("*.yaml"))
    ]
