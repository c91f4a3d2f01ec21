"""Benchmark: requests through submit and decide, the outbox worker, and the staff work queue
(not part of the suite).

Run: LOKET_DEBUG=1 .venv/bin/python bench/cases.py [--db sqlite|postgres] [--cases 1000] [--open 10000]

Builds its own fresh database (a temporary SQLite file, or the PostgreSQL database `loket_bench`,
dropped and created again), installs the built-in units and SOPs, seeds staff and directory
accounts, then measures, in server time (the service call or the request through Django's test
client, nothing around it):

1. `--cases` requests submitted and decided (the Admin Agency answers steps 2 and 5 "ya" in one
   submit; the reset effect, the credential link and the mail run inside decide), 80 % kaltim,
   10 % magelang, 10 % sbt, asking for a new password, with the production hasher settings; then a
   fifth as many asking for the user ID only (no reset, no hash), to show what the reset costs;
   and the hash of a temporary password alone (the reset's hasher, and Django's default argon2);
2. one `loket worker --once` over the outbox all of this filled;
3. the work queue of the Admin Agency of Dinas PUPR (kaltim) with 100, 1,000 and `--open` open
   cases in their queue (and as many again of other agencies of the unit, which the queue must
   leave out): the page `/konsol/` (first and last page) and `work_queue(user)` sliced alone.

Prints a table with PASS/OVER against the budgets, profiles what is over with cProfile, and
writes bench/results-cases-<db>.json. Always exits 0 when it ran to the end.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_NAME = "loket_bench"

BUDGET_DECIDE_P95_MS = 50.0
BUDGET_QUEUE_P95_MS = 100.0
FAST_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]  # for seeding staff and accounts only
PROFILE_RUNS = 20

# Which SOP, staff member and channel serve a case of each unit (as in tests/cases/test_services.py).
UNITS = {
    "kaltim": ("kaltim-reset-ppk", "aa_pupr", "Dinas PUPR", "PPK", "web"),
    "magelang": ("magelang-reset-ppk", "aa_magelang", "Dinas Pendidikan", "PPK", "web"),
    "sbt": ("sbt-reset-pokja", "aa_sbt", "Dinas Perhubungan", "Pokja Pemilihan", "email"),
}
# Other agencies of kaltim whose open cases share the unit and lane but not the queue.
OTHER_AGENCIES = ["Dinas Kesehatan", "BPKAD", "Dinas Perhubungan", "Bappeda"]


def unit_of(index: int) -> str:
    return {8: "magelang", 9: "sbt"}.get(index % 10, "kaltim")


# -- environment and database ------------------------------------------------------------------


def prepare_environment(db: str, pg_server: str) -> Path:
    """Point the settings at a fresh database and a temporary var dir; returns that dir."""
    var = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    os.environ["LOKET_VAR_DIR"] = str(var)
    os.environ["LOKET_ENV_FILE"] = str(var / "no.env")  # never pick up a checkout's var/loket.env
    os.environ.setdefault("LOKET_DEBUG", "1")
    # The worker logs every mail at INFO; thousands of lines would bury the table.
    os.environ.setdefault("LOKET_LOG_LEVEL", "WARNING")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("LOKET_TASKS_BACKEND", None)  # the production task backend (database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    else:
        _pg_admin(pg_server, f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = pg_server.rstrip("/") + "/" + PG_NAME
    sys.path.insert(0, str(ROOT))  # tests.factories, tests.hashers
    return var


def _pg_admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server.rstrip("/") + "/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def cleanup(db: str, pg_server: str, var: Path, keep: bool) -> None:
    from django.db import connections

    connections.close_all()
    if keep:
        print(f"\nDisimpan: {var}" + (f" dan basis data {PG_NAME}" if db == "postgres" else ""))
        return
    if db == "postgres":
        _pg_admin(pg_server, f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    shutil.rmtree(var, ignore_errors=True)


# -- measuring -----------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def stats(times: list[float], queries: list[int]) -> dict[str, Any]:
    return {
        "n": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95(times), 2),
        "max_ms": round(max(times), 2),
        "queries_median": statistics.median(queries),
        "queries_min": min(queries),
        "queries_max": max(queries),
    }


def measure(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """Run fn once; its result, the time in ms and the number of queries it made."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log keeps 9,000 queries; once full, CaptureQueriesContext would count none
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - start) * 1000
    return result, elapsed, len(captured)


