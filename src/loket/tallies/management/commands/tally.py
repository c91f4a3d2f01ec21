"""`loket tally rebuild`: count every finished step again into the reports' tallies
(loket.tallies), e.g. after restoring steps from a backup. `loket tally check`: say whether the
tallies hold exactly the finished steps (their number per unit)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count, Sum

from loket.cases.models import StepRun
from loket.tallies.models import StepTally
from loket.tallies.services import rebuild


class Command(BaseCommand):
    help = "Rekap langkah untuk laporan: rebuild (hitung ulang) atau check (bandingkan dengan langkah)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rebuild", "check"])

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        if action == "rebuild":
            counted = rebuild()
            self.stdout.write(f"{counted} langkah selesai direkap.")
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
            self.stdout.write("Rekap berbeda dengan langkah: jalankan `loket tally rebuild`.")
