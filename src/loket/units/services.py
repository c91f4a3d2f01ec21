"""Writing units: from the built-in units file, or one at a time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.sop.load import read_yaml

from .models import Directory, Unit

UNITS_FILE = Path(__file__).resolve().parent.parent / "sop" / "units.yaml"


@transaction.atomic
def load_units_file(*, path: Path = UNITS_FILE) -> list[Unit]:
    """Create or update every unit named in the units file. Effects: Unit rows written."""
    result = []
    for row in read_yaml(path.read_text(encoding="utf-8")):
        defaults = {
            "nama": row["nama"],
            "zona_waktu": row["zona_waktu"],
            "jam_kerja": row.get("jam_kerja", "08:00-16:00"),
        }
        # Where the unit's accounts live is set when the unit is made, or when the file says so:
        # reinstalling the built-ins must not switch back a unit an operator set to SPSE.
        if "direktori" in row:
            defaults["direktori"] = row["direktori"]
        unit, _created = Unit.objects.update_or_create(
            kode=row["kode"], defaults=defaults, create_defaults={"direktori": Directory.LOCAL, **defaults}
        )
        unit.full_clean()
        result.append(unit)
    return result


# The names civil servants use for Indonesia's three zones.
ZONE_NAMES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def zone_label(zone: zoneinfo.ZoneInfo | str, moment: dt.datetime | None = None) -> str:
    """The name a time is read with: WIB, WITA or WIT for Indonesia's zones (zoneinfo's own
    abbreviation for them), the abbreviation or the zone's key for any other zone."""
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone
    return (moment or dt.datetime.now(dt.UTC)).astimezone(zone).tzname() or zone.key


class UnitRefused(Exception):
    """The unit was not saved; the message says why, in Indonesian."""


@transaction.atomic
def save_unit(
    *,
    actor: Any,
    kode: str,
    nama: str | None,
    zona_waktu: str | None,
    jam_kerja: str | None,
    direktori: str | None = None,
    logo: str | None = None,
    update: bool = False,
) -> tuple[Unit, bool]:
    """Create the unit `kode`, or with `update` change the fields given of an existing one.

    Effects: the Unit row written after the model's validators pass (WIB/WITA/WIT accepted for
    the zone); audit `unit.created` or `unit.updated` (nothing when nothing changed). Returns
    (unit, created); with `update` an unknown kode is created like without it. Raises UnitRefused,
    writing nothing, for an existing kode without `update`, a new unit without name or zone, and
    any value the model's validators refuse.
    """
    if zona_waktu:
        zona_waktu = ZONE_NAMES.get(zona_waktu.strip().upper(), zona_waktu.strip())
    unit = Unit.objects.select_for_update().filter(kode=kode).first()
    created = unit is None
    if unit is not None and not update:
        raise UnitRefused(
            _("Unit %(kode)s sudah ada (%(nama)s). Tambahkan --update untuk mengubahnya.")
            % {"kode": kode, "nama": unit.nama}
        )
    if unit is None:
        missing = [flag for flag, value in (("--name", nama), ("--timezone", zona_waktu)) if not value]
        if missing:
            raise UnitRefused(_("Unit baru perlu %(flags)s.") % {"flags": " dan ".join(missing)})
        unit = Unit(kode=kode)
    if direktori is not None and not created and direktori != unit.direktori and _waiting_for_a_password(unit):
        raise UnitRefused(
            _(
                "Direktori unit %(kode)s tidak dapat diganti: ada permohonan yang sedang menunggu langkah "
                "pengaturan password. Selesaikan permohonan itu dulu, lalu ganti direktorinya."
            )
            % {"kode": kode}
        )
    changed = {}
    fields = (
        ("nama", nama),
        ("zona_waktu", zona_waktu),
        ("jam_kerja", jam_kerja),
        ("direktori", direktori),
        ("logo", logo),
    )
    for field, value in fields:
        if value is not None and value != getattr(unit, field):
            setattr(unit, field, value)
            changed[field] = value
    try:
        unit.full_clean()
    except ValidationError as exc:
        raise UnitRefused(
            "\n".join(f"{_field_label(f)}: {m}" for f, ms in exc.message_dict.items() for m in ms)
        ) from exc
    if created:
        unit.save()
        log_action("unit.created", actor=actor, kode=kode, **changed)
    elif changed:
        unit.save(update_fields=list(changed))
        log_action("unit.updated", actor=actor, kode=kode, **changed)
    return unit, created


def _waiting_for_a_password(unit: Unit) -> bool:
    """Whether a case of `unit` waits at a step that sets a password: who does that step (the
    system or a person in SPSE) follows from the directory, so switching it would strand the case."""
    from loket.cases.models import StepRun
    from loket.sop.model import ACTIONS

    actions = [name for name, spec in ACTIONS.items() if spec.sets_password]
    return StepRun.objects.filter(case__unit=unit, finished_at__isnull=True, aksi__in=actions).exists()


def _field_label(name: str) -> str:
    labels = {
        "kode": "KODE",
        "nama": "--name",
        "zona_waktu": "--timezone",
        "jam_kerja": "--hours",
        "direktori": "--directory",
        "logo": "--logo",
    }
    return labels.get(name, name)
