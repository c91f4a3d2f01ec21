"""Writing units (from the built-in units file, or one at a time) and reading a unit's identity:
the one rule for what its pages and documents print about it (`unit_identity`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
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


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def default_opening_hours(unit: Unit) -> str:
    """The opening hours as a person reads them, from the working hours and the zone: working days
    are Monday to Friday (loket.calendar), so "Senin–Jumat 08.00–16.00 WITA"."""
    start, end = (part.replace(":", ".") for part in unit.jam_kerja.split("-"))
    return _("Senin–Jumat %(start)s–%(end)s %(zone)s") % {
        "start": start,
        "end": end,
        "zone": zone_label(unit.zona_waktu),
    }


@dataclass(frozen=True)
class UnitIdentity:
    """What a unit's pages and documents print about it. `kop`: the letterhead lines (the unit's
    own, else its name); `alamat`: the address lines; `logo`: an image path on this server or ""."""

    kode: str
    nama: str
    kop: list[str]
    alamat: list[str]
    telepon: str
    surel: str
    situs: str
    jam_layanan: str
    logo: str

    @property
    def address_line(self) -> str:
        """The address on one line (a receipt, a page footer)."""
        return ", ".join(self.alamat)

    @property
    def contact_line(self) -> str:
        """Phone, e-mail and website on one line, each with its label (those set only)."""
        parts = [
            _("Telp. %(v)s") % {"v": self.telepon} if self.telepon else "",
            _("E-mail %(v)s") % {"v": self.surel} if self.surel else "",
            self.situs.removeprefix("https://").removeprefix("http://").rstrip("/") if self.situs else "",
        ]
        return " · ".join(p for p in parts if p)

    @property
    def hours_line(self) -> str:
        return _("Jam layanan: %(v)s") % {"v": self.jam_layanan} if self.jam_layanan else ""

    def logo_uri(self) -> str | None:
        """The logo as a data: URI for a page or a PDF (None without a readable logo)."""
        from loket.sop.render.document import logo_uri

        return logo_uri(self.logo) if self.logo else None

    def as_manifest(self) -> dict[str, Any]:
        """What an archive record seals of it (the logo is a picture, not a fact: left out)."""
        return {
            "kop": self.kop,
            "alamat": self.alamat,
            "telepon": self.telepon,
            "surel": self.surel,
            "situs": self.situs,
            "jam_layanan": self.jam_layanan,
        }

    @classmethod
    def from_manifest(cls, unit: dict[str, Any], logo: str = "") -> UnitIdentity:
        data = unit.get("identitas") or {}
        return cls(
            kode=unit.get("kode", ""),
            nama=unit.get("nama", ""),
            kop=list(data.get("kop") or [unit.get("nama", "")]),
            alamat=list(data.get("alamat") or []),
            telepon=data.get("telepon", ""),
            surel=data.get("surel", ""),
            situs=data.get("situs", ""),
            jam_layanan=data.get("jam_layanan", ""),
            logo=logo,
        )


def unit_identity(unit: Unit) -> UnitIdentity:
    """The unit's identity as every page footer, receipt, letter and archive record prints it:
    the letterhead lines it set (else its name), its address lines, phone, e-mail, website, the
    opening hours it set (else `default_opening_hours`) and its logo."""
    return UnitIdentity(
        kode=unit.kode,
        nama=unit.nama,
        kop=_lines(unit.kop) or [unit.nama],
        alamat=_lines(unit.alamat),
        telepon=unit.telepon.strip(),
        surel=unit.surel.strip(),
        situs=unit.situs.strip(),
        jam_layanan=unit.jam_layanan.strip() or default_opening_hours(unit),
        logo=unit.logo,
    )


# The identity fields and the `loket unit add` flag of each.
IDENTITY_FIELDS = {
    "kop": "--letterhead",
    "alamat": "--address",
    "telepon": "--phone",
    "surel": "--email",
    "situs": "--website",
    "jam_layanan": "--opening-hours",
}


# The Standar Pelayanan settings (loket.service_standard) and the `loket unit add` flag of each;
# an empty one takes its default (loket.service_standard.defaults).
STANDARD_FIELDS = {
    "sp_dasar_hukum": "--legal-basis",
    "sp_biaya": "--fee",
    "sp_pengaduan": "--complaints",
    "sp_sarana_prasarana": "--facilities",
    "sp_kompetensi_pelaksana": "--competence",
    "sp_pengawasan_internal": "--supervision",
    "sp_jumlah_pelaksana": "--staff-count",
    "sp_jaminan_pelayanan": "--service-guarantee",
    "sp_jaminan_keamanan": "--safety-guarantee",
    "sp_evaluasi_kinerja": "--evaluation",
    "sp_tempat_penetapan": "--established-at",
}


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
    kop: str | None = None,
    alamat: str | None = None,
    telepon: str | None = None,
    surel: str | None = None,
    situs: str | None = None,
    jam_layanan: str | None = None,
    standard: dict[str, str | None] | None = None,
) -> tuple[Unit, bool]:
    """Create the unit `kode`, or with `update` change the fields given of an existing one.

    Effects: the Unit row written after the model's validators pass (WIB/WITA/WIT accepted for
    the zone); audit `unit.created` or `unit.updated` (nothing when nothing changed). Returns
    (unit, created); with `update` an unknown kode is created like without it. Raises UnitRefused,
    writing nothing, for an existing kode without `update`, a new unit without name or zone, and
    any value the model's validators refuse.

    The identity (kop, alamat, telepon, surel, situs, jam_layanan): "" empties a field, None leaves
    it. In `kop` and `alamat` a "|" (or a typed "\\n") also starts a new line, so that one
    command-line argument can hold several lines.

    `standard` maps fields of STANDARD_FIELDS (the Standar Pelayanan settings) to their values, the
    same way: "" empties one (its default applies), None or absent leaves it; "|" starts a new line
    (one line is one printed item).
    """
    unknown = set(standard or {}) - set(STANDARD_FIELDS)
    if unknown:
        raise ValueError(f"not a Standar Pelayanan field: {', '.join(sorted(unknown))}")
    identity = {
        "kop": _multiline(kop),
        "alamat": _multiline(alamat),
        **{
            name: value.strip() if value is not None else None
            for name, value in (("telepon", telepon), ("surel", surel), ("situs", situs), ("jam_layanan", jam_layanan))
        },
    }
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
        *((name, identity.get(name)) for name in IDENTITY_FIELDS),
        *((name, _multiline((standard or {}).get(name))) for name in STANDARD_FIELDS),
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


def _multiline(text: str | None) -> str | None:
    if text is None:
        return None
    return "\n".join(_lines(text.replace("\\n", "\n").replace("|", "\n")))


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
        **IDENTITY_FIELDS,
        **STANDARD_FIELDS,
    }
    return labels.get(name, name)
