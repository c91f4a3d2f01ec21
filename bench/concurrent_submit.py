"""Concurrent submitters on the embedded database: how many requests fail.

Run: .venv/bin/python bench/concurrent_submit.py [--threads 8] [--requests 50]

For each SQLite set-up (Django's stock settings with LOKET_SQLITE_TUNED=0, and Loket's default:
immediate transactions, a busy timeout, WAL) a fresh SQLite file is migrated and given the
built-in SOPs, then `--threads` threads each hand in `--requests` API requests with two PDFs at
once (each thread its own database connection, as each web worker has), and the answers are
counted by status. Each set-up runs in its own process because the settings are read at start-up.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_one(threads: int, requests: int) -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from pypdf import PdfWriter

    from loket.catalog.services import install_builtin
    from loket.directory.models import Account, Agency
    from loket.units.models import Unit

    call_command("migrate", verbosity=0)
    install_builtin()
    unit = Unit.objects.get(kode="kaltim")
    agency = Agency.objects.create(unit=unit, name="Dinas PUPR")
    Account.objects.create(
        unit=unit, user_id="ppk.bench", name="PPK Bench", email="ppk@bench.go.id", role="PPK", agency=agency
    )
    connection.close()
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    pdf = out.getvalue()

    counts: collections.Counter[int] = collections.Counter()
    first_refusal: list[str] = []  # a 400 means the bench's request is wrong, not the database
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def submitter(n: int) -> None:
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        start.wait()
        for i in range(requests):
            response = client.post(
                "/api/v1/requests",
                data={
                    "unit": "kaltim",
                    "service": "kaltim-reset-ppk",
                    "need": "password",
                    "name": f"PPK {n}-{i}",
                    "email": "pemohon@bench.go.id",
                    "user_id": "ppk.bench",
                    "agency": str(agency.pk),
                    "surat-permohonan": SimpleUploadedFile("s.pdf", pdf, "application/pdf"),
                    "sk-pengangkatan": SimpleUploadedFile("k.pdf", pdf, "application/pdf"),
                },
            )
            with lock:
                counts[response.status_code] += 1
                if response.status_code == 400 and not first_refusal:
                    first_refusal.append(response.content.decode()[:300])
        connection.close()

    def double_clicks(pairs: int) -> dict[str, object]:
        """The same portal form sent twice at once from one browser, `pairs` times: both answers
        should lead to the one receipt, and one case be made per form."""
        import re

        from django.conf import settings

        from loket.cases.models import Case

        url = "/permohonan/kaltim/kaltim-reset-ppk/"
        statuses: collections.Counter[int] = collections.Counter()
        before = Case.objects.count()
        for _ in range(pairs):
            browser = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
            page = browser.get(url).content.decode()
            token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
            both = threading.Barrier(2)

            def click(token: str, cookie: str, both: threading.Barrier) -> None:
                twin = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
                twin.cookies[settings.SESSION_COOKIE_NAME] = cookie
                data = {
                    "form_token": token,
                    "user_id": "ppk.bench",
                    "name": "PPK Bench",
                    "email": "pemohon@bench.go.id",
                    "agency": str(agency.pk),
                    "need": "password",
                    "berkas-surat-permohonan": SimpleUploadedFile("s.pdf", pdf, "application/pdf"),
                    "berkas-sk-pengangkatan": SimpleUploadedFile("k.pdf", pdf, "application/pdf"),
                }
                both.wait()
                status = twin.post(url, data).status_code
                with lock:
                    statuses[status] += 1
                connection.close()

            pair = [threading.Thread(target=click, args=(token, cookie, both)) for _ in range(2)]
            for t in pair:
                t.start()
            for t in pair:
                t.join()
        return {"pairs": pairs, "statuses": dict(sorted(statuses.items())), "cases": Case.objects.count() - before}

    clicks = double_clicks(20)
    connection.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=submitter, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - began
    total = threads * requests
    return {
        "threads": threads,
        "requests": total,
        "statuses": dict(sorted(counts.items())),
        "errors": total - counts.get(201, 0),
        "seconds": round(seconds, 1),
        "per_second": round(total / seconds, 1),
        "first_refusal": first_refusal[0] if first_refusal else None,
        "portal_double_clicks": clicks,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50, help="requests per thread")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import logging

        logging.disable(logging.CRITICAL)  # the 500s of the stock set-up would flood the output
        print(json.dumps(run_one(args.threads, args.requests)))
        return
    results = {}
    for label, tuned in (("stock SQLite (LOKET_SQLITE_TUNED=0)", "0"), ("Loket's default", "1")):
        with tempfile.TemporaryDirectory() as var:
            env = {
                **os.environ,
                "LOKET_DEBUG": "1",
                "LOKET_VAR_DIR": var,
                "LOKET_SQLITE_TUNED": tuned,
                "LOKET_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
                "DATABASE_URL": f"sqlite:///{var}/bench.sqlite3",
                # One client address sends everything here: the per-address throttles would refuse
                # most of it (429), which is not what this measures.
                "LOKET_SUBMIT_LIMIT_PER_ADDRESS": "1000000",
                "LOKET_SUBMIT_LIMIT_PER_SESSION": "1000000",
            }
            env.pop("LOKET_ENV_FILE", None)
            done = subprocess.run(
                [sys.executable, __file__, "--child", f"--threads={args.threads}", f"--requests={args.requests}"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    for label, r in results.items():
        print(
            f"{label:38} {r['threads']} threads, {r['requests']} submits: {r['errors']} errors "
            f"{r['statuses']}, {r['seconds']} s ({r['per_second']}/s)"
        )
        c = r["portal_double_clicks"]
        print(f"{'':38} portal form sent twice at once, {c['pairs']} times: {c['statuses']}, {c['cases']} cases")
    (ROOT / "bench" / "results-concurrent-submit.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
