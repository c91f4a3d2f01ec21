"""Benchmark: the reports over 1,000,000 cases of 10 steps each on PostgreSQL (issue 12, point 7),
not part of the suite.

Run: LOKET_DEBUG=1 .venv/bin/python bench/reports_scale.py [--cases 1000000] [--repeat 5] [--keep]
     [--reuse]   (measure again on the database a --keep run left, without seeding)

Builds the PostgreSQL database `loket_bench_reports` (dropped and created again), migrates it,
installs the built-in units and SOPs and the demo's staff (`loket demo`'s seed), then writes the
rows in bulk with `INSERT ... SELECT generate_series(...)` (the ORM would take an hour): `--cases`
cases over the 23 months from January 2025, 40 % kaltim, 30 % kkp, 15 % magelang, 15 % sbt, nine
in ten done and one in ten refused; ten step runs each (the requester's steps, the staff steps of
the SOP's path with a loop back for a missing document, the system's), about one staff step in
five over its standard, working minutes and due times as the services write them; one deviation
for each late staff step, a fifth of them answered; a survey response for a third of the cases.
Then `ANALYZE`.

It measures, as the unit's head (Kepala LPSE of kaltim, the largest unit: 400,000 cases) and as
the administrator (every unit), for one month and for one year, the median and the maximum of
`--repeat` runs (after one warm run) of what the pages call: a whole GET through django.test.Client
(force_login; middleware, template and the console's navigation included) of the mutu baku page,
the first page of the deviation list ("Penyimpangan") and the IKM page; and their service calls
one by one: `mutu_baku.report`, `series.month_points`, `series.hour_grid`, the charts
(`figures.report_charts` over those), `deviations.selectors.deviation_list` with its first page and
rows, `survey.selectors.survey` with its tables. The CSV export is streamed and not measured.
`--only TEXT` keeps the scenarios whose label holds TEXT. Keeps the plan of each scenario's
slowest query, prints it when the call or that query misses the budget, and writes
bench/results-reports-scale.json (`--out`). The budget is 2 s per call; OVER marks what misses it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_NAME = "loket_bench_reports"
BUDGET_S = 2.0

# Which share of the cases each unit gets, the SOP it runs, its staff lane holders (the demo's).
SHARES = {"kaltim": 0.40, "kkp": 0.30, "magelang": 0.15, "sbt": 0.15}

# Ten step runs per case, as (step, by); each SOP's path with one loop back for a missing document.
PATTERNS = {
    "kaltim-reset-ppk": [(1, "pemohon"), (2, "staf"), (3, "sistem"), (4, "pemohon"), (2, "staf"),
                         (5, "staf"), (6, "sistem"), (8, "sistem"), (9, "sistem"), (9, "sistem")],
    "magelang-reset-ppk": [(1, "pemohon"), (2, "staf"), (3, "sistem"), (4, "pemohon"), (2, "staf"),
                           (5, "staf"), (6, "sistem"), (8, "sistem"), (9, "sistem"), (9, "sistem")],
    "sbt-reset-pokja": [(1, "pemohon"), (2, "staf"), (3, "sistem"), (4, "pemohon"), (2, "staf"),
                        (5, "staf"), (6, "sistem"), (8, "sistem"), (9, "sistem"), (9, "sistem")],
    "kkp-reset-admin-agency": [(1, "pemohon"), (4, "staf"), (5, "staf"), (6, "sistem"), (7, "pemohon"),
                               (5, "staf"), (8, "sistem"), (9, "staf"), (10, "sistem"), (12, "staf")],
}  # fmt: skip


def prepare_environment() -> None:
    os.environ.setdefault("LOKET_DEBUG", "1")
    os.environ.setdefault("LOKET_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    os.environ["DATABASE_URL"] = PG_SERVER + PG_NAME
    # django.test.Client asks for the host "testserver" (settings read LOKET_ALLOWED_HOSTS).
    os.environ["LOKET_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    sys.path.insert(0, str(ROOT))


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}")


def _exec(sql: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def seed(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from loket.cases.models import Case, StepRun
    from loket.catalog.models import SopVersion
    from loket.catalog.selectors import parsed
    from loket.catalog.services import install_builtin
    from loket.staff.models import StaffRole
    from loket.units.models import Unit
    from loket.web.management.commands.demo import seed as demo_seed

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    install_builtin()
    with override_settings(PASSWORD_HASHERS=["tests.hashers.FastArgon2PasswordHasher"]):
        demo_seed()
    print(f"  basis data siap dalam {time.perf_counter() - began:.0f} s", flush=True)

    # One row per (unit bucket, sop, agency, step pattern entry): the pattern as a VALUES table.
    plans = []
    bucket = 0
    for kode, share in SHARES.items():
        unit = Unit.objects.get(kode=kode)
        version = SopVersion.objects.filter(unit=unit).exclude(layanan="registrasi-akun").order_by("-versi").first()
        assert version is not None
        sop = parsed(version)
        roles = {r.role: r for r in StaffRole.objects.filter(unit=unit).order_by("id")}
        agency_id = next((r.agency_id for r in roles.values() if r.agency_id), None)
        if agency_id is None:
            from loket.directory.models import Agency

            agency_id = Agency.objects.filter(unit=unit).values_list("id", flat=True).first()
        steps = []
        for no, by in PATTERNS[version.kode]:
            step = sop.step(no)
            actor = roles.get(step.pelaksana)
            steps.append(
                (no, step.aksi, step.pelaksana, by, step.waktu, actor.user_id if actor and by == "staf" else None)
            )
        width = round(share * 100)
        plans.append((bucket, bucket + width, unit.pk, version.pk, agency_id, unit.kode.upper(), steps))
        bucket += width

    case_table, step_table = Case._meta.db_table, StepRun._meta.db_table
    unit_case = " ".join(f"WHEN g %% 100 < {hi} THEN {uid}" for _lo, hi, uid, *_ in plans)
    sop_case = " ".join(f"WHEN g %% 100 < {hi} THEN {sid}" for _lo, hi, _u, sid, *_ in plans)
    agency_case = " ".join(f"WHEN g %% 100 < {hi} THEN {aid}" for _lo, hi, _u, _s, aid, *_ in plans)
    began = time.perf_counter()
    _exec(
        f"""
        INSERT INTO {case_table} (unit_id, sop_id, reference, tracking_digest, channel, need, status, version,
            requester_user_id, requester_nip, requester_name, requester_email, requester_phone, requester_role,
            agency_id, account_id, email_confirmed_by_phone, phone_confirmation, password_claimed_by_id,
            password_claimed_at, current_step, current_lane, current_due_at, created_at, updated_at, closed_at,
            outcome_note)
        SELECT CASE {unit_case} END, CASE {sop_case} END, 'B-' || g, md5('bench-' || g) || md5('t' || g),
            'web', 'password', CASE WHEN g %% 10 = 0 THEN 'refused' ELSE 'done' END, 10,
            'ppk.bench' || g, '19850312' || lpad((g %% 10000000)::text, 7, '0') || '101', 'Pemohon ' || g,
            'pemohon' || g || '@contoh.go.id', '', '', CASE {agency_case} END, NULL, false, '', NULL, NULL,
            NULL, '', NULL, t, t + interval '2 days', t + interval '2 days', ''
        FROM (SELECT g, timestamptz '2025-01-01 00:00+00'
                        + (g::bigint * 60393600 / %s) * interval '1 second' AS t
              FROM generate_series(1, %s) g) s
        """,
        [count, count],
    )
    print(f"  {count:,} permohonan dalam {time.perf_counter() - began:.0f} s", flush=True)

    values = []
    for _lo, _hi, _uid, sid, _aid, _k, steps in plans:
        for idx, (no, aksi, lane, by, waktu, actor) in enumerate(steps):
            values.append(
                f"({sid}, {idx}, {no}, '{aksi}', '{lane}', '{by}', {waktu if waktu is not None else 'NULL'}, "
                f"{actor if actor is not None else 'NULL'})"
            )
    began = time.perf_counter()
    # Each step starts 40 minutes after the one before; its working minutes are drawn around its
    # standard (about one in five over it); the requester's steps have none.
    _exec(
        f"""
        INSERT INTO {step_table} (case_id, step, aksi, lane, by, actor_id, on_behalf_of_id, started_at, due_at,
            finished_at, standard_minutes, working_minutes, answer, note, detail)
        SELECT c.id, p.step, p.aksi, p.lane, p.by, p.actor, NULL,
            c.created_at + p.idx * interval '40 minutes',
            CASE WHEN p.std IS NULL THEN NULL ELSE c.created_at + p.idx * interval '40 minutes'
                 + p.std * interval '1 minute' END,
            c.created_at + (p.idx + 1) * interval '40 minutes' - interval '1 second',
            p.std,
            CASE WHEN p.by = 'pemohon' THEN NULL
                 WHEN p.std IS NULL THEN (c.id * 7 + p.idx) % 30
                 WHEN (c.id * 31 + p.idx * 17) % 100 < 20 THEN p.std + 1 + (c.id + p.idx) % (3 * p.std)
                 ELSE 1 + (c.id * 13 + p.idx) % p.std END,
            'ya', '', '{{}}'::jsonb
        FROM {case_table} c
        JOIN (VALUES {", ".join(values)}) AS p(sop, idx, step, aksi, lane, by, std, actor) ON p.sop = c.sop_id
        """
    )
    print(f"  {count * 10:,} langkah dalam {time.perf_counter() - began:.0f} s", flush=True)
    seed_tallies()
    for extra in ("seed_deviations", "seed_survey"):
        fn = globals()[extra]
        began = time.perf_counter()
        if fn():
            print(f"  {extra} dalam {time.perf_counter() - began:.0f} s", flush=True)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  ANALYZE dalam {time.perf_counter() - began:.0f} s", flush=True)


def seed_tallies(after_case: int | None = None) -> None:
    """The reports' tallies (loket.tallies) of the steps just written, in one GROUP BY (what
    `loket tally rebuild` does step by step in Python, which would take a quarter of an hour
    here), with the same keys `count_runs` writes. With `after_case`, only the steps of the cases
    after that id are counted, added to the tallies there are (as `count_runs` adds): a database
    grown in steps (bench/national.py) is not counted again from the start at each step."""
    from loket.tallies.models import HourTally, StepTally

    began = time.perf_counter()
    if after_case is None:
        # As `rebuild`: empty both tallies first (the demo's seed may have counted steps of its
        # own), then count every finished step, the demo's included.
        _exec(f"DELETE FROM {StepTally._meta.db_table}")
        _exec(f"DELETE FROM {HourTally._meta.db_table}")
    common = """c.unit_id, c.sop_id, c.agency_id, c.channel, (c.created_at AT TIME ZONE u.zona_waktu)::date AS day,
        s.step, s.lane, s.by, s.actor_id"""
    source = f"""FROM cases_steprun s JOIN cases_case c ON c.id = s.case_id JOIN units_unit u ON u.id = c.unit_id
        WHERE s.finished_at IS NOT NULL AND c.id > {after_case or 0}"""
    keys = "unit_id, sop_id, agency_id, channel, day, step, lane, by, actor_id"
    key = "concat_ws('|', " + ", ".join(f"coalesce({k}::text, '')" for k in keys.split(", "))
    _exec(
        f"""
        INSERT INTO {StepTally._meta.db_table} (key, {keys}, minutes, standard, n)
        SELECT {key}, coalesce(minutes::text, ''), coalesce(standard::text, '')), {keys}, minutes, standard, count(*)
        FROM (SELECT {common},
                CASE WHEN s.by <> 'pemohon' AND s.working_minutes IS NOT NULL THEN s.working_minutes
                     ELSE floor(extract(epoch FROM s.finished_at - s.started_at) / 60)::int END AS minutes,
                s.standard_minutes AS standard
              {source}) x
        GROUP BY {keys}, minutes, standard
        ON CONFLICT (key) DO UPDATE SET n = {StepTally._meta.db_table}.n + EXCLUDED.n
        """
    )
    _exec(
        f"""
        INSERT INTO {HourTally._meta.db_table} (key, {keys}, weekday, hour, n)
        SELECT {key}, weekday::text, hour::text), {keys}, weekday, hour, count(*)
        FROM (SELECT {common},
                extract(isodow FROM s.finished_at AT TIME ZONE u.zona_waktu)::int AS weekday,
                extract(hour FROM s.finished_at AT TIME ZONE u.zona_waktu)::int AS hour
              {source}) x
        GROUP BY {keys}, weekday, hour
        ON CONFLICT (key) DO UPDATE SET n = {HourTally._meta.db_table}.n + EXCLUDED.n
        """
    )
    print(f"  rekap langkah dalam {time.perf_counter() - began:.0f} s", flush=True)


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def seed_deviations() -> bool:
    """One `waktu` deviation per late staff step (working minutes over the standard, the rule of
    `loket.deviations.services.is_over`), recorded when the step finished, its actor the
    executor; one in five answered (waiting for review). No DeviationEvent rows: no page measured
    here reads them."""
    from loket.cases.models import StepRun
    from loket.deviations.models import Deviation

    _exec(
        f"""
        INSERT INTO {Deviation._meta.db_table} (step_run_id, case_id, step, lane, kind, executor_id, status,
            version, recorded_at, detail, reason, answered_at, reviewer_id, review_note, reviewed_at)
        SELECT s.id, s.case_id, s.step, s.lane, 'waktu', s.actor_id,
            CASE WHEN s.id % 5 = 0 THEN 'dijawab' ELSE 'terbuka' END,
            CASE WHEN s.id % 5 = 0 THEN 2 ELSE 1 END,
            s.finished_at,
            jsonb_build_object('menit_kerja', s.working_minutes, 'mutu_baku', s.standard_minutes),
            CASE WHEN s.id % 5 = 0 THEN 'Berkas menumpuk hari itu' ELSE '' END,
            CASE WHEN s.id % 5 = 0 THEN s.finished_at + interval '1 hour' END,
            NULL, '', NULL
        FROM {StepRun._meta.db_table} s
        WHERE s.by = 'staf' AND s.actor_id IS NOT NULL AND s.finished_at IS NOT NULL
          AND s.standard_minutes IS NOT NULL AND s.working_minutes > s.standard_minutes
        """
    )
    return True


def seed_survey() -> bool:
    """A used invitation and its response for one case in three (closed an hour before), the
    nine scores spread over 1..4, a comment on one response in ten."""
    from loket.cases.models import Case
    from loket.catalog.models import SopVersion
    from loket.survey.ikm import FIELDS
    from loket.survey.models import Invitation, Response

    case_table = Case._meta.db_table
    _exec(
        f"""
        INSERT INTO {Invitation._meta.db_table} (case_id, digest, created_at, expires_at, mailed_at,
            offered_counter_id, offered_at, used_at)
        SELECT c.id, md5('inv' || c.id) || md5(c.reference), c.closed_at, c.closed_at + interval '30 days',
            c.closed_at, NULL, NULL, c.closed_at + interval '1 hour'
        FROM {case_table} c WHERE c.reference LIKE 'B-%' AND c.id % 3 = 0 AND c.closed_at IS NOT NULL
        """
    )
    scores = ", ".join(f"1 + ((c.id * {k + 3}) / 7) % 4" for k in range(len(FIELDS)))
    _exec(
        f"""
        INSERT INTO {Response._meta.db_table} (invitation_id, case_id, unit_id, sop_id, sop_kode, channel, via,
            submitted_at, {", ".join(FIELDS)}, comment)
        SELECT i.id, c.id, c.unit_id, c.sop_id, v.kode, c.channel, 'tautan', i.used_at, {scores},
            CASE WHEN c.id % 30 = 0 THEN 'Saran nomor ' || c.id ELSE '' END
        FROM {Invitation._meta.db_table} i
        JOIN {case_table} c ON c.id = i.case_id
        JOIN {SopVersion._meta.db_table} v ON v.id = c.sop_id
        """
    )
    return True


class Recorder:
    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - began))


def measure(label: str, fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    from django.db import connection

    fn()  # warm: caches of roles and parsed SOPs, the buffer cache
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        fn()
    slowest = max(recorder.queries, key=lambda q: q[2]) if recorder.queries else None
    plan: list[str] = []
    if slowest is not None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0], slowest[1])
                plan = [row[0] for row in cursor.fetchall()]
        except Exception as exc:  # noqa: BLE001 - a plan is a nicety
            plan = [f"(no plan: {exc})"]
        plan.insert(0, slowest[0][:2000])
    median = statistics.median(times)
    result = {
        "label": label,
        "median_s": round(median, 3),
        "max_s": round(max(times), 3),
        "queries": len(recorder.queries),
        "slowest_query_s": round(slowest[2], 3) if slowest else None,
        "verdict": "PASS" if median < BUDGET_S else "OVER",
        "slowest_plan": plan,
    }
    print(f"{label:<64} {median:>7.3f} s  (maks {max(times):.3f}, {len(recorder.queries)} kueri)  {result['verdict']}")
    return result


def _page(client: Any, url: str, query: dict[str, str]) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(url, query)
        assert response.status_code == 200, (url, query, response.status_code)
        return response

    return get


def scenarios(only: str = "") -> list[tuple[str, Callable[[], Any]]]:
    """What the pages call, as they call it: a whole GET of each page through django.test.Client
    (signed in with force_login; template and middleware included), then the same page's service
    calls one by one (as in loket.reports.views.report_page, loket.deviations.views._list and
    loket.survey.console_views.survey_page)."""
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from loket.deviations import selectors as deviation_selectors
    from loket.deviations import views as deviation_views
    from loket.reports import mutu_baku, series
    from loket.reports.figures import report_charts
    from loket.reports.views import chart_data
    from loket.survey import console_views as survey_views
    from loket.survey.selectors import COMMENT_ROWS, SurveyFilter, survey

    User = get_user_model()
    head = User.objects.get(username="kepala-kaltim")
    admin = User.objects.get(username="admin")
    month = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    year = (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    out: list[tuple[str, Callable[[], Any]]] = []
    for who, user, unit in (("Kepala LPSE kaltim", head, "kaltim"), ("admin, semua unit", admin, "")):
        client = Client()
        client.force_login(user)
        units = mutu_baku.units_in_scope(user)
        for span, (start, end) in (("1 bulan", month), ("12 bulan", year)):
            query = {"dari": start.isoformat(), "sampai": end.isoformat()}
            if unit:
                query["unit"] = unit
            spec = mutu_baku.ReportFilter(unit=unit, date_from=start, date_to=end)
            done: dict[str, Any] = {}

            def report(u: Any = user, s: Any = spec, d: dict[str, Any] = done) -> Any:
                d["report"] = mutu_baku.report(u, s, now=timezone.now(), case_limit=mutu_baku.CASE_ROWS)
                return d["report"]

            def charts(u: Any = user, s: Any = spec, d: dict[str, Any] = done) -> Any:
                if "report" not in d:
                    report(u, s, d)
                return report_charts(chart_data(u, s, d["report"]))

            out += [
                (f"mutu baku, GET halaman: {who}, {span}", _page(client, reverse("console:mutu_baku"), query)),
                (f"mutu baku, report(): {who}, {span}", report),
                (f"mutu baku, month_points(): {who}, {span}", lambda u=user, s=spec: series.month_points(u, s)),
                (f"mutu baku, hour_grid(): {who}, {span}", lambda u=user, s=spec: series.hour_grid(u, s)),
                (f"mutu baku, grafik (series + report_charts): {who}, {span}", charts),
            ]

            def deviations(u: Any = user, s: Any = spec) -> Any:
                found = deviation_selectors.deviation_list(u, s, mine=False)
                page = Paginator(found, deviation_views.PAGE_SIZE).get_page(None)
                return deviation_views._rows(u, list(page))

            out += [
                (f"penyimpangan, GET halaman 1: {who}, {span}", _page(client, reverse("console:deviations"), query)),
                (f"penyimpangan, deviation_list() hal. 1: {who}, {span}", deviations),
            ]

            def ikm(us: Any = units, q: dict[str, str] = query, st: Any = start, en: Any = end) -> Any:
                result = survey(us, SurveyFilter(unit=q.get("unit", ""), date_from=st, date_to=en),
                                comment_limit=COMMENT_ROWS)  # fmt: skip
                return survey_views.tables(result, units=us)

            out += [
                (f"IKM, GET halaman: {who}, {span}", _page(client, reverse("console:survey"), query)),
                (f"IKM, survey(): {who}, {span}", ikm),
            ]
    return [(label, fn) for label, fn in out if only.lower() in label.lower()]


def _case_count() -> int:
    from loket.cases.models import Case

    return Case.objects.filter(reference__startswith="B-").count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left")
    parser.add_argument("--only", default="", help="only the scenarios whose label holds this text")
    parser.add_argument("--out", default="results-reports-scale.json", help="the results' file name in bench/")
    args = parser.parse_args()
    prepare_environment()
    if not args.reuse:
        recreate_database()
    import django

    django.setup()
    if not args.reuse:
        seed(args.cases)
    results = [measure(label, fn, args.repeat) for label, fn in scenarios(args.only)]
    over = [r for r in results if r["verdict"] == "OVER"]
    for r in results:
        if r["verdict"] != "OVER" and not (r["slowest_query_s"] or 0) > BUDGET_S:
            continue
        print(f"\nRencana kueri terlambat dari '{r['label']}':")
        print("\n".join("    " + line for line in r["slowest_plan"]))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    out = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
        "database": version,
        "cases": args.cases if not args.reuse else _case_count(),
        "budget_s": BUDGET_S,
        "results": results,
    }
    (ROOT / "bench" / args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    if not args.keep:
        connection.close()
        recreate_database()  # leave nothing big behind
    print(f"\n{len(results) - len(over)} dari {len(results)} dalam {BUDGET_S:.0f} s; hasil: bench/{args.out}")


if __name__ == "__main__":
    main()