class QueryCounter:
    """Counts queries through an execute wrapper (no 9,000-query cap as in connection.queries)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def profile(fn: Callable[[], Any], runs: int, focus: str = "") -> str:
    """cProfile of `runs` calls: the top by own time and by cumulative time (only the functions
    whose path holds `focus`, e.g. "loket", when given)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        fn()
    profiler.disable()
    out = io.StringIO()
    printed = pstats.Stats(profiler, stream=out)
    printed.sort_stats("tottime").print_stats(18)
    printed.sort_stats("cumulative").print_stats(*((focus, 45) if focus else (30,)))
    return out.getvalue()


# -- seeding ---------------------------------------------------------------------------------------


def seed(total_accounts: int) -> tuple[Any, dict[str, list[Any]]]:
    """Units, SOPs, the personas of the tests (cheap argon2) and a pool of directory accounts per unit."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test.utils import override_settings

    from loket.catalog.services import install_builtin
    from loket.directory.models import Account
    from loket.units.models import Unit
    from tests.factories import agency, make_people

    call_command("migrate", verbosity=0, interactive=False)
    install_builtin()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        people = make_people()
        old_hash = make_password("Lama-Sekali-1!")
    pools: dict[str, list[Any]] = {}
    for n, (kode, (_sop, _staff, agency_name, role, _channel)) in enumerate(UNITS.items()):
        unit = Unit.objects.get(kode=kode)
        home = agency(kode, agency_name)
        Account.objects.bulk_create(
            [
                Account(
                    unit=unit,
                    user_id=f"{role.split()[0].lower()}.bench{i:05d}",
                    name=f"Pemilik Akun {kode} {i}",
                    nip=f"1985031220{n}{i:07d}",
                    email=f"akun{i}@{kode}.go.id",
                    phone="081234567890",
                    role=role,
                    agency=home,
                    satker="Sekretariat",
                    sk_number=f"800/{i}/2026",
                    password=old_hash,
                )
                for i in range(total_accounts)
            ],
            batch_size=1000,
        )
        pools[kode] = list(Account.objects.filter(unit=unit, user_id__contains=".bench").order_by("-user_id"))
    return people, pools


# -- submit and decide -------------------------------------------------------------------------------


class Runner:
    """Submits and decides cases, one SOP per unit, timing each service call."""

    def __init__(self, people: Any, pools: dict[str, list[Any]]) -> None:
        from tests.factories import pdf_bytes, png_bytes, sop_version

        self.people = people
        self.pools = pools
        self.versions = {kode: sop_version(spec[0]) for kode, spec in UNITS.items()}
        self.files = [("surat-permohonan", "surat.pdf", pdf_bytes()), ("sk-pengangkatan", "sk.png", png_bytes())]
        self.serial = 0

    def submit(self, unit: str, need: str = "password") -> tuple[Any, float, int]:
        from loket.cases import services

        account = self.pools[unit].pop()
        self.serial += 1
        serial = self.serial
        submitted, ms, queries = measure(
            lambda: services.submit_request(
                sop_version=self.versions[unit],
                channel=UNITS[unit][4],
                need=need,
                name=account.name,
                email=f"pemohon{serial}@gmail.com",
                user_id=account.user_id,
                agency_id=account.agency_id,
                files=self.files,
            )
        )
        return submitted.case, ms, queries

    def decide(self, case: Any) -> tuple[Any, float, int]:
        from loket.cases import services
        from loket.cases.services import Decision, StepAnswer
        from loket.staff import rules

        actor = getattr(self.people, UNITS[case.unit.kode][1])
        rules.forget_roles(actor)  # a request reads the roles once; so does each decide here
        decided, ms, queries = measure(
            lambda: services.decide(
                case_id=case.pk,
                actor=actor,
                version=case.version,
                decision=Decision(answers=[StepAnswer(2, "ya"), StepAnswer(5, "ya")]),
            )
        )
        assert decided.applied == [2, 5], decided.applied
        return decided.case, ms, queries


def run_cases(runner: Runner, count: int, *, first_index: int, need: str = "password") -> dict[str, Any]:
    cases, submit_t, submit_q = [], [], []
    for i in range(count):
        case, ms, queries = runner.submit(unit_of(first_index + i), need)
        cases.append(case)
        submit_t.append(ms)
        submit_q.append(queries)
    decide_t, decide_q = [], []
    for case in cases:
        _case, ms, queries = runner.decide(case)
        decide_t.append(ms)
        decide_q.append(queries)
    return {"submit": stats(submit_t, submit_q), "decide": stats(decide_t, decide_q), "ids": [c.pk for c in cases]}


def reset_hasher() -> Any:
    """The hasher the local directory's reset uses for a temporary password (the configured
    default where it names none of its own)."""
    from django.contrib.auth.hashers import get_hasher

    try:
        from loket.directory.hashers import TemporaryArgon2PasswordHasher
    except ImportError:
        return get_hasher()
    return TemporaryArgon2PasswordHasher()


def describe(hasher: Any) -> str:
    costs = ("time_cost", "memory_cost", "parallelism")
    return f"{type(hasher).__name__} " + " ".join(f"{c}={getattr(hasher, c, '?')}" for c in costs)


def time_hasher(hasher: Any, runs: int = 20) -> dict[str, Any]:
    """make_password alone with `hasher`: the share of decide that is the reset's hash."""
    from django.contrib.auth.hashers import make_password

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        make_password("Sementara-Bench-1", hasher=hasher)
        times.append((time.perf_counter() - start) * 1000)
    return {**stats(times, [0]), "hasher": describe(hasher)}


