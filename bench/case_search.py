"""Benchmark: finding any case among 1,000,000 (loket.cases.search), not part of the suite.

Run: LOKET_DEBUG=1 .venv/bin/python bench/case_search.py [--cases 1000000] [--repeat 5] [--keep]

Builds a fresh SQLite file in a temporary LOKET_VAR_DIR, migrates it, installs a test SOP
(tests/sop_factory.py: unit `uji`, two agencies, a Verifikator Akun per agency, agency-scoped,
and a unit-wide Petugas Layanan), then writes `--cases` cases with `bulk_create` in batches
(no StepRuns: the search reads Case and, for the account's fields, Account): half per agency,
submitted over two years, a third open with a due time, each with its own NIP, user ID and
e-mail; then `ANALYZE`. It measures, as the agency's verifier (half of the cases in scope) and as
the unit-wide lane (all of them): search by NIP, by reference prefix, by e-mail, by name; the
first page and the next page in both orders. Each figure is the median of `--repeat` runs of
`search_cases(...)` (the queries and building the rows), in milliseconds, and the plan of each
query (`EXPLAIN QUERY PLAN`). Writes bench/results-case-search.json. No figure is a pass or fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10_000
RARE = "Theresia Wulandari"  # one case in 100,000
NAMES = ["Rina Kartika", "Yusuf Mandala", "Siti Rahmawati", "Agus Salim", "Dewi Lestari", "Bambang Sutejo"]


def prepare_environment() -> Path:
    var = Path(tempfile.mkdtemp(prefix="loket-bench-search-"))
    os.environ["LOKET_VAR_DIR"] = str(var)
    os.environ["LOKET_ENV_FILE"] = str(var / "no.env")
    os.environ.setdefault("LOKET_DEBUG", "1")
    os.environ.setdefault("LOKET_LOG_LEVEL", "WARNING")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))  # tests.sop_factory, tests.factories
    return var


def nip_of(i: int) -> str:
    """An 18-digit NIP of its own for every i below 10**7."""
    return f"19850312{i:07d}101"


def seed(count: int) -> tuple[Any, Any, Any]:
    """The unit, its SOP and staff, and `count` cases; (service, verifier, desk)."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from loket.cases.models import Case, Channel, Need, Status
    from tests.sop_factory import make_service

    call_command("migrate", verbosity=0, interactive=False)
    with override_settings(PASSWORD_HASHERS=["tests.hashers.FastArgon2PasswordHasher"]):
        service = make_service(lanes={2: "Petugas Layanan", 3: "Petugas Layanan"})
    agencies = [service.agency.pk, service.other_agency.pk]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    span = 2 * 365 * 24 * 3600
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        rows = []
        for i in range(first, min(count, first + BATCH)):
            created = start + dt.timedelta(seconds=span * i // count)
            open_case = i % 3 == 0
            rows.append(
                Case(
                    unit=service.unit,
                    sop=service.version,
                    reference=f"UJI-{created.year}-{i:07d}",
                    tracking_digest=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                    channel=Channel.WEB,
                    need=Need.PASSWORD,
                    status=Status.OPEN if open_case else (Status.DONE if i % 3 == 1 else Status.WAITING),
                    requester_user_id=f"ppk.bench{i:07d}",
                    requester_nip=nip_of(i),
                    requester_name=RARE if i % 100_000 == 7 else NAMES[i % len(NAMES)],
                    requester_email=f"Pemohon{i}@Contoh.go.id",
                    agency_id=agencies[i % 2],
                    current_step=5 if open_case else None,
                    current_lane="Verifikator Akun" if open_case else "",
                    current_due_at=now + dt.timedelta(minutes=(i % 2000) - 1000) if open_case else None,
                )
            )
        made = Case.objects.bulk_create(rows)
        # created_at is auto_now_add: set it after the insert, one statement per batch.
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE cases_case SET created_at = %s WHERE id = %s",
                [(start + dt.timedelta(seconds=span * (first + k) // count), c.pk) for k, c in enumerate(made)],
            )
        if (first // BATCH) % 20 == 0:
            print(f"  {first + len(rows):>9,} permohonan, {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  {count:,} permohonan ditulis dalam {time.perf_counter() - started:.0f} s", flush=True)
    return service, service.verifier, service.staff_of("Petugas Layanan")


class Recorder:
    """Keeps (sql, params) of every query run inside it (an execute wrapper)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any]] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


def plan_of(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def measure(label: str, fn: Any, repeat: int) -> dict[str, Any]:
    from django.db import connection

    fn()  # warm: the roles' cache, the statement cache
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        page = fn()
        times.append((time.perf_counter() - began) * 1000)
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        page = fn()
    plans = [plan_of(sql, params) for sql, params in recorder.queries]
    result = {
        "label": label,
        "median_ms": round(statistics.median(times), 2),
        "max_ms": round(max(times), 2),
        "rows": len(page.cases),
        "queries": len(recorder.queries),
        "plans": plans,
    }
    print(f"{label:<58} {result['median_ms']:>8.2f} ms  {result['rows']:>3} baris  {result['queries']} kueri")
    for plan in plans:
        for line in plan:
            print(f"      {line}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    var = prepare_environment()
    import django

    django.setup()
    from django.db import connection

    from loket.cases.search import CaseFilter, search_cases
    from loket.staff import rules

    try:
        service, verifier, desk = seed(args.cases)
        rules.roles_of(verifier), rules.roles_of(desk)
        target = args.cases // 2 + 1  # a case of the second agency, in the middle
        mine = args.cases // 2  # a case of the verifier's agency (even index), in the middle
        results = []
        for who, user, i in (("verifikator instansi", verifier, mine), ("petugas seluruh unit", desk, target)):
            year = (dt.datetime(2025, 1, 1) + dt.timedelta(days=2 * 365 * i / args.cases)).year
            searches = {
                "NIP": CaseFilter(q=nip_of(i)),
                "NIP dengan spasi": CaseFilter(q=f"{nip_of(i)[:8]} {nip_of(i)[8:14]} {nip_of(i)[14]} {nip_of(i)[15:]}"),
                "awalan nomor (1.000 cocok)": CaseFilter(q=f"uji-{year}-{i // 1000:04d}"),
                "nomor lengkap": CaseFilter(q=f"UJI-{year}-{i:07d}"),
                "e-mail": CaseFilter(q=f"pemohon{i}@contoh.go.id"),
                "user ID": CaseFilter(q=f"ppk.bench{i:07d}"),
                "nama (berisi, 1 dari 6)": CaseFilter(q="rina"),
                "nama (berisi, 1 dari 100.000)": CaseFilter(q="wulandari"),
            }
            for name, spec in searches.items():
                results.append(measure(f"{who}: {name}", lambda s=spec, u=user: search_cases(u, s), args.repeat))
            for sort, descending in (("submitted", True), ("due", False)):
                spec = CaseFilter(sort=sort, descending=descending)
                first = search_cases(user, spec)
                results.append(
                    measure(f"{who}: halaman 1, {sort} {'turun' if descending else 'naik'}",
                            lambda s=spec, u=user: search_cases(u, s), args.repeat)
                )  # fmt: skip
                results.append(
                    measure(
                        f"{who}: halaman 2 (setelah kursor), {sort}",
                        lambda s=spec, u=user, c=first.next_cursor: search_cases(u, s, after=c),
                        args.repeat,
                    )
                )
                results.append(
                    measure(
                        f"{who}: halaman sebelumnya (sebelum kursor), {sort}",
                        lambda s=spec, u=user, c=first.next_cursor: search_cases(u, s, before=c),
                        args.repeat,
                    )
                )
            spec = CaseFilter(overdue=True, sort="due", descending=False)
            results.append(
                measure(f"{who}: terlambat, tenggat naik", lambda s=spec, u=user: search_cases(u, s), args.repeat)
            )
        out = {
            "date": dt.date.today().isoformat(),
            "db": f"sqlite {connection.Database.sqlite_version}",
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
            "load_average_1min": os.getloadavg()[0],
            "cases": args.cases,
            "repeat": args.repeat,
            "results": results,
        }
        (ROOT / "bench" / "results-case-search.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        print("Hasil: bench/results-case-search.json")
    finally:
        connection.close()
        if args.keep:
            print(f"Disimpan: {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
