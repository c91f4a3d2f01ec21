"""`loket mailbox poll [--once] [--unit KODE] [--interval N]`: read the units' mailboxes."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.mailbox.services import poll_all


class Command(BaseCommand):
    help = "Membaca kotak surat IMAP unit: surel baru menjadi permohonan atau melengkapi berkas."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="periksa kotak surat")
        poll.add_argument("--once", action="store_true", help="periksa sekali lalu keluar")
        poll.add_argument("--unit", default=None, help="hanya kotak surat unit ini (kode)")
        poll.add_argument("--interval", type=float, default=60.0, help="detik antarpemeriksaan (bawaan 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        failed = False
        while True:
            results = poll_all(unit=options["unit"])
            if not results:
                raise CommandError(
                    "Tidak ada kotak surat aktif" + (f" untuk unit {options['unit']}." if options["unit"] else ".")
                )
            for result in results:
                self.stdout.write(result.summary())
                failed = failed or bool(result.error)
            if options["once"]:
                break
            slept = 0.0
            while slept < options["interval"] and not stopping:
                time.sleep(0.5)
                slept += 0.5
            if stopping:
                break
        if options["once"] and failed:
            raise CommandError("Sebagian kotak surat tidak dapat dibaca.")
