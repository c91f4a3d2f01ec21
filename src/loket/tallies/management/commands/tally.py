"""`loket tally rebuild [--unit KODE ...]`: count every finished step again into the reports'
tallies (loket.tallies), e.g. after restoring steps from a backup; with `--unit`, only those
units' (the others are left as they are). `loket tally check`: say whether the tallies hold
exactly the finished steps (their number per unit), and which units to rebuild if not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum

from loket.cases.models import StepRun
from loket.tallies.models import StepTally
from loket.tallies.services import rebuild
from loket.units.models import Unit


class Command(BaseCommand):
    help = "Rekap langkah untuk laporan: rebuild (hitung ulang) atau check (bandingkan dengan langkah)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rebuild", "check"])
        parser.add_argument(
            "--unit", action="append", default=[], metavar="KODE", help="hanya unit ini (boleh diulang)"
        )

    def handle(self, *args: Any, action: str, unit: list[str], **opts: Any) -> None:
        if action == "rebuild":
            units = None
            if unit:
                found = dict(Unit.objects.filter(kode__in=unit).values_list("kode", "pk"))
                unknown = sorted(set(unit) - found.keys())
                if unknown:
                    raise CommandError(f"Unit tidak dikenal: {', '.join(unknown)}.")
                units = set(found.values())
            counted = rebuild(units=units)
            where = f" unit {', '.join(sorted(set(unit)))}" if unit else ""
            self.stdout.write(f"{counted} langkah{where} selesai direkap.")
            return
        steps = dict(
            StepRun.objects.filter(finished_at__isnull=False)
            .values("case__unit__kode")
            .annotate(n=Count("pk"))
            .values_list("case__unit__kode", "n")
        )
        tallied = dict(StepTally.objects.values("unit__kode").annotate(n=Sum("n")).values_list("unit__kode", "n"))
        differ = {k for k in steps.keys() | tallied.keys() if steps.get(k, 0) != tallied.get(k, 0)}
        for kode in sorted(steps.keys() | tallied.keys()):
            mark = "BEDA" if kode in differ else "sama"
            self.stdout.write(f"{kode:<12} langkah {steps.get(kode, 0):>9}  rekap {tallied.get(kode, 0):>9}  {mark}")
        if differ:
            only = " ".join(f"--unit {kode}" for kode in sorted(differ))
            self.stdout.write(f"Rekap berbeda dengan langkah: jalankan `loket tally rebuild {only}`.")
