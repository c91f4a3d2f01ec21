"""Benchmark: the IKM over 1,000,000 ended cases on PostgreSQL (not part of the suite).

Run: .venv/bin/python bench/survey_scale.py [--cases 1000000] [--answered 0.3] [--keep]

Builds the PostgreSQL database `loket_bench_survey` (dropped and created again), migrates,
installs the built-in units and SOPs, then writes with `INSERT … SELECT generate_series` (the
columns taken from the models, so a new column of Case needs no change here): `--cases` cases
ended done or refused over the last 365 days, spread over the units and their SOPs, and for
`--answered` of them an invitation and an answer (scores 1..4, every 10th with a comment). It
then times `loket.survey.selectors.survey` (the page's reads: the overall aggregate, the grouped
one, the population counts, the comments shown) as a superuser sees it (every unit), for one
unit, and for one unit's service, over this year and over all 365 days; each five times, the
median reported, with EXPLAIN ANALYZE of the overall aggregate. Budget: 2 s per page read.
Writes bench/results-survey-postgres.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("LOKET_BENCH_PG", "postgres://postgres@127.0.0.1:5432/")
PG_NAME = "loket_bench_survey"
BUDGET_S = 2.0


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER.rstrip("/") + "/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def prepare() -> None:
    var = Path(tempfile.mkdtemp(prefix="loket-bench-survey-"))
    os.environ["LOKET_VAR_DIR"] = str(var)
    os.environ["LOKET_ENV_FILE"] = str(var / "no.env")
    os.environ.setdefault("LOKET_DEBUG", "1")
    os.environ.setdefault("LOKET_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")
    os.environ["DATABASE_URL"] = PG_SERVER.rstrip("/") + "/" + PG_NAME
    sys.path.insert(0, str(ROOT))


def _column_values(model: Any, given: dict[str, str]) -> tuple[list[str], list[str]]:
    """The table's columns and an SQL expression for each: `given` by field name, else a neutral
    value by the field's kind (NULL where allowed, '' for text, false, 0, now())."""
    from django.db import models

    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        if f.name in given:
            values.append(given[f.name])
        elif f.null:
            values.append("NULL")
        elif isinstance(f, models.BooleanField):
            values.append("false")
        elif isinstance(f, models.JSONField):
            values.append("'{}'::jsonb")
        elif isinstance(f, models.DateTimeField):
            values.append("now()")
        elif isinstance(f, models.IntegerField):
            values.append("0")
        else:
            values.append("''")
    return columns, values


