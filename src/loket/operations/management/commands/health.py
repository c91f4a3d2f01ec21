"""`loket health [--json]`: the health endpoint's checks for a monitor without HTTP.

Prints the same checks as `GET /ops/health/` and exits 0 when "ok", 1 when "degraded" (worker
or mail late), 2 when "down" (the database does not answer)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from loket.operations.health import check_health


class Command(BaseCommand):
    help = "Periksa kesehatan Loket: basis data, detak pekerja, umur antrean e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="keluaran JSON (sama dengan /ops/health/)")

    def handle(self, *args: Any, **opts: Any) -> None:
        result = check_health()
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_("Status: %(status)s") % {"status": result.status})
            db = result.database
            self.stdout.write(
                "  "
                + (
                    _("Basis data (%(vendor)s): menjawab dalam %(ms)s ms.")
                    % {"vendor": db["vendor"], "ms": db["latency_ms"]}
                    if db["ok"]
                    else _("Basis data (%(vendor)s): TIDAK menjawab.") % {"vendor": db["vendor"]}
                )
            )
            if result.worker is not None:
                w = result.worker
                self.stdout.write(
                    "  "
                    + _("Pekerja: terakhir terlihat %(seen)s (%(age)s detik lalu), %(n)d proses aktif.")
                    % {
                        "seen": w["last_seen"] or "-",
                        "age": w["age_s"] if w["age_s"] is not None else "-",
                        "n": w["processes"],
                    }
                )
            if result.mail is not None:
                m = result.mail
                self.stdout.write(
                    "  "
                    + _("Kotak keluar: %(n)d e-mail menunggu, yang tertua %(age)s detik.")
                    % {
                        "n": m["pending"],
                        "age": m["oldest_pending_age_s"] if m["oldest_pending_age_s"] is not None else "-",
                    }
                )
            for line in result.problems:
                self.stdout.write("  - " + line)
        code = {"ok": 0, "degraded": 1}.get(result.status, 2)
        if code:
            sys.stdout.flush()
            sys.exit(code)
