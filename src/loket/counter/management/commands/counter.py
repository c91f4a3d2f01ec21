"""`loket counter setup UNIT [--counters N] [--board]`: the queue services of a unit's SOPs, its
counters and a display board; prints the board's address."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.counter import services
from loket.counter.models import Board
from loket.units.models import Unit


class Command(BaseCommand):
    help = "Antrian loket: layanan, loket dan papan sebuah unit"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        setup = sub.add_parser("setup", help="layanan antrian dari SOP unit, loket 1..N, satu papan")
        setup.add_argument("unit")
        setup.add_argument("--counters", type=int, default=2)
        setup.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(kode=options["unit"]).first()
        if unit is None:
            raise CommandError(f"unit {options['unit']} tidak dikenal")
        rows = services.setup_services(unit)
        if not rows:
            raise CommandError(f"tidak ada SOP {unit.kode} yang memberi nomor antrian (aksi beri-nomor-antrian)")
        for row in rows:
            self.stdout.write(f"layanan {row.prefix}: {row.sop_kode}")
        for counter in services.setup_counters(unit, options["counters"]):
            self.stdout.write(f"{counter.name}: {', '.join(s.prefix for s in counter.services.all())}")
        board = Board.objects.filter(unit=unit).first() or Board.objects.create(unit=unit)
        self.stdout.write(f"papan: {options['base_url'].rstrip('/')}/papan/{board.token}/")
