"""`loket archive verify REF [--json]`: check a case's sealed archive record;
`loket archive retention [--dry-run]`: remove the documents past their unit's retention period.

The check is `loket.cases.archive_verify.verify_archive` (the console's page calls the same);
this command prints its verdict in Indonesian and exits 0 when the record is intact, 1 when
something changed since sealing, 2 when the case is not found or not sealed yet. The removal is
`loket.cases.retention.remove_expired_documents` (the worker's periodic job runs the same); it
prints one line per case and a total.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases.archive_verify import verify_archive
from loket.cases.retention import remove_expired_documents
from loket.sop.render.document import tanggal


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
        r = sub.add_parser(
            "retention",
            help=(
                "hapus berkas permohonan yang sudah diarsipkan lebih lama dari masa retensi unitnya; "
                "catatan arsip dan SHA-256 berkas tetap, segel tetap bisa diperiksa"
            ),
            called_from_command_line=True,
        )
        r.add_argument(
            "--dry-run", action="store_true", help="hanya tampilkan yang akan dihapus, tanpa mengubah apa pun"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "retention":
            self.retention(dry_run=opts["dry_run"])
            return
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

    def retention(self, *, dry_run: bool) -> None:
        run = remove_expired_documents(dry_run=dry_run)
        for case in sorted(run.cases, key=lambda c: c.reference):
            self.stdout.write(
                "  "
                + _(
                    "%(ref)s (unit %(unit)s, diarsipkan %(date)s, masa retensi %(years)d tahun): %(n)d berkas, %(size)s"
                )
                % {
                    "ref": case.reference,
                    "unit": case.unit,
                    "date": tanggal(timezone.localtime(case.sealed_at).date()),
                    "years": case.years,
                    "n": case.documents,
                    "size": filesizeformat(case.bytes),
                }
            )
        counts = {"cases": len(run.cases), "n": run.documents, "size": filesizeformat(run.bytes)}
        if dry_run:
            self.stdout.write(
                _("Uji coba: %(n)d berkas (%(size)s) dari %(cases)d arsip akan dihapus; tidak ada yang diubah.")
                % counts
            )
        else:
            self.stdout.write(_("Retensi: %(n)d berkas (%(size)s) dari %(cases)d arsip dihapus.") % counts)
