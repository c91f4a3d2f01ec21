"""Benchmark: the work queue (`/konsol/`) and the case list (`/konsol/kasus/`) at national scale on
PostgreSQL (issue "Fast at national scale", item 3), not part of the suite.

Run: .venv/bin/python bench/queue_pages.py [--closed 1000000] [--open 10000]
     [--repeat 50] [--no-steps] [--keep] [--reuse] [--debug]   (--reuse: measure on the database --keep left)

Builds the PostgreSQL database `queue_bench` (dropped and created again), migrates it, installs
the built-in units and SOPs (`loket sop install --builtin`) and the demo's staff, then writes in
SQL (`INSERT ... SELECT generate_series`, not the ORM):
- `--closed` closed cases over 23 months, 40 % kaltim, 30 % kkp, 15 % magelang, 15 % sbt (as
  bench/reports_scale.py); half of kaltim's at Dinas PUPR, the rest over seven other agencies;
  nine in ten done, one in ten refused; and, unless --no-steps, ten step runs each (as
  reports_scale: the staff steps' actor the agency's Admin Agency where the demo has one);
- `--open` open cases at Dinas PUPR waiting on its Admin Agency (the queue measured): due times
  in runs of 20 equal ones, one in ten without a due time; two step runs each;
- as many open cases again of the other agencies in the same lane (the queue must leave them
  out), and a tenth of that waiting on the requester.
Then VACUUM ANALYZE. The queue is the Admin Agency of Dinas PUPR's; the case list theirs (their agency:
every status) and the Kepala LPSE of kaltim's (the whole unit).

It measures, in server time (perf_counter around django.test.Client.get, force_login), `--repeat`
GETs after one warm-up of each page: the first, the middle and the last page; for the queue the
middle and the last reached by walking "berikutnya" from the first, for the case list by the
cursor the page before hands out (`search.encode_cursor` of the row before the page: walking
8,000 pages would take minutes); and, for the console page's fixed cost, the empty queue of the
Kepala LPSE. Median, p95, max, this process's CPU time (median), the SQL time and the queries of
one GET; PASS/OVER against p95 <= 30 ms; cProfile of the slowest page and EXPLAIN ANALYZE of its
slowest query; bench/results-queue-pages.json. Drops the database at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cases import p95, page_link, profile  # bench/cases.py: the p95 and the cProfile print of every bench
from reports_scale import Recorder  # a query log with each query's time

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_NAME = "queue_bench"
BUDGET_P95_MS = 30.0
OUT = ROOT / "bench" / "results-queue-pages.json"

SHARES = {"kaltim": 0.40, "kkp": 0.30, "magelang": 0.15, "sbt": 0.15}
HOME = "Dinas Pekerjaan Umum dan Penataan Ruang"  # the demo's Admin Agency aa-kaltim-pupr
OTHERS = ["Dinas Kesehatan", "BPKAD", "Dinas Perhubungan", "Bappeda", "Dinas Pendidikan", "Inspektorat", "RSUD"]
QUEUE_USER, HEAD_USER = "aa-kaltim-pupr", "kepala-kaltim"
# The step runs of a closed case, as (step, by): reports_scale's path with a loop back.
PATTERN = [(1, "pemohon"), (2, "staf"), (3, "sistem"), (4, "pemohon"), (2, "staf"),
           (5, "staf"), (6, "sistem"), (8, "sistem"), (9, "sistem"), (9, "sistem")]  # fmt: skip


def prepare_environment(debug: bool) -> None:
    """Production settings (DEBUG off, HTTPS, secure cookies) unless --debug, as decide_http."""
    if debug:
        os.environ["LOKET_DEBUG"] = "1"
    else:
        os.environ["LOKET_DEBUG"] = "0"
        os.environ["LOKET_SECRET_KEY"] = "bench-only-" + "x" * 50
    os.environ.setdefault("LOKET_LOG_LEVEL", "WARNING")
    os.environ["LOKET_VAR_DIR"] = tempfile.mkdtemp(prefix="queue-bench-")
    os.environ["LOKET_ENV_FILE"] = os.path.join(os.environ["LOKET_VAR_DIR"], "no.env")
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    os.environ["DATABASE_URL"] = PG_SERVER + PG_NAME
    os.environ["LOKET_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    sys.path.insert(0, str(ROOT))  # tests.hashers


def _admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def _exec(sql: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _say(what: str, began: float) -> None:
    print(f"  {what} dalam {time.perf_counter() - began:.0f} s  (load {_load()})", flush=True)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- seeding ---------------------------------------------------------------------------------------


def seed(closed: int, open_: int, steps: bool) -> None:
    from django.core.management import call_command
    from django.test.utils import override_settings

    from loket.cases.models import Case, StepRun
    from loket.catalog.models import SopVersion
    from loket.catalog.selectors import parsed
    from loket.directory.models import Agency
    from loket.staff.models import StaffRole
    from loket.units.models import Unit
    from loket.web.management.commands.demo import seed as demo_seed

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("sop", "install", "--builtin", verbosity=0)
    with override_settings(PASSWORD_HASHERS=["tests.hashers.FastArgon2PasswordHasher"]):
        demo_seed()
    _say("basis data siap", began)

    kaltim = Unit.objects.get(kode="kaltim")
    home = Agency.objects.get(unit=kaltim, name=HOME)
    others = [Agency.objects.get_or_create(unit=kaltim, name=name)[0].pk for name in OTHERS]
    # Per unit: its bucket of g % 100, its SOP version, its agencies (kaltim: half PUPR).
    plans = []
    bucket = 0
    for kode, share in SHARES.items():
        unit = Unit.objects.get(kode=kode)
        version = SopVersion.objects.filter(unit=unit).exclude(layanan="registrasi-akun").order_by("-versi").first()
        assert version is not None
        agencies = (
            [home.pk] * len(others) + others
            if kode == "kaltim"
            else list(Agency.objects.filter(unit=unit).order_by("id").values_list("id", flat=True)[:1])
        )
        width = round(share * 100)
        plans.append((bucket + width, unit.pk, version, agencies))
        bucket += width
    table, step_table = Case._meta.db_table, StepRun._meta.db_table
    unit_case = " ".join(f"WHEN g %% 100 < {hi} THEN {uid}" for hi, uid, _v, _a in plans)
    sop_case = " ".join(f"WHEN g %% 100 < {hi} THEN {v.pk}" for hi, _u, v, _a in plans)
    agency_case = " ".join(
        f"WHEN g %% 100 < {hi} THEN (ARRAY{a})[1 + (g / 100) %% {len(a)}]" if a else f"WHEN g %% 100 < {hi} THEN NULL"
        for hi, _u, _v, a in plans
    )
    columns = """unit_id, sop_id, reference, tracking_digest, channel, need, status, version, requester_user_id,
        requester_nip, requester_name, requester_email, requester_phone, requester_role, agency_id, account_id,
        email_confirmed_by_phone, phone_confirmation, password_claimed_by_id, password_claimed_at, current_step,
        current_lane, current_due_at, created_at, updated_at, closed_at, outcome_note"""
    began = time.perf_counter()
    _exec(
        f"""
        INSERT INTO {table} ({columns})
        SELECT CASE {unit_case} END, CASE {sop_case} END, 'B-' || g, md5('bench-' || g) || md5('t' || g),
            'web', 'password', CASE WHEN g %% 10 = 0 THEN 'refused' ELSE 'done' END, 10,
            'ppk.bench' || g, '19850312' || lpad((g %% 10000000)::text, 7, '0') || '101', 'Pemohon ' || g,
            'pemohon' || g || '@contoh.go.id', '', '', CASE {agency_case} END, NULL, false, '', NULL, NULL,
            NULL, '', NULL, t, t + interval '2 days', t + interval '2 days', ''
        FROM (SELECT g, timestamptz '2025-01-01 00:00+00' + (g::bigint * 60393600 / %s) * interval '1 second' AS t
              FROM generate_series(1, %s) g) s
        """,
        [closed, closed],
    )
    _say(f"{closed:,} permohonan selesai", began)

    version = plans[0][2]
    sop = parsed(version)
    lane = sop.step(2).pelaksana  # the Admin Agency's step of kaltim's SOP
    aa = {r.agency_id: r.user_id for r in StaffRole.objects.filter(unit=kaltim, role=lane)}
    if steps:
        values = []
        for _hi, _u, v, _a in plans:
            path = parsed(v)
            for idx, (no, by) in enumerate(PATTERN):
                step = path.step(no) if any(k.no == no for k in path.kegiatan) else path.kegiatan[-1]
                std = step.waktu if step.waktu is not None else "NULL"
                values.append(f"({v.pk}, {idx}, {step.no}, '{step.aksi}', '{step.pelaksana}', '{by}', {std})")
        actor_case = " ".join(f"WHEN c.agency_id = {agency} THEN {user}" for agency, user in aa.items() if agency)
        began = time.perf_counter()
        _exec(
            f"""
            INSERT INTO {step_table} (case_id, step, aksi, lane, by, actor_id, on_behalf_of_id, started_at, due_at,
                finished_at, standard_minutes, working_minutes, answer, note, detail)
            SELECT c.id, p.step, p.aksi, p.lane, p.by,
                CASE WHEN p.by = 'staf' AND p.lane = '{lane}' THEN CASE {actor_case or "WHEN false THEN NULL"} END END, NULL,
                c.created_at + p.idx * interval '40 minutes',
                CASE WHEN p.std IS NULL THEN NULL
                     ELSE c.created_at + p.idx * interval '40 minutes' + p.std * interval '1 minute' END,
                c.created_at + (p.idx + 1) * interval '40 minutes' - interval '1 second',
                p.std, CASE WHEN p.by = 'pemohon' THEN NULL ELSE 1 + (c.id * 13 + p.idx) % 30 END,
                'ya', '', '{{}}'::jsonb
            FROM {table} c
            JOIN (VALUES {", ".join(values)}) AS p(sop, idx, step, aksi, lane, by, std) ON p.sop = c.sop_id
            """
        )
        _say(f"{closed * 10:,} langkah", began)

    # The open cases: the home agency's queue, the same lane at the other agencies, the requester's.
    first_step, waiting = sop.step(1), sop.step(2)
    began = time.perf_counter()
    for name, count, agency_sql, status, current_lane in (
        ("Q", open_, str(home.pk), "open", lane),
        ("N", open_, f"(ARRAY{others})[1 + g %% {len(others)}]", "open", lane),
        ("W", open_ // 10, str(home.pk), "waiting", first_step.pelaksana),
    ):
        _exec(
            f"""
            INSERT INTO {table} ({columns})
            SELECT {kaltim.pk}, {version.pk}, '{name}-' || g, md5('{name}' || g) || md5('o' || g), 'web', 'password',
                '{status}', 3, 'ppk.open' || g, '', 'Pemohon terbuka ' || g, 'buka' || g || '@contoh.go.id', '', '',
                {agency_sql}, NULL, false, '', NULL, NULL, {waiting.no if status == "open" else first_step.no},
                '{current_lane}',
                CASE WHEN '{status}' <> 'open' OR g %% 10 = 0 THEN NULL
                     ELSE timestamptz '2026-11-20 00:00+00' + (g / 20) * interval '7 minutes' END,
                timestamptz '2026-11-01 00:00+00' + (g * 37 %% 100000) * interval '13 seconds',
                now(), NULL, ''
            FROM generate_series(1, %s) g
            """,
            [count],
        )
    _exec(
        f"""
        INSERT INTO {step_table} (case_id, step, aksi, lane, by, actor_id, on_behalf_of_id, started_at, due_at,
            finished_at, standard_minutes, working_minutes, answer, note, detail)
        SELECT c.id, s.step, s.aksi, s.lane, s.by, NULL, NULL, c.created_at, c.current_due_at,
            CASE WHEN s.step = {first_step.no} THEN c.created_at + interval '1 minute' END, NULL, NULL,
            CASE WHEN s.step = {first_step.no} THEN 'ya' ELSE '' END, '', '{{}}'::jsonb
        FROM {table} c
        CROSS JOIN (VALUES ({first_step.no}, '{first_step.aksi}', '{first_step.pelaksana}', 'pemohon'),
                           ({waiting.no}, '{waiting.aksi}', '{waiting.pelaksana}', 'staf')) AS s(step, aksi, lane, by)
        WHERE c.status = 'open'
        """
    )
    _say(f"{open_ * 2 + open_ // 10:,} permohonan terbuka", began)
    began = time.perf_counter()
    _exec("VACUUM ANALYZE")  # as autovacuum leaves a table: statistics, and the visibility map
    _say("VACUUM ANALYZE", began)  # that lets an index-only scan skip the table


# -- measuring -------------------------------------------------------------------------------------


def rows_in(body: bytes) -> int:
    return len(re.findall(rb'<td[^>]*><a href="/konsol/kasus/\d+/"', body))


def time_page(client: Any, url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection

    response = client.get(url)  # warm: templates, the session, the parsed SOPs
    assert response.status_code == 200, (url, response.status_code)
    times, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
    counter = Recorder()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    slowest = max(counter.queries, key=lambda q: q[2])
    return {
        "url": url,
        "n": repeat,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95(times), 2),
        "max_ms": round(max(times), 2),
        # this process's CPU time alone (Python: Django, the view, the template), the median
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "sql_ms": round(sum(q[2] for q in counter.queries) * 1000, 2),
        "queries": len(counter.queries),
        "rows": rows_in(response.content),
        "slowest_query_ms": round(slowest[2] * 1000, 2),
        "slowest_query": (slowest[0], slowest[1]),
        "verdict": "PASS" if p95(times) <= BUDGET_P95_MS else "OVER",
        "load": _load(),
    }


def queue_urls(client: Any) -> tuple[list[tuple[str, str]], int]:
    """First, middle and last page of the queue, the middle and the last by walking "berikutnya";
    and the number of pages."""
    urls = ["/konsol/"]
    seen = 0
    while True:
        body = client.get(urls[-1]).content
        seen += rows_in(body)
        after = page_link(body, "next")
        if after is None:
            break
        urls.append("/konsol/" + after)
    print(f"  antrean: {len(urls)} halaman, {seen:,} permohonan dilalui", flush=True)
    return [("pertama", urls[0]), ("tengah", urls[len(urls) // 2]), ("terakhir", urls[-1])], len(urls)


def case_list_urls(user: Any, query: dict[str, str]) -> list[tuple[str, str]]:
    """First, middle and last page of the case list in the order of `query`, by the cursor the
    page before hands out (see the module docstring)."""
    from django.utils.http import urlencode

    from loket.cases import search
    from loket.web.case_list_views import _SORTS

    sort, descending = _SORTS[query.get("urut", "diajukan-turun")]
    cases = search.scoped_cases(user, search.CaseFilter(sort=sort, descending=descending))
    segments = search._segments(sort)
    ordered: list[tuple[int, Any]] = []
    for index, seg in enumerate(segments):
        fields = [*seg.keys, "id"]
        order = [f"-{f}" if descending else f for f in fields]
        ordered += [(index, row) for row in cases.filter(seg.where).order_by(*order).values_list(*fields)]
    total = len(ordered)
    pages = math.ceil(total / search.PAGE_SIZE)

    def after(position: int) -> str:
        index, row = ordered[position]
        keys = segments[index].keys
        fake = type("Row", (), {**dict(zip(keys, row[:-1], strict=True)), "pk": row[-1]})
        cursor = search.encode_cursor(sort, index, fake, keys)  # type: ignore[arg-type]
        return "/konsol/kasus/?" + urlencode({**query, "setelah": cursor})

    middle = (pages // 2) * search.PAGE_SIZE - 1
    last = (pages - 1) * search.PAGE_SIZE - 1
    print(f"  daftar {query or 'bawaan'}: {total:,} permohonan, {pages:,} halaman", flush=True)
    base = "/konsol/kasus/" + ("?" + urlencode(query) if query else "")
    return [("pertama", base), ("tengah", after(middle)), ("terakhir", after(last))]


def explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def run(repeat: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from loket.cases.selectors import work_queue

    User = get_user_model()
    results: dict[str, Any] = {}
    staff = User.objects.get(username=QUEUE_USER)
    head = User.objects.get(username=HEAD_USER)
    clients = {}
    for user in (staff, head):
        clients[user.username] = Client()
        if not settings.DEBUG:  # production settings redirect plain HTTP to HTTPS
            clients[user.username].get = functools.partial(clients[user.username].get, secure=True)  # type: ignore[method-assign]
        clients[user.username].force_login(user)
    waiting = work_queue(staff).count()
    print(f"\n  antrean {QUEUE_USER}: {waiting:,} permohonan menunggu", flush=True)
    plans: list[tuple[str, str, list[tuple[str, str]]]] = []
    urls, pages = queue_urls(clients[QUEUE_USER])
    plans.append((f"antrean {QUEUE_USER}", QUEUE_USER, urls))
    # The console page's fixed cost (middleware, session, the navigation's panels): an empty queue.
    plans.append((f"antrean kosong {HEAD_USER} (dasar)", HEAD_USER, [("pertama", "/konsol/")]))
    for who in (staff, head):
        for query in ({}, {"urut": "tenggat-naik"}):
            label = f"daftar {who.username} {query.get('urut', 'diajukan-turun')}"
            plans.append((label, who.username, case_list_urls(who, query)))
    print(
        f"\n{'halaman':50} {'median':>7} {'p95':>7} {'maks':>7} {'CPU':>6} {'SQL':>6} {'kueri':>5} {'baris':>5}  p95 <= 30 ms"
    )
    for label, who, urls in plans:
        for name, url in urls:
            row = time_page(clients[who], url, repeat)
            row["who"] = who
            results[f"{label}, {name}"] = row
            print(
                f"{label + ', ' + name:50} {row['median_ms']:>7.2f} {row['p95_ms']:>7.2f} {row['max_ms']:>7.2f} "
                f"{row['cpu_median_ms']:>6.2f} {row['sql_ms']:>6.2f} {row['queries']:>5} {row['rows']:>5}  "
                f"{row['verdict']}  (load {row['load']})",
                flush=True,
            )
    slowest_label = max(results, key=lambda k: results[k]["p95_ms"])
    slowest = results[slowest_label]
    print(f"\nProfil halaman terlambat ({slowest_label}, 20 permintaan):")
    text = profile(lambda: clients[slowest["who"]].get(slowest["url"]), 20)
    print(text[:6000])
    plan = explain(*slowest["slowest_query"])
    print("Rencana kueri terlambatnya:\n  " + "\n  ".join(plan))
    for row in results.values():
        row["slowest_query"] = row["slowest_query"][0][:3000]
    return {
        "pages": results,
        "queue_waiting": waiting,
        "queue_pages": pages,
        "slowest": slowest_label,
        "slowest_profile": text[:12000],
        "slowest_plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--closed", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-steps", action="store_true", help="seed the closed cases without their step runs")
    parser.add_argument("--keep", action="store_true", help="keep the database queue_bench")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left")
    parser.add_argument("--debug", action="store_true", help="DEBUG on (queries logged), as the demo runs")
    args = parser.parse_args()
    prepare_environment(args.debug)
    if not args.reuse:
        _admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")
    import django

    django.setup()
    from django.db import connection, connections

    try:
        if not args.reuse:
            seed(args.closed, args.open, not args.no_steps)
        measured = run(args.repeat)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM cases_case WHERE status IN ('done', 'refused')")
            closed = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM cases_steprun")
            step_runs = cursor.fetchone()[0]
        OUT.write_text(
            json.dumps(
                {
                    "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
                    "database": version,
                    "closed_cases": closed,
                    "step_runs": step_runs,
                    "budget_p95_ms": BUDGET_P95_MS,
                    "settings": "DEBUG" if args.debug else "production",
                    **measured,
                },
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )
        print(f"\nDitulis: {OUT.relative_to(ROOT)}")
    finally:
        connections.close_all()
        if args.keep:
            print(f"Disimpan: basis data {PG_NAME}")
        else:
            _admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
