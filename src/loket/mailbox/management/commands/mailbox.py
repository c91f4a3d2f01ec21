"""`loket mailbox poll [--once] [--unit KODE] [--interval N]`: read the units' mailboxes.
`loket mailbox set KODE --host H --user U [...]`: configure a unit's mailbox, the password from
an environment variable (never an argument: it would show in the process list and the shell's
history). `loket mailbox list`: the configured mailboxes, without their passwords."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.mailbox.models import Mailbox
from loket.mailbox.services import poll_all
from loket.units.models import Unit


class Command(BaseCommand):
    help = "Membaca kotak surat IMAP unit: e-mail baru menjadi permohonan atau melengkapi berkas."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="periksa kotak surat")
        poll.add_argument("--once", action="store_true", help="periksa sekali lalu keluar")
        poll.add_argument("--unit", default=None, help="hanya kotak surat unit ini (kode)")
        poll.add_argument("--interval", type=float, default=60.0, help="detik antarpemeriksaan (bawaan 60)")
        put = sub.add_parser("set", help="atur kotak surat sebuah unit")
        put.add_argument("unit", help="kode unit")
        put.add_argument("--host", required=True)
        put.add_argument("--port", type=int, default=None)
        put.add_argument("--security", choices=Mailbox.Security.values, default=Mailbox.Security.SSL)
        put.add_argument("--user", required=True)
        put.add_argument(
            "--password-env",
            default="LOKET_MAILBOX_PASSWORD",
            help="variabel lingkungan yang memuat password (bawaan LOKET_MAILBOX_PASSWORD)",
        )
        put.add_argument("--inbox", default="INBOX")
        put.add_argument("--processed", default="Diproses")
        put.add_argument("--failed", default="Gagal")
        put.add_argument("--disabled", action="store_true", help="simpan tetapi jangan diperiksa")
        sub.add_parser("list", help="daftar kotak surat")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "set":
            self._set(options)
        elif action == "list":
            for box in Mailbox.objects.select_related("unit").order_by("unit__kode"):
                state = "aktif" if box.enabled else "nonaktif"
                self.stdout.write(
                    f"{box.unit.kode}: {box.username} @ {box.host}:{box.port} ({box.security}, {state}); "
                    f"terakhir diperiksa {box.last_polled_at or '-'}{'; galat: ' + box.last_error if box.last_error else ''}"
                )
        else:
            self._poll(options)

    def _set(self, options: dict[str, Any]) -> None:
        unit = Unit.objects.filter(kode=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Unit {options['unit']} tidak dikenal.")
        password = os.environ.get(options["password_env"], "")
        box = Mailbox.objects.filter(unit=unit).first() or Mailbox(unit=unit)
        if not password and not box.password_sealed:
            raise CommandError(f"Isi password kotak surat di variabel lingkungan {options['password_env']}.")
        default_port = {"ssl": 993, "starttls": 143, "none": 143}[options["security"]]
        box.host = options["host"]
        box.port = options["port"] or default_port
        box.security = options["security"]
        box.username = options["user"]
        box.inbox_folder = options["inbox"]
        box.processed_folder = options["processed"]
        box.failed_folder = options["failed"]
        box.enabled = not options["disabled"]
        if password:
            box.set_password(password)
        box.save()
        self.stdout.write(f"Kotak surat {unit.kode} disimpan: {box.username} @ {box.host}:{box.port}.")

    def _poll(self, options: dict[str, Any]) -> None:
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
                where = f" untuk unit {options['unit']}" if options["unit"] else ""
                raise CommandError(f"Tidak ada kotak surat aktif{where}.")
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