def run_worker() -> dict[str, Any]:
    from django.core import mail
    from django.core.management import call_command, get_commands
    from django.db import connection

    from loket.notify.models import OutboxMessage

    if "worker" not in get_commands():
        return {"skipped": "no worker command"}
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
    counter = QueryCounter()
    out = io.StringIO()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        call_command("worker", "--once", stdout=out)
        seconds = time.perf_counter() - start
    sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
    return {
        "mails_pending_before": pending,
        "mails_sent": sent,
        "mails_in_backend": len(getattr(mail, "outbox", [])),
        "seconds": round(seconds, 2),
        "ms_per_mail": round(seconds * 1000 / max(pending, 1), 2),
        "queries": counter.count,
        "queries_per_mail": round(counter.count / max(pending, 1), 1),
        "summary": out.getvalue().strip(),
    }


# -- work queue ------------------------------------------------------------------------------------


class OpenCases:
    """Open cases waiting at step 2 of kaltim-reset-ppk, written in bulk (as submit leaves them)."""

    def __init__(self, people: Any, seed_value: int = 2026) -> None:
        from django.utils import timezone

        from loket.catalog.selectors import parsed
        from tests.factories import agency, sop_version

        self.version = sop_version("kaltim-reset-ppk")
        self.sop = parsed(self.version)
        self.home = agency("kaltim", "Dinas PUPR")
        self.others = [agency("kaltim", name) for name in OTHER_AGENCIES]
        self.rng = random.Random(seed_value)
        self.now = timezone.now()
        self.serial = 0
        self.written = {"home": 0, "other": 0}

    def add(self, count: int, *, other: bool = False) -> None:
        from loket.cases.models import Case, StepRun

        first, second = self.sop.step(1), self.sop.step(2)
        year = self.now.year
        cases = []
        for i in range(count):
            self.serial += 1
            submitted = self.now - dt.timedelta(minutes=self.rng.randint(0, 20 * 24 * 60))
            cases.append(
                Case(
                    unit=self.version.unit,
                    sop=self.version,
                    reference=f"KALTIM-{year}-{500000 + self.serial:06d}",
                    tracking_digest=hashlib.sha256(f"bench-open-{self.serial}".encode()).hexdigest(),
                    channel="web",
                    need="password",
                    status="open",
                    requester_user_id=f"ppk.antre{self.serial:05d}",
                    requester_name=f"Pemohon Antrean {self.serial}",
                    requester_email=f"antre{self.serial}@gmail.com",
                    requester_phone="081234567890",
                    agency=self.others[i % len(self.others)] if other else self.home,
                    current_step=second.no,
                    current_lane=second.pelaksana,
                    # From ten days overdue to ten days ahead, so the page shows both.
                    current_due_at=submitted + dt.timedelta(days=10),
                )
            )
        Case.objects.bulk_create(cases, batch_size=1000)
        runs = []
        for case in cases:
            started = case.current_due_at - dt.timedelta(days=10)
            runs.append(
                StepRun(
                    case=case,
                    step=first.no,
                    aksi=first.aksi,
                    lane=first.pelaksana,
                    by=StepRun.By.REQUESTER,
                    started_at=started,
                    finished_at=started,
                    standard_minutes=first.waktu,
                    answer="lanjut",
                    detail={"berkas": ["sk-pengangkatan", "surat-permohonan"], "kanal": "web"},
                )
            )
            runs.append(
                StepRun(
                    case=case,
                    step=second.no,
                    aksi=second.aksi,
                    lane=second.pelaksana,
                    by=StepRun.By.STAFF,
                    started_at=started,
                    due_at=case.current_due_at,
                    standard_minutes=second.waktu,
                )
            )
        StepRun.objects.bulk_create(runs, batch_size=2000)
        self.written["other" if other else "home"] += count

    def grow_to(self, size: int, noise: float) -> None:
        self.add(size - self.written["home"])
        self.add(int(size * noise) - self.written["other"], other=True)
        _analyze()


