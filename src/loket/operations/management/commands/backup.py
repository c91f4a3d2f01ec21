"""`loket backup DEST_DIR [--allow-missing]`: the database and the documents, consistent, with a
manifest of hashes (loket.operations.backup; docs/operations.md, "Backup and restore").

Exits 0 with the backup written, 1 when a file is missing or changed (nothing is kept; with
`--allow-missing` they are recorded in the manifest instead) or the dump failed."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from loket.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "Cadangkan basis data dan berkas dokumen ke sebuah direktori baru, dengan manifest SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", metavar="DEST_DIR", help="direktori baru atau kosong untuk cadangan")
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="berkas yang hilang atau berubah dicatat di manifest, cadangan tetap dibuat",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        try:
            manifest = backup(Path(opts["dest"]), allow_missing=opts["allow_missing"])
        except BackupError as exc:
            for line in exc.problems:
                self.stderr.write(line)
            sys.exit(1)
        counts = manifest["counts"]
        self.stdout.write(
            _(
                "Cadangan ditulis ke %(dest)s dalam %(s).1f detik: basis data %(vendor)s (%(dump)s), "
                "%(cases)d permohonan, %(archives)d arsip tersegel, %(docs)d berkas (%(bytes)s)."
            )
            % {
                "dest": opts["dest"],
                "s": time.monotonic() - started,
                "vendor": manifest["database"]["vendor"],
                "dump": filesizeformat(manifest["database"]["size"]),
                "cases": counts["cases"],
                "archives": counts["archives"],
                "docs": counts["documents"],
                "bytes": filesizeformat(counts["bytes"]),
            }
        )
        for item in manifest["missing"]:
            self.stdout.write("  " + _("Tidak dicadangkan: %(path)s (%(reason)s).") % item)
