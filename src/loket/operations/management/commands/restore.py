"""`loket restore SRC_DIR [--force]`: a backup of `loket backup` into an empty instance, then
every sealed archive verified (loket.operations.backup; docs/operations.md).

Exits 0 when every archive verifies, 1 when one does not, 2 when the restore was refused before
anything was touched (a hash of the backup does not match, or the target holds data)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from loket.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "Pulihkan cadangan `loket backup` ke instans kosong lalu periksa setiap segel arsip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", metavar="SRC_DIR", help="direktori cadangan (berisi manifest.json)")
        parser.add_argument(
            "--force", action="store_true", help="timpa basis data dan berkas tujuan walaupun tidak kosong"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        try:
            result = restore(Path(opts["src"]), force=opts["force"])
        except BackupError as exc:
            for line in exc.problems:
                self.stderr.write(line)
            sys.exit(2)
        self.stdout.write(
            _(
                "Dipulihkan dari %(src)s (dibuat %(created)s, Loket %(version)s) dalam %(s).1f detik: "
                "%(files)d berkas; %(intact)d dari %(archives)d arsip tersegel UTUH."
            )
            % {
                "src": opts["src"],
                "created": result.manifest["created_at"],
                "version": result.manifest["loket_version"],
                "s": time.monotonic() - started,
                "files": result.files,
                "intact": result.intact,
                "archives": result.archives,
            }
        )
        for reference, findings in result.broken:
            self.stdout.write("  " + _("Arsip %(ref)s TIDAK utuh:") % {"ref": reference})
            for line in findings:
                self.stdout.write("    - " + line)
        for path in result.external_missing:
            self.stdout.write(
                "  "
                + _(
                    "Berkas di luar penyimpanan belum ada di server ini: %(path)s (salin dari folder external/ cadangan)."
                )
                % {"path": path}
            )
        if result.swept:
            self.stdout.write(
                "  "
                + _("%(n)d berkas di penyimpanan yang tidak ada di cadangan dihapus (--force).")
                % {"n": len(result.swept)}
            )
        if not result.ok:
            sys.stdout.flush()
            sys.exit(1)
