"""`loket staff add|nip|list|lanes`: give a user a staff role in a unit (creating the user), set
a staff member's NIP, list staff, and list each unit's staff lanes with their holders and the
cases waiting at unheld lanes.

The rules live in loket.staff.services; this command reads the password and prints results.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
import zoneinfo
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cli_output import write_table
from loket.staff import selectors
from loket.staff.errors import StaffError
from loket.staff.lanes import lanes_report
from loket.staff.services import add_staff_role, password_problems, set_staff_nip

PROMPT_ATTEMPTS = 3


class Command(BaseCommand):
    help = "Tambah peran petugas di sebuah unit, atau daftar petugas."
    stealth_options = ("stdin",)  # tests hand the password in through call_command(stdin=...)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser(
            "add",
            help="beri pengguna peran petugas di unit (pengguna dibuat bila belum ada)",
            called_from_command_line=True,
        )
        p.add_argument("username")
        p.add_argument("--unit", required=True, metavar="KODE", help="kode unit, lihat `loket unit list`")
        p.add_argument(
            "--role",
            required=True,
            metavar="PERAN",
            help="lajur petugas SOP unit itu, lihat `loket staff lanes --unit KODE`",
        )
        p.add_argument("--agency", metavar="NAMA", help="instansi (wajib untuk lajur per instansi unit itu)")
        p.add_argument(
            "--create-agency", action="store_true", help="daftarkan instansi itu di unit bila belum terdaftar"
        )
        p.add_argument(
            "--password-stdin", action="store_true", help="baca password pengguna baru dari baris pertama stdin"
        )
        p.add_argument("--admin", action="store_true", help="boleh masuk ke halaman admin (is_staff)")
        p.add_argument("--nip", metavar="NIP", help="NIP petugas (18 angka), dicetak di arsip di samping namanya")

        p = sub.add_parser(
            "nip", help='ubah NIP petugas (dicetak di arsip); "" mengosongkannya', called_from_command_line=True
        )
        p.add_argument("username")
        p.add_argument("nip", metavar="NIP")

        p = sub.add_parser("list", help="daftar petugas dan perannya", called_from_command_line=True)
        p.add_argument("--unit", metavar="KODE")

        p = sub.add_parser(
            "lanes",
            help="lajur petugas tiap unit, pemegangnya, dan permohonan yang menunggu di lajur tanpa petugas",
            called_from_command_line=True,
        )
        p.add_argument("--unit", metavar="KODE")
        p.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "do_" + opts["action"])(**opts)
        except StaffError as exc:
            raise CommandError(str(exc)) from exc

    def do_add(
        self,
        username: str,
        unit: str,
        role: str,
        agency: str | None,
        create_agency: bool,
        password_stdin: bool,
        admin: bool,
        nip: str | None = None,
        **opts: Any,
    ) -> None:
        password = None
        if not selectors.user_exists(username):
            password = self._read_password(username, opts.get("stdin") or sys.stdin, from_stdin=password_stdin)
        elif password_stdin:
            self.stderr.write(_("Pengguna %(u)s sudah ada; passwordnya tidak diubah.") % {"u": username})
        result = add_staff_role(
            actor=None,
            username=username,
            unit=unit,
            role=role,
            agency=agency,
            create_agency=create_agency,
            password=password,
            admin=admin,
            nip=nip,
        )
        r = result.role
        if result.user_created:
            self.stdout.write(_("Pengguna %(u)s dibuat.") % {"u": username})
        scope = _(" untuk instansi %(a)s") % {"a": r.agency.name} if r.agency else ""
        self.stdout.write(
            _("%(u)s kini %(role)s di unit %(kode)s%(scope)s.")
            % {"u": username, "role": r.role, "kode": r.unit.kode, "scope": scope}
        )

    def do_nip(self, username: str, nip: str, **_opts: Any) -> None:
        profile = set_staff_nip(actor=None, username=username, nip=nip)
        if profile.nip:
            self.stdout.write(_("NIP %(u)s: %(nip)s.") % {"u": username, "nip": profile.nip})
        else:
            self.stdout.write(_("NIP %(u)s dikosongkan.") % {"u": username})

    def _read_password(self, username: str, stdin: Any, *, from_stdin: bool) -> str:
        if from_stdin:
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("Tidak ada password di stdin."))
            return str(password)
        for _attempt in range(PROMPT_ATTEMPTS):
            password = getpass.getpass(_("Password untuk %(u)s: ") % {"u": username})
            if password != getpass.getpass(_("Ulangi password: ")):
                self.stderr.write(_("Kedua password tidak sama. Coba lagi."))
                continue
            problems = password_problems(username=username, password=password)
            if not problems:
                return password
            for problem in problems:
                self.stderr.write(problem)
        raise CommandError(_("Password tidak diterima; pengguna tidak dibuat."))

    def do_list(self, unit: str | None, **_opts: Any) -> None:
        rows = [
            [
                r.unit.kode,
                r.user.get_username(),
                r.role,
                r.agency.name if r.agency else "",
                _("ya") if r.user.is_staff else "",
                "" if r.user.is_active else _("nonaktif"),
            ]
            for r in selectors.staff_roles(unit=unit)
        ]
        if not rows:
            self.stdout.write(_("Belum ada petugas."))
            return
        write_table(self, [_("unit"), _("pengguna"), _("peran"), _("instansi"), _("admin"), _("status")], rows)

    def do_lanes(self, unit: str | None, format: str, **_opts: Any) -> None:
        report = lanes_report(unit=unit)
        if unit and not report:
            raise CommandError(_("Unit %(kode)s tidak dikenal; lihat `loket unit list`.") % {"kode": unit})
        payload: list[dict[str, Any]] = [
            {
                "unit": item.unit.kode,
                "zone": item.unit.zona_waktu,
                "lanes": [
                    {
                        "name": lane.name,
                        "agency_scoped": lane.agency_scoped,
                        "holders": [
                            {"username": r.user.get_username(), "agency": r.agency.name if r.agency else None}
                            for r in lane.holders
                        ],
                    }
                    for lane in item.lanes
                ],
                "waiting_at_unheld_lanes": [
                    {
                        "reference": case.reference,
                        "step": case.current_step,
                        "lane": case.current_lane,
                        "agency": case.agency.name if case.agency else None,
                        "waiting_since": _local(getattr(case, "waiting_since", None), item.unit.zona_waktu),
                    }
                    for case in item.waiting
                ],
            }
            for item in report
        ]
        if format == "json":
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for n, item in enumerate(payload):
            if n:
                self.stdout.write("")
            self.stdout.write(_("Unit %(kode)s") % {"kode": item["unit"]})
            if not item["lanes"]:
                self.stdout.write(_("Belum ada SOP terpasang; pasang dengan `loket sop install`."))
                continue
            write_table(
                self,
                [_("lajur"), _("lingkup"), _("pemegang")],
                [
                    [
                        lane["name"],
                        _("per instansi") if lane["agency_scoped"] else _("seluruh unit"),
                        ", ".join(h["username"] + (f" ({h['agency']})" if h["agency"] else "") for h in lane["holders"])
                        or _("(belum ada)"),
                    ]
                    for lane in item["lanes"]
                ],
            )
            if item["waiting_at_unheld_lanes"]:
                self.stdout.write(_("Menunggu di lajur tanpa petugas:"))
                write_table(
                    self,
                    [_("nomor registrasi"), _("langkah"), _("lajur"), _("instansi"), _("menunggu sejak")],
                    [
                        [c["reference"], c["step"], c["lane"], c["agency"], _shown(c["waiting_since"], item["zone"])]
                        for c in item["waiting_at_unheld_lanes"]
                    ],
                )


def _local(moment: Any, zone: str) -> str | None:
    """`moment` in the unit's local time, ISO 8601 with its offset (2026-03-02T09:15+08:00)."""
    if moment is None:
        return None
    return str(timezone.localtime(moment, zoneinfo.ZoneInfo(zone)).isoformat(timespec="minutes"))


def _shown(iso: str | None, zone: str) -> str:
    """The same for the table: 2026-03-02 09:15 WITA."""
    if iso is None:
        return ""
    moment = dt.datetime.fromisoformat(iso).astimezone(zoneinfo.ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M %Z")
