"""`loket sop ...`: check, install, list, show, trace the paths of, and render SOP files.

The `--format json` shapes are a public interface, documented in docs/cli.md.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from loket.catalog import selectors
from loket.catalog.models import SopVersion
from loket.catalog.services import SopRejected, install_builtin, install_sop
from loket.cli_output import write_table
from loket.sop.check import check_file
from loket.sop.load import read_yaml
from loket.sop.paths import all_paths, happy_path
from loket.sop.render import FORMATS, render
from loket.units.models import Unit
from loket.units.services import UNITS_FILE


class Command(BaseCommand):
    help = "Periksa, pasang, daftar, tampilkan, telusuri jalur dan cetak SOP."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("check", help="periksa berkas SOP terhadap semua aturan", called_from_command_line=True)
        p.add_argument("files", nargs="+", metavar="FILE")
        p.add_argument("--format", choices=["text", "json"], default="text")

        p = sub.add_parser("install", help="pasang berkas SOP (baru atau versi baru)", called_from_command_line=True)
        p.add_argument("files", nargs="*", metavar="FILE")
        p.add_argument("--builtin", action="store_true", help="pasang unit dan semua SOP bawaan")

        p = sub.add_parser("list", help="daftar SOP terpasang (versi terbaru)", called_from_command_line=True)
        p.add_argument("--format", choices=["table", "json"], default="table")

        p = sub.add_parser("show", help="isi lengkap satu SOP", called_from_command_line=True)
        p.add_argument("kode")
        p.add_argument("--versi", type=int)
        p.add_argument("--format", choices=["yaml", "json"], default="yaml")

        p = sub.add_parser("paths", help="setiap jalur dari langkah 1 sampai selesai", called_from_command_line=True)
        p.add_argument("kode")
        p.add_argument("--versi", type=int)
        p.add_argument("--format", choices=["table", "json"], default="table")

        p = sub.add_parser("render", help="cetak dokumen resmi atau diagram alir", called_from_command_line=True)
        p.add_argument("kode")
        p.add_argument("--versi", type=int)
        p.add_argument("--format", choices=list(FORMATS), required=True)
        p.add_argument("-o", "--output", required=True, metavar="FILE", help="berkas keluaran, atau - untuk stdout")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "do_" + opts["action"])(**opts)

    # --- checking and installing ---------------------------------------------------------------

    def do_check(self, files: list[str], format: str, **_: Any) -> None:
        units = _known_units()
        results = [check_file(f, known_units=units) for f in files]
        violations = [v for r in results for v in r.violations]
        if format == "json":
            payload = [
                {"file": r.file, "valid": not r.violations, "violations": [v.as_dict() for v in r.violations]}
                for r in results
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            for r in results:
                for v in r.violations:
                    self.stdout.write(str(v))
                if not r.violations:
                    self.stdout.write(f"{r.file}: baik")
            if violations:
                self.stdout.write(
                    f"{len(violations)} pelanggaran dalam {sum(1 for r in results if r.violations)} berkas"
                )
        if violations:
            sys.exit(1)

    def do_install(self, files: list[str], builtin: bool, **_: Any) -> None:
        if not files and not builtin:
            raise CommandError("sebutkan berkas SOP, atau --builtin")
        try:
            done = install_builtin() if builtin else []
            for f in files:
                path = Path(f)
                if not path.is_file():
                    raise CommandError(f"{f}: berkas tidak ditemukan")
                done.append(install_sop(text=path.read_text(encoding="utf-8"), source=path.name))
        except SopRejected as exc:
            for violation in exc.violations:
                self.stderr.write(str(violation))
            sys.exit(1)
        for item in done:
            v = item.version
            state = "dipasang" if item.created else "sudah terpasang, tidak berubah"
            self.stdout.write(f"{v.kode} versi {v.versi}: {state} (sha256 {v.sha256[:12]})")
            for warning in item.warnings:  # a lane nobody holds: installed all the same
                self.stderr.write(warning)

    # --- reading -------------------------------------------------------------------------------

    def do_list(self, format: str, **_: Any) -> None:
        rows = []
        for version in selectors.latest_versions():
            sop = selectors.parsed(version)
            happy = happy_path(sop)
            rows.append(
                {
                    "kode": sop.kode,
                    "versi": sop.versi,
                    "unit": sop.unit,
                    "nomor": sop.nomor,
                    "nama": sop.nama,
                    "layanan": sop.layanan,
                    "steps": len(sop.kegiatan),
                    "happy_path_minutes": happy.minutes if happy else None,
                }
            )
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        write_table(
            self,
            ["kode", "versi", "unit", "nomor", "nama", "langkah", "menit"],
            [
                [r["kode"], r["versi"], r["unit"], r["nomor"], r["nama"], r["steps"], r["happy_path_minutes"]]
                for r in rows
            ],
        )

    def do_show(self, kode: str, versi: int | None, format: str, **_: Any) -> None:
        version = _version(kode, versi)
        if format == "json":
            data = selectors.parsed(version).model_dump(mode="json")
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(version.content.rstrip("\n"))

    def do_paths(self, kode: str, versi: int | None, format: str, **_: Any) -> None:
        sop = selectors.parsed(_version(kode, versi))
        paths = all_paths(sop)
        if format == "json":
            payload = {"kode": sop.kode, "versi": sop.versi, "paths": [p.as_dict() for p in paths]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        write_table(
            self,
            ["#", "langkah", "menit", "N/A", "jalur utama", "berakhir dengan"],
            [
                [i, " → ".join(str(s) for s in p.steps), p.minutes, p.waits, "ya" if p.happy else "", p.ends_with]
                for i, p in enumerate(paths, 1)
            ],
        )

    def do_render(self, kode: str, versi: int | None, format: str, output: str, **_: Any) -> None:
        version = _version(kode, versi)
        data = render(selectors.parsed(version), format, unit_name=version.unit.nama, logo=version.unit.logo or None)
        if output == "-":
            out = sys.stdout.buffer
            out.write(data)
            out.flush()
        else:
            Path(output).write_bytes(data)
            self.stdout.write(f"{output}: {len(data)} bita")


def _version(kode: str, versi: int | None) -> SopVersion:
    try:
        return selectors.get_version(kode, versi)
    except SopVersion.DoesNotExist as exc:
        raise CommandError(f"{exc}; lihat `loket sop list`") from exc


def _known_units() -> set[str]:
    units = {row["kode"] for row in read_yaml(UNITS_FILE.read_text(encoding="utf-8"))}
    with contextlib.suppress(DatabaseError):  # no database yet (before `migrate`): the units file is enough
        units.update(Unit.objects.values_list("kode", flat=True))
    return units
