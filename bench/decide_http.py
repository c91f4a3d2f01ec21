"""Benchmark: a staff member's one-submit decision with a reset, as an HTTP request (issue 13,
item 2), on PostgreSQL by default (not part of the suite).

Run: .venv/bin/python bench/decide_http.py [--db postgres|sqlite] [--cases 300] [--debug] [--profile]

Builds its database as bench/cases.py does (its seed and its runner: the built-in units and
SOPs, staff, directory accounts; production hasher settings for the reset), submits `--cases`
requests asking for a new password, then signs the Admin Agency in (a session in the database,
as in production) and POSTs each case's form as the browser does: steps 2 and 5 answered "ya" in
one submit, `version` as the page gave it. Timed is the POST through Django's whole stack
(middleware, session, CSRF, the view, `decide` with the reset's hash, the credential link, the
result mail queued, the redirect), in server time (`time.perf_counter()` around `Client.post`),
with production settings (DEBUG off, HTTPS, secure cookies) unless `--debug`. Every statement is
counted through an execute wrapper. Prints PASS/OVER against p95 <= 50 ms, writes
bench/results-decide-http-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases as bench_cases  # noqa: E402 - bench/cases.py, beside this file

BUDGET_P95_MS = 50.0


def _error_of(page: str) -> str:
    import re

    found = re.search(r'class="[^"]*(?:error|galat)[^"]*"[^>]*>(.*?)<', page, re.S)
    return found.group(1).strip() if found else page[:300]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--debug", action="store_true", help="DEBUG on (queries logged), as the demo runs")
    parser.add_argument("--profile", action="store_true", help="cProfile 30 more decisions")
    parser.add_argument("--statements", action="store_true", help="print the SQL of one decision")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--pg-server", default=bench_cases.PG_SERVER)
    args = parser.parse_args()
    if not args.debug:
        os.environ["LOKET_DEBUG"] = "0"
        os.environ["LOKET_SECRET_KEY"] = "bench-only-" + "x" * 50
        os.environ["LOKET_ALLOWED_HOSTS"] = "testserver"
    var = bench_cases.prepare_environment(args.db, args.pg_server)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from loket.cases.models import Case, Status

    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        people, pools = bench_cases.seed(args.cases + 40)
        runner = bench_cases.Runner(people, pools)
        extra = (30 if args.profile else 0) + (1 if args.statements else 0)
        opened = [runner.submit("kaltim")[0] for _ in range(args.cases + extra)]
        client = Client()
        client.force_login(people.aa_pupr)  # a signed-in staff member; sign-in itself is not timed
        secure = not args.debug

        refused: list[str] = []

        def post(case: Any) -> tuple[float, int, int]:
            counter = bench_cases.QueryCounter()
            # as the form is sent: the checklist ticked (kaltim asks for it), both steps "ya"
            data = {"version": str(case.version), "kelengkapan": ["0"], "jawaban-2": "ya", "jawaban-5": "ya"}
            url = reverse("console:case", args=[case.pk])
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                response = client.post(url, data, secure=secure)
                elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 302 and not refused:
                refused.append(response.content.decode())
                print(f"jawaban {response.status_code}: {_error_of(refused[0])}")
            return elapsed, counter.count, response.status_code

        # How much of the POST is the service: `decide` timed on its own inside each request.
        from loket.cases import services

        inner: list[float] = []
        real_decide = services.decide

        def timed_decide(**kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return real_decide(**kwargs)
            finally:
                inner.append((time.perf_counter() - start) * 1000)

        services.decide = timed_decide  # type: ignore[assignment]
        post(opened.pop())  # the first request warms the URL resolver, templates and the SOP cache
        inner.clear()
        times, statements, codes = [], [], []
        for case in opened[: args.cases - 1]:
            ms, n, code = post(case)
            times.append(ms)
            statements.append(n)
            codes.append(code)
        done = Case.objects.filter(pk__in=[c.pk for c in opened[: args.cases - 1]], status=Status.DONE).count()
        result = bench_cases.stats(times, statements)
        result["status_codes"] = sorted(set(codes))
        result["decide_service_median_ms"] = round(sorted(inner)[len(inner) // 2], 2) if inner else None
        result["cases_done"] = done
        verdict = bench_cases.verdict(result["p95_ms"], BUDGET_P95_MS)
        print(
            f"\nkeputusan satu kirim dengan reset, POST /konsol/kasus/<id>/ ({args.db}, "
            f"{'DEBUG' if args.debug else 'produksi'}): n={result['n']} median {result['median_ms']} ms, "
            f"p95 {result['p95_ms']} ms, maks {result['max_ms']} ms, {result['queries_median']} pernyataan "
            f"(min {result['queries_min']}, maks {result['queries_max']}); decide sendiri median "
            f"{result['decide_service_median_ms']} ms; jawaban {result['status_codes']}; "
            f"{done} kasus selesai. p95 <= {BUDGET_P95_MS:g} ms: {verdict}"
        )
        if args.statements:
            import traceback

            seen: list[tuple[str, str]] = []

            def where(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                frames = [
                    f for f in traceback.extract_stack() if "/loket/" in f.filename and "/bench/" not in f.filename
                ]
                place = " < ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(frames[-3:]))
                seen.append((sql, place))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(where):
                post(opened.pop())
            for number, (sql, place) in enumerate(seen, 1):
                print(f"{number:3} {sql[:70]!s:72} {place}")
        if args.profile:
            print(bench_cases.profile(lambda: post(opened.pop()), 30, focus="loket"))
        out = {
            "date": time.strftime("%Y-%m-%d"),
            "db": args.db,
            "debug": args.debug,
            "load_before": load_before,
            "load_after": Path("/proc/loadavg").read_text().split()[:3],
            "decide_http": result,
            "budget_p95_ms": BUDGET_P95_MS,
            "verdict": verdict,
        }
        path = Path(__file__).with_name(f"results-decide-http-{args.db}.json")
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"beban: {' '.join(load_before)} -> {' '.join(out['load_after'])}; hasil: {path}")
    finally:
        bench_cases.cleanup(args.db, args.pg_server, var, args.keep)


if __name__ == "__main__":
    main()
