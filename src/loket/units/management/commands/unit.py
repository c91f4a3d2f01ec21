"""`loket unit add|list`: add (or with --update, change) a unit, and list the units.

`save_unit` is the service the command calls; it lives here until units/services.py takes it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.units.models import Unit

# The names civil servants use for Indonesia's three zones.
ZONE_NAMES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


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
    changed = {}
    for field, value in (("nama", nama), ("zona_waktu", zona_waktu), ("jam_kerja", jam_kerja)):
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


def _field_label(name: str) -> str:
    labels = {"kode": "KODE", "nama": "--name", "zona_waktu": "--timezone", "jam_kerja": "--hours"}
    return labels.get(name, name)


class Command(BaseCommand):
    help = "Tambah atau ubah unit (LPSE/UKPBJ), atau daftar unit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("add", help="tambah unit baru (atau ubah dengan --update)", called_from_command_line=True)
        p.add_argument("kode", metavar="KODE", help="kode singkat, huruf kecil dan tanda hubung, mis. kaltim")
        p.add_argument("--name", metavar="NAMA", help="nama unit seperti tertulis di kop SOP")
        p.add_argument(
            "--timezone", metavar="ZONA", help="zona waktu: WIB, WITA, WIT atau nama IANA (mis. Asia/Makassar)"
        )
        p.add_argument("--hours", metavar="JJ:MM-JJ:MM", help="jam kerja waktu setempat (bawaan 08:00-16:00)")
        p.add_argument("--update", action="store_true", help="ubah unit yang sudah ada")

        sub.add_parser("list", help="daftar unit", called_from_command_line=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "do_" + opts["action"])(**opts)

    def do_add(
        self, kode: str, name: str | None, timezone: str | None, hours: str | None, update: bool, **_opts: Any
    ) -> None:
        try:
            unit, created = save_unit(
                actor=None, kode=kode, nama=name, zona_waktu=timezone, jam_kerja=hours, update=update
            )
        except UnitRefused as exc:
            raise CommandError(str(exc)) from exc
        state = _("ditambahkan") if created else _("diperbarui")
        self.stdout.write(
            _("Unit %(kode)s %(state)s: %(nama)s, %(zona)s, jam kerja %(jam)s.")
            % {"kode": unit.kode, "state": state, "nama": unit.nama, "zona": unit.zona_waktu, "jam": unit.jam_kerja}
        )

    def do_list(self, **_opts: Any) -> None:
        units = list(Unit.objects.order_by("kode"))
        if not units:
            self.stdout.write(
                _("Belum ada unit. Tambahkan dengan `loket unit add` atau `loket sop install --builtin`.")
            )
            return
        cells = [[_("kode"), _("zona waktu"), _("jam kerja"), _("nama")]] + [
            [u.kode, u.zona_waktu, u.jam_kerja, u.nama] for u in units
        ]
        widths = [max(len(r[i]) for r in cells) for i in range(4)]
        for n, row in enumerate(cells):
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
