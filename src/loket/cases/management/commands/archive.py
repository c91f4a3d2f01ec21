"""`loket archive verify REF [--json]`: check a case's sealed archive record.

The check is `loket.cases.archive_verify.verify_archive` (the console's page calls the same);
this command prints its verdict in Indonesian and exits 0 when the record is intact, 1 when
something changed since sealing, 2 when the case is not found or not sealed yet.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from loket.cases.archive_verify import verify_archive


class Command(BaseCommand):
    help = "Periksa arsip tersegel sebuah permohonan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser(
            "verify",
            help=(
                "hitung ulang segel arsip dan SHA-256 setiap berkas, bandingkan dengan data sekarang; "
                "status keluar 0 utuh, 1 berubah, 2 tidak ditemukan atau belum diarsipkan"
            ),
            called_from_command_line=True,
        )
        p.add_argument("reference", metavar="NOMOR", help="nomor registrasi, mis. KALTIM-2026-000001")
        p.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        verdict = verify_archive(reference=opts["reference"], actor=None)
        if opts["json"]:
            self.stdout.write(json.dumps(verdict.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(verdict.summary())
            if verdict.record is not None:
                self.stdout.write("  " + _("SHA-256 disegel: %(sha)s") % {"sha": verdict.record.sha256})
                self.stdout.write("  " + _("SHA-256 dihitung ulang: %(sha)s") % {"sha": verdict.computed_sha256})
            for doc in verdict.documents:
                self.stdout.write(f"  [{doc.state}] {doc.sentence()}")
            for line in verdict.findings():
                if not any(line == d.sentence() for d in verdict.documents):
                    self.stdout.write(f"  - {line}")
        if verdict.exit_code:
            sys.stdout.flush()
            sys.exit(verdict.exit_code)