def seed(cases: int, answered: float) -> dict[str, Any]:
    from django.db import connection

    from loket.cases.models import Case
    from loket.catalog.models import SopVersion
    from loket.survey.ikm import FIELDS
    from loket.survey.models import Invitation, Response

    versions = list(SopVersion.objects.order_by("pk").values_list("pk", "unit_id", "kode"))
    n = len(versions)
    sop_ids = "ARRAY[" + ",".join(str(v[0]) for v in versions) + "]"
    unit_ids = "ARRAY[" + ",".join(str(v[1]) for v in versions) + "]"
    kodes = "ARRAY[" + ",".join(f"'{v[2]}'" for v in versions) + "]"
    pick = f"(1 + (i %% {n}))"
    closed = "(now() - (i %% 525600) * interval '1 minute')"  # spread over the last 365 days
    columns, values = _column_values(
        Case,
        {
            "unit": f"({unit_ids})[{pick}]",
            "sop": f"({sop_ids})[{pick}]",
            "reference": "'B-' || i",
            "tracking_digest": "md5(i::text) || md5((-i)::text)",
            "channel": "'web'",
            "need": "'password'",
            "status": "CASE WHEN i %% 7 = 0 THEN 'refused' ELSE 'done' END",
            "version": "1",
            "requester_name": "'Pemohon ' || i",
            "requester_email": "'p' || i || '@example.go.id'",
            "created_at": f"{closed} - interval '2 hours'",
            "updated_at": closed,
            "closed_at": closed,
        },
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS i",
            [cases],
        )
        every = max(1, round(1 / answered)) if answered > 0 else 0
        if every:
            inv_cols, inv_vals = _column_values(
                Invitation,
                {
                    "case": "c.id",
                    "digest": "md5(c.id::text) || md5(c.reference)",
                    "created_at": "c.closed_at",
                    "expires_at": "c.closed_at + interval '30 days'",
                    "mailed_at": "c.closed_at",
                    "used_at": "c.closed_at + interval '1 hour'",
                },
            )
            cursor.execute(
                f"INSERT INTO {Invitation._meta.db_table} ({', '.join(inv_cols)}) "
                f"SELECT {', '.join(inv_vals)} FROM {Case._meta.db_table} c WHERE c.id % {every} = 0"
            )
            scores = {name: f"1 + ((c.id * {k + 3}) % 4)" for k, name in enumerate(FIELDS)}
            resp_cols, resp_vals = _column_values(
                Response,
                {
                    "invitation": "inv.id",
                    "case": "c.id",
                    "unit": "c.unit_id",
                    "sop": "c.sop_id",
                    "sop_kode": f"({kodes})[array_position({sop_ids}, c.sop_id)]",
                    "channel": "c.channel",
                    "via": "'tautan'",
                    "submitted_at": "c.closed_at + interval '1 hour'",
                    "comment": "CASE WHEN c.id % 10 = 0 THEN 'Saran nomor ' || c.id ELSE '' END",
                    **scores,
                },
            )
            cursor.execute(
                f"INSERT INTO {Response._meta.db_table} ({', '.join(resp_cols)}) "
                f"SELECT {', '.join(resp_vals)} FROM {Invitation._meta.db_table} inv "
                f"JOIN {Case._meta.db_table} c ON c.id = inv.case_id"
            )
        cursor.execute("ANALYZE")
    return {
        "cases": Case.objects.count(),
        "responses": Response.objects.count(),
        "seed_seconds": round(time.perf_counter() - started, 1),
    }


def measure() -> list[dict[str, Any]]:
    from django.db import connection

    from loket.catalog.models import SopVersion
    from loket.survey.selectors import SurveyFilter, responses, survey
    from loket.units.models import Unit

    units = list(Unit.objects.order_by("kode"))
    first = units[0]
    kode = SopVersion.objects.filter(unit=first).order_by("kode").values_list("kode", flat=True).first() or ""
    today = dt.date.today()
    year = (dt.date(today.year, 1, 1), today)
    last365 = (today - dt.timedelta(days=365), today)
    runs = []
    for label, spec in [
        ("every unit, this year", SurveyFilter(date_from=year[0], date_to=year[1])),
        ("every unit, 365 days", SurveyFilter(date_from=last365[0], date_to=last365[1])),
        (f"unit {first.kode}, 365 days", SurveyFilter(unit=first.kode, date_from=last365[0], date_to=last365[1])),
        (
            f"unit {first.kode}, {kode}, 365 days",
            SurveyFilter(unit=first.kode, sop=kode, date_from=last365[0], date_to=last365[1]),
        ),
    ]:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = survey(units, spec)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        qs = responses(units, spec)
        sql, params = qs.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) s", params)
            plan = [row[0] for row in cursor.fetchall()]
        runs.append(
            {
                "read": label,
                "median_s": round(median, 3),
                "max_s": round(max(times), 3),
                "respondents": result.overall.respondents,
                "population": result.overall.population,
                "ikm": str(result.overall.value),
                "within_budget": median < BUDGET_S,
                "plan_of_the_response_filter": plan[:12],
            }
        )
        print(f"{label:45} median {median:.3f} s  max {max(times):.3f} s  n={result.overall.respondents}")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--answered", type=float, default=0.3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    prepare()
    import django

    django.setup()
    from django.core.management import call_command

    from loket.catalog.services import install_builtin

    call_command("migrate", verbosity=0)
    install_builtin()
    seeded = seed(args.cases, args.answered)
    print(f"seeded {seeded}")
    runs = measure()
    out = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        **seeded,
        "budget_s": BUDGET_S,
        "runs": runs,
    }
    (ROOT / "bench" / "results-survey-postgres.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    from django.db import connections

    connections.close_all()
    if not args.keep:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