def _analyze() -> None:
    """Fresh planner statistics and (PostgreSQL) the visibility map, as autovacuum would leave."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def page_link(body: bytes, rel: str) -> str | None:
    """The query string of a page's "next" or "prev" link, or None on the last (first) page."""
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"'.encode(), body)
    return found.group(1).decode().replace("&amp;", "&") if found else None


def queue_pages(client: Any) -> list[str]:
    """Every page of the queue, by walking "berikutnya": the queue is paged by a cursor (setelah=),
    so the last page has no number to ask for."""
    urls = ["/konsol/"]
    while (after := page_link(client.get(urls[-1]).content, "next")) is not None:
        urls.append("/konsol/" + after)
    return urls


def measure_queue(user: Any, repeat: int) -> dict[str, Any]:
    from django.test import Client

    from loket.cases.selectors import work_queue
    from loket.staff import rules

    client = Client()
    client.force_login(user)
    waiting = work_queue(user).count()
    pages = queue_pages(client)
    last = len(pages)
    result: dict[str, Any] = {"in_queue": waiting, "last_page": last, "last_page_url": pages[-1]}
    for label, url in (("page_first", pages[0]), ("page_last", pages[-1])):
        client.get(url)  # warm-up: templates, sessions
        times, queries = [], []
        for _ in range(repeat):
            response, ms, count = measure(lambda u=url: client.get(u))  # type: ignore[misc]
            assert response.status_code == 200, response.status_code
            times.append(ms)
            queries.append(count)
        result[label] = stats(times, queries)
        result[label]["rows"] = response.content.count(b"<tr") - 1
    for label, start in (("selector", 0), ("selector_last", (last - 1) * 50)):
        times, queries = [], []
        for _ in range(repeat):
            rules.forget_roles(user)
            rows, ms, count = measure(lambda s=start: list(work_queue(user)[s : s + 50]))  # type: ignore[misc]
            times.append(ms)
            queries.append(count)
        result[label] = stats(times, queries)
        result[label]["rows"] = len(rows)
    return result


def explain_queue(user: Any, db: str, start: int = 0) -> str:
    from loket.cases.selectors import work_queue

    qs = work_queue(user)[start : start + 50]
    return qs.explain(analyze=True) if db == "postgres" else qs.explain()


