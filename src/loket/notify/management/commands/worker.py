"""`loket worker`: run background tasks, send the outbox, run periodic jobs (see notify.worker).

`loket worker` runs until stopped (SIGTERM or Ctrl+C let the mail being sent finish);
`loket worker --once` runs every queued task, sweeps once and exits. Both end with one summary line.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from loket.notify.worker import JobNotFound, run_worker


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = _("Menjalankan tugas latar: mengirim e-mail dari kotak keluar dan pekerjaan berkala.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help=_("Jalankan semua tugas yang antre, sapu sekali, lalu berhenti.")
        )
        parser.add_argument(
            "--sweep-seconds",
            type=_positive,
            default=60.0,
            help=_("Jeda antar penyapuan kotak keluar dan pekerjaan berkala, dalam detik (bawaan: 60)."),
        )
        parser.add_argument(
            "--interval",
            type=_positive,
            default=1.0,
            help=_("Jeda saat antrean kosong sebelum memeriksa lagi, dalam detik (bawaan: 1)."),
        )
        parser.add_argument(
            "--queue-name",
            default="*",
            help=_("Antrean yang dijalankan, dipisah koma; * berarti semua (bawaan)."),
        )
        parser.add_argument("--worker-id", default=None, help=_("Nama unik pekerja ini (bawaan: acak)."))

    def handle(self, *args: Any, **options: Any) -> None:
        # The task library announces every round at INFO; that is noise for a loop that polls.
        if options["verbosity"] < 2:
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        try:
            summary = run_worker(
                once=options["once"],
                interval=options["interval"],
                sweep_seconds=options["sweep_seconds"],
                queue_names=options["queue_name"].split(","),
                worker_id=options["worker_id"],
                announce=self.stdout.write,
            )
        except JobNotFound as exc:
            raise CommandError(
                _("Pekerjaan berkala %(path)s di LOKET_PERIODIC_JOBS tidak ditemukan.") % {"path": exc.args[0]}
            ) from exc
        self.stdout.write(summary.line())
        if summary.jobs_failed and options["once"]:
            raise CommandError(_("Ada pekerjaan berkala yang gagal; lihat log."))
