"""`loket accounts ...`: import accounts of a unit from a CSV file, and list them.

`loket accounts import FILE.csv --unit KODE [--format text|json] [--dry-run]` prints one line per
row (line number, user ID, outcome, reasons) and the totals, and exits 1 when any row (or the
whole file) was refused. The JSON shape is documented in docs/directory.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from loket.directory.models import Account
from loket.directory.services import OUTCOME_LABELS, ImportRefused, import_accounts, read_account_rows
from loket.units.models import Unit

PROGRESS_FROM_ROWS = 200


class Command(BaseCommand):
    help = "Impor dan daftar akun direktori suatu unit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("import", help="impor akun dari berkas CSV", called_from_command_line=True)
        p.add_argument("file", metavar="FILE.csv")
        p.add_argument("--unit", required=True, metavar="KODE")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--dry-run", action="store_true", help="periksa saja, tanpa menyimpan")

        p = sub.add_parser("list", help="daftar akun suatu unit", called_from_command_line=True)
        p.add_argument("--unit", required=True, metavar="KODE")
        p.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "do_" + opts["action"])(**opts)

    def do_import(self, file: str, unit: str, format: str, dry_run: bool, **_: Any) -> None:
        the_unit = _unit(unit)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: berkas tidak ditemukan")
        try:
            rows = read_account_rows(path)
            # The bar goes to stderr, and only to a terminal: stdout stays clean for --format json.
            show = len(rows) > PROGRESS_FROM_ROWS and self.stderr.isatty()
            with tqdm(total=len(rows), file=sys.stderr, disable=not show, unit="baris", leave=False) as bar:
                report = import_accounts(
                    rows_or_file=rows, unit=the_unit, dry_run=dry_run, on_row=lambda: bar.update(1)
                )
        except ImportRefused as exc:
            if format == "json":
                self.stdout.write(json.dumps({"unit": unit, "error": str(exc)}, ensure_ascii=False, indent=2))
            else:
                self.stderr.write(f"{file}: {exc}")
                self.stderr.write("Tidak ada akun yang disimpan.")
            sys.exit(1)

        if format == "json":
            self.stdout.write(json.dumps({**report.as_dict(), "error": None}, ensure_ascii=False, indent=2))
        else:
            for note in report.notes:
                self.stdout.write(f"Catatan: {note}")
            for row in report.rows:
                text = f"baris {row.line}: {row.user_id or '(tanpa user ID)'}: {OUTCOME_LABELS[row.outcome]}"
                if row.reasons:
                    text += " — " + "; ".join(row.reasons)
                if row.changed:
                    text += " (" + ", ".join(row.changed) + ")"
                if row.warnings:
                    text += " [peringatan: " + "; ".join(row.warnings) + "]"
                self.stdout.write(text)
            totals = report.totals()
            self.stdout.write(
                f"Jumlah {totals['rows']} baris: {totals['created']} dibuat, {totals['updated']} diperbarui, "
                f"{totals['unchanged']} tidak berubah, {totals['refused']} ditolak."
            )
            if report.new_agencies:
                self.stdout.write("Instansi baru: " + ", ".join(report.new_agencies))
            if dry_run:
                self.stdout.write("Uji coba (--dry-run): tidak ada yang disimpan.")
        if report.refused:
            sys.exit(1)

    def do_list(self, unit: str, format: str, **_: Any) -> None:
        accounts = Account.objects.filter(unit=_unit(unit)).select_related("agency").order_by("user_id")
        rows = [
            {
                "user_id": a.user_id,
                "name": a.name,
                "nip": a.nip,
                "email": a.email,
                "role": a.role,
                "agency": a.agency.name,
                "active": a.is_active,
                "must_change_password": a.must_change_password,
            }
            for a in accounts
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        headers = {"user_id": "User ID", "name": "Nama", "nip": "NIP", "role": "Peran", "agency": "Instansi"}
        table = [list(headers.values())] + [[str(r[k]) for k in headers] for r in rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
        for i, line in enumerate(table):
            status = "" if i == 0 else ("" if rows[i - 1]["active"] else "  (tidak aktif)")
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + status)
        self.stdout.write(f"{len(rows)} akun")


def _unit(kode: str) -> Unit:
    unit = Unit.objects.filter(kode=kode).first()
    if unit is None:
        known = (
            ", ".join(Unit.objects.values_list("kode", flat=True))
            or "belum ada; pasang dulu: loket sop install --builtin"
        )
        raise CommandError(f"unit {kode!r} tidak dikenal (unit yang ada: {known})")
    return unit