# -- report ----------------------------------------------------------------------------------------


def verdict(value: float, budget: float) -> str:
    return "PASS" if value < budget else "OVER"


def print_table(results: dict[str, Any]) -> None:
    print(f"\n{'operasi':44} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'kueri':>7}  anggaran")
    rows: list[tuple[str, dict[str, Any], str]] = [
        ("submit_request (password baru)", results["cases"]["submit"], ""),
        (
            "decide (password baru: reset)",
            results["cases"]["decide"],
            f"p95 < {BUDGET_DECIDE_P95_MS:g} ms: {verdict(results['cases']['decide']['p95_ms'], BUDGET_DECIDE_P95_MS)}",
        ),
        ("  make_password, hasher reset", results["make_password_reset"], ""),
        ("  make_password, argon2 bawaan Django", results["make_password_default"], ""),
        ("submit_request (user ID saja)", results["cases_user_id"]["submit"], ""),
        (
            "decide (user ID saja: tanpa reset)",
            results["cases_user_id"]["decide"],
            f"p95 < {BUDGET_DECIDE_P95_MS:g} ms: "
            f"{verdict(results['cases_user_id']['decide']['p95_ms'], BUDGET_DECIDE_P95_MS)}",
        ),
    ]
    for size, queue in results["queue"].items():
        last = queue["last_page"]
        for label, name in (
            ("page_first", "halaman 1"),
            ("page_last", f"halaman {last}"),
            ("selector", "[:50]"),
            ("selector_last", f"[{(last - 1) * 50}:{last * 50}]"),
        ):
            if label.startswith("selector"):
                title, budget = f"work_queue(user){name}, {size} terbuka", ""
            else:
                title = f"/konsol/ {name}, {size} terbuka"
                budget = f"p95 < {BUDGET_QUEUE_P95_MS:g} ms: {verdict(queue[label]['p95_ms'], BUDGET_QUEUE_P95_MS)}"
            rows.append((title, queue[label], budget))
    for title, row, budget in rows:
        queries = (
            f"{row['queries_median']:g}"
            if row["queries_min"] == row["queries_max"]
            else f"{row['queries_min']}-{row['queries_max']}"
        )
        print(f"{title:44} {row['n']:5} {row['median_ms']:10.1f} {row['p95_ms']:8.1f} {queries:>7}  {budget}")
    worker = results["worker"]
    if "seconds" in worker:
        print(
            f"\nloket worker --once: {worker['mails_sent']} surel dari {worker['mails_pending_before']} "
            f"dalam {worker['seconds']:.1f} s ({worker['ms_per_mail']:.1f} ms/surel, "
            f"{worker['queries_per_mail']:g} kueri/surel)"
        )
    constant = results["checks"]["queue_queries_constant"]
    print(f"Kueri halaman antrean tetap untuk 100 s.d. {max(results['queue'], key=int)} terbuka: {constant}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--open", type=int, default=10000, help="open cases in the measured queue (largest size)")
    parser.add_argument("--noise", type=float, default=1.0, help="open cases of other agencies, per queue case")
    parser.add_argument("--repeat", type=int, default=50, help="requests per queue measurement")
    parser.add_argument("--pg-server", default=PG_SERVER)
    parser.add_argument("--profile", action="store_true", help="profile decide and the queue even within budget")
    parser.add_argument("--keep", action="store_true", help="keep the database and the var dir")
    args = parser.parse_args()

    var = prepare_environment(args.db, args.pg_server)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher
    from django.db import connection

    from loket.cases.models import Case, Status

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    user_id_count = max(1, args.cases // 5)
    try:
        started = time.perf_counter()
        people, pools = seed(args.cases + user_id_count + PROFILE_RUNS + 10)
        runner = Runner(people, pools)
        for unit in UNITS:  # warm-up: parsed SOPs, templates, first queries; not counted
            runner.decide(runner.submit(unit)[0])
        print(
            f"Basis data {connection.vendor}; {args.cases} permohonan; hasher bawaan {describe(get_hasher())}; "
            f"hasher reset {describe(reset_hasher())}",
            flush=True,
        )
        load_before = os.getloadavg()
        main_run = run_cases(runner, args.cases, first_index=0)
        hashing = {"reset": time_hasher(reset_hasher()), "default": time_hasher(get_hasher())}
        user_id_run = run_cases(runner, user_id_count, first_index=args.cases, need="user-id")
        ids = main_run.pop("ids") + user_id_run.pop("ids")
        done = Case.objects.filter(pk__in=ids, status=Status.DONE).count()
        print(f"Permohonan selesai: {done} dari {len(ids)}; menjalankan pekerja...", flush=True)
        worker = run_worker()

        opener = OpenCases(people)
        sizes = sorted({s for s in (100, 1000) if s < args.open} | {args.open})
        queue: dict[str, Any] = {}
        for size in sizes:
            opener.grow_to(size, args.noise)
            queue[str(size)] = measure_queue(people.aa_pupr, args.repeat)
            print(f"Antrean {size} terbuka: diukur", flush=True)
        plan = explain_queue(people.aa_pupr, args.db)
        plan_last = explain_queue(people.aa_pupr, args.db, (queue[str(sizes[-1])]["last_page"] - 1) * 50)

        pages = [q[label] for q in queue.values() for label in ("page_first", "page_last")]
        page_queries = {row["queries_min"] for row in pages} | {row["queries_max"] for row in pages}
        results: dict[str, Any] = {
            "db": args.db,
            "db_version": _db_version(),
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
            "debug": settings.DEBUG,
            "hasher_default": describe(get_hasher()),
            "hasher_reset": describe(reset_hasher()),
            "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
            "make_password_reset": hashing["reset"],
            "make_password_default": hashing["default"],
            "cases": main_run,
            "cases_user_id": user_id_run,
            "cases_done": f"{done}/{len(ids)}",
            "worker": worker,
            "queue_noise_other_agencies": args.noise,
            "queue": queue,
            "queue_plan": plan,
            "queue_plan_last_page": plan_last,
            "checks": {
                "decide_p95": verdict(main_run["decide"]["p95_ms"], BUDGET_DECIDE_P95_MS),
                "decide_p95_user_id": verdict(user_id_run["decide"]["p95_ms"], BUDGET_DECIDE_P95_MS),
                "queue_p95": verdict(max(row["p95_ms"] for row in pages), BUDGET_QUEUE_P95_MS),
                "queue_queries_constant": "PASS" if len(page_queries) == 1 else "OVER",
            },
        }
        print_table(results)
        print(f"\nRencana kueri antrean, halaman 1 ({args.db}):\n{plan}")
        print(f"\nRencana kueri antrean, halaman terakhir ({args.db}):\n{plan_last}")

        profiles: dict[str, str] = {}
        if args.profile or results["checks"]["decide_p95"] == "OVER":
            extra = [runner.submit("kaltim")[0] for _ in range(PROFILE_RUNS)]
            batch = iter(extra)
            profiles["decide"] = profile(lambda: runner.decide(next(batch)), PROFILE_RUNS)
        if args.profile or results["checks"]["queue_p95"] == "OVER":
            from django.test import Client

            client = Client()
            client.force_login(people.aa_pupr)
            deepest = queue[str(sizes[-1])]["last_page_url"]
            profiles["queue_page_last"] = profile(lambda: client.get(deepest), PROFILE_RUNS)
        for name, text in profiles.items():
            print(f"\n== cProfile: {name}, {PROFILE_RUNS} kali ==\n{text}")
        results["profiles"] = profiles
        results["seconds_total"] = round(time.perf_counter() - started, 1)
        out = ROOT / "bench" / f"results-cases-{args.db}.json"
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nHasil ditulis ke {out.relative_to(ROOT)} ({results['seconds_total']} s)")
    finally:
        cleanup(args.db, args.pg_server, var, args.keep)


def _db_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


if __name__ == "__main__":
    main()
