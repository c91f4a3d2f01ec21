"""The production shape, measured: nginx before 4 gunicorn workers and 2 `loket worker`
processes on one PostgreSQL, 300 API submissions with two 200 KB PDFs at concurrency 4.

Run: .venv/bin/python bench/production_shape.py [--requests 300] [--concurrency 4] [--pdf-kb 200]

Builds a fresh database `prod_bench` (dropped and created), migrates, installs the built-in SOPs
(`loket sop install --builtin`), seeds one agency, one directory account and one staff member of
that agency, collects the static files; then starts an SMTP sink (aiosmtpd, in this process),
gunicorn with deploy/gunicorn.conf.py (4 workers), Debian's nginx with deploy/nginx.conf (the
documents' internal location, X-Accel-Redirect) and 2 `loket worker` processes (sweep every
second, periodic jobs every LOKET_PERIODIC_SECONDS=10), all with production settings
(LOKET_DEBUG=0, LOKET_TRUSTED_PROXIES=1, the submit throttles lifted: every request comes from
one address). It sends the submissions through nginx, waits for the outbox to drain, and
reports: submissions/s, median and p95 latency, errors; the cases in the database (each
answer's reference once, no case lost or doubled); each receipt mail at the SMTP sink exactly
once; each periodic job's runs against its periods (and the shortest gap between two runs);
the health endpoint through nginx; the staff download of documents through nginx (the bytes
sent by nginx on X-Accel-Redirect). PASS/OVER against the budgets below; results in
bench/results-production-shape.json. Processes, the database and the temporary directory are
removed at the end.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.nginx_site import BIN, Browser, Gunicorn, Nginx  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_NAME = "prod_bench"
HOST = "loket.bench"
ACCEL = "/_berkas/"
PERIOD = 10  # seconds: LOKET_PERIODIC_SECONDS for the run, short so that the run spans several
PASSWORD = "Bench-Rahasia-2026"
DOWNLOADS = 50

BUDGET_PER_SECOND = 5.0  # submissions per second, at least
BUDGET_P95_MS = 2000.0  # a submission's p95 latency through nginx, at most
BUDGET_DOWNLOAD_P95_MS = 50.0  # a document download's p95 through nginx, at most


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def recreate_database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {PG_NAME}")


def pdf(size: int) -> bytes:
    """A real PDF of about `size` bytes: one page holding a picture of noise (Pillow stores it as
    a JPEG, which does not shrink it), nothing active in it (Loket refuses attachments)."""
    from PIL import Image

    from loket.cases.uploads import RAW_NAME, RAW_NAMES

    side = int((size * 1.75) ** 0.5)
    while True:
        picture = Image.frombytes("L", (side, side), os.urandom(side * side))
        out = io.BytesIO()
        picture.save(out, format="PDF", resolution=150)
        data = out.getvalue()
        if abs(len(data) - size) >= size // 20:
            side = int(side * (size / len(data)) ** 0.5)
            continue
        # Loket's active-content check reads names in the raw bytes, image data included: noise
        # spelling e.g. "/JS " is refused (about 1 file in 300 here), so such a file is drawn again.
        if not any(m.group(1).decode("latin-1") in RAW_NAMES for m in RAW_NAME.finditer(data)):
            return data


def environment(tmp: Path, smtp_port: int) -> dict[str, str]:
    lifted = "1000000"
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "LOKET_", "DATABASE_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "loket.settings",
        "LOKET_DEBUG": "0",
        "LOKET_SECRET_KEY": secrets.token_urlsafe(50),
        "LOKET_ALLOWED_HOSTS": HOST,
        "LOKET_ENV_FILE": str(tmp / "no.env"),
        "LOKET_VAR_DIR": str(tmp / "var"),
        "LOKET_MEDIA_DIR": str(tmp / "media"),
        "LOKET_ACCEL_REDIRECT": ACCEL,
        "LOKET_TRUSTED_PROXIES": "1",
        "LOKET_BASE_URL": f"https://{HOST}",
        "LOKET_LOG_LEVEL": "WARNING",
        "LOKET_PERIODIC_SECONDS": str(PERIOD),
        "LOKET_SUBMIT_LIMIT_PER_ADDRESS": lifted,
        "LOKET_SUBMIT_LIMIT_PER_SESSION": lifted,
        "LOKET_LOOKUP_LIMIT_PER_ADDRESS": lifted,
        "LOKET_LOOKUP_LIMIT_PER_SESSION": lifted,
        "DATABASE_URL": PG_SERVER + PG_NAME,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "10",
    }


def seed() -> dict[str, Any]:
    from tests.factories import account, staff

    holder = account("kaltim", "ppk.bench", role="PPK", agency_name="Dinas PUPR")
    user = staff("aa-bench", "kaltim", "Admin Agency", "Dinas PUPR")
    user.set_password(PASSWORD)
    user.save()
    return {"agency": holder.agency_id, "user_id": holder.user_id, "staff": user.username}


class PeriodicWatch(threading.Thread):
    """Reads the jobs' rows twice a second: each distinct `last_run_at` is one run."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.runs: dict[str, set[Any]] = collections.defaultdict(set)
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(PG_SERVER + PG_NAME, autocommit=True) as conn:
            while not self.stopping.is_set():
                for name, at in conn.execute("SELECT name, last_run_at FROM operations_periodicjob").fetchall():
                    if at is not None:
                        self.runs[name].add(at)
                time.sleep(0.5)


def submit_all(nginx: Nginx, seeded: dict[str, Any], count: int, concurrency: int, pdf_kb: int) -> dict[str, Any]:
    import requests

    url = f"http://{nginx.host}:{nginx.port}/api/v1/requests"
    bodies = [(pdf(pdf_kb * 1024), pdf(pdf_kb * 1024)) for _ in range(count)]
    local = threading.local()
    latencies: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    references: list[str] = []
    first_error: list[str] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        letter, decree = bodies[n]
        began = time.perf_counter()
        response = session.post(
            url,
            headers={"Host": HOST},
            data={
                "unit": "kaltim",
                "service": "kaltim-reset-ppk",
                "need": "password",
                "name": f"PPK Bench {n}",
                "email": f"pemohon{n}@bench.go.id",
                "user_id": seeded["user_id"],
                "agency": str(seeded["agency"]),
            },
            files={
                "surat-permohonan": (f"surat-{n}.pdf", letter, "application/pdf"),
                "sk-pengangkatan": (f"sk-{n}.pdf", decree, "application/pdf"),
            },
            timeout=120,
        )
        took = time.perf_counter() - began
        with lock:
            latencies.append(took)
            statuses[response.status_code] += 1
            if response.status_code == 201:
                references.append(response.json()["reference"])
            elif not first_error:
                first_error.append(f"{response.status_code} {response.text[:300]}")

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    seconds = time.perf_counter() - began
    return {
        "requests": count,
        "concurrency": concurrency,
        "pdf_bytes": len(bodies[0][0]),
        "statuses": dict(sorted(statuses.items())),
        "errors": count - statuses.get(201, 0),
        "first_error": first_error[0] if first_error else None,
        "seconds": round(seconds, 2),
        "per_second": round(count / seconds, 2),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "references": references,
    }


def wait_for_outbox(timeout: float = 600) -> float:
    from django.db import close_old_connections

    from loket.notify.models import OutboxMessage

    began = time.perf_counter()
    waiting = [OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
    while OutboxMessage.objects.filter(status__in=waiting).exists():
        if time.perf_counter() - began > timeout:
            raise SystemExit("the outbox did not drain")
        time.sleep(0.5)
        close_old_connections()
    return time.perf_counter() - began


def downloads(browser: Browser, staff: str, media: Path, log: Path | None) -> dict[str, Any]:
    """Staff open DOWNLOADS documents one after another; `log`: nginx's access log, to count
    the files nginx sent on X-Accel-Redirect."""
    from loket.cases.models import Document

    signed_in = browser.sign_in("/konsol/masuk/", staff, PASSWORD)
    if signed_in.status != 302:
        return {"error": f"sign-in answered {signed_in.status}"}
    times, wrong = [], 0
    for doc in Document.objects.order_by("pk")[:DOWNLOADS]:
        began = time.perf_counter()
        answer = browser.get(f"/konsol/kasus/{doc.case_id}/berkas/{doc.pk}/")
        times.append(time.perf_counter() - began)
        if answer.status != 200 or answer.body != (media / doc.file.name).read_bytes():
            wrong += 1
    if not times:
        return {"error": "no document to download"}
    accel = sum(1 for line in log.read_text().splitlines() if f'accel="{ACCEL}' in line) if log else 0
    return {
        "downloads": len(times),
        "wrong": wrong,
        "sent_by_nginx": accel,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(percentile(times, 95) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pdf-kb", type=int, default=200)
    args = parser.parse_args()

    from tests.fixtures_smtp import SmtpServer

    tmp = Path(tempfile.mkdtemp(prefix="prod_bench-"))
    smtp = SmtpServer()
    smtp.start()
    env = environment(tmp, smtp.port)
    os.environ.update(env)
    loket = [str(BIN / "loket")]
    processes: list[Any] = []
    workers: list[subprocess.Popen[bytes]] = []
    results: dict[str, Any] = {"loadavg_before": loadavg(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    try:
        recreate_database()
        for command in (["migrate", "-v0"], ["sop", "install", "--builtin"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([*loket, *command], env=env, check=True, capture_output=True)
        import django

        django.setup()
        seeded = seed()

        gunicorn = Gunicorn(env, tmp / "gunicorn.log", workers=4)
        nginx = Nginx(
            tmp / "nginx",
            upstream=gunicorn.address,
            static_root=tmp / "var" / "static",
            media_dir=tmp / "media",
            accel_prefix=ACCEL,
            server_name=HOST,
            workers=2,
        )
        gunicorn.start()
        processes.append(gunicorn)
        nginx.start()
        processes.append(nginx)
        watch = PeriodicWatch()
        workers_began = time.perf_counter()
        for n in range(2):
            log = open(tmp / f"worker-{n}.log", "wb")  # noqa: SIM115 - the process keeps it
            workers.append(
                subprocess.Popen(
                    [*loket, "worker", "--sweep-seconds", "1", "--worker-id", f"bench-{n}"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        watch.start()
        from loket.operations.models import Heartbeat

        while Heartbeat.objects.count() < 2:  # both workers up before the load begins
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a worker stopped: " + (tmp / "worker-0.log").read_text(errors="replace"))
            time.sleep(0.5)

        print(f"Submitting {args.requests} requests at concurrency {args.concurrency} through nginx ...")
        results["loadavg_submit_start"] = loadavg()
        submitted = submit_all(nginx, seeded, args.requests, args.concurrency, args.pdf_kb)
        results["loadavg_submit_end"] = loadavg()
        references = submitted.pop("references")
        results["submit"] = submitted
        print(json.dumps(submitted))
        drained = wait_for_outbox()

        from django.db.models import Count

        from loket.cases.models import Case
        from loket.notify.models import OutboxMessage

        in_db = Case.objects.count()
        doubled = Case.objects.values("reference").annotate(n=Count("pk")).filter(n__gt=1).count()
        results["cases"] = {
            "in_database": in_db,
            "answered_201": len(references),
            "distinct_references_answered": len(set(references)),
            "answered_but_missing": len(set(references) - set(Case.objects.values_list("reference", flat=True))),
            "doubled": doubled,
        }
        time.sleep(3)  # a few more sweeps of both workers: a second copy would go out now
        received = smtp.messages
        rows = list(OutboxMessage.objects.values_list("to", "status"))
        per_recipient = collections.Counter(r for m in received for r in m.envelope_to)
        expected = collections.Counter(to for to, _status in rows)
        results["mail"] = {
            "outbox_rows": len(rows),
            "sent_rows": sum(1 for _to, status in rows if status == OutboxMessage.Status.SENT),
            "received_at_smtp": len(received),
            "distinct_message_ids": len({m.message["Message-ID"] for m in received}),
            "recipients_not_once": sum(1 for to in expected if per_recipient[to] != expected[to]),
            "receipts": sum(1 for m in received if "pemohon" in ",".join(m.envelope_to)),
            "seconds_to_drain_after_submits": round(drained, 1),
        }

        browser = Browser(nginx.host, nginx.port, server_name=HOST)
        health = browser.get("/ops/health/")
        health_doc = json.loads(health.body)
        results["health"] = {"status": health.status, "worker_processes": health_doc["worker"]["processes"]}
        front = Browser(nginx.host, nginx.port, server_name=HOST)
        results["download"] = downloads(front, seeded["staff"], tmp / "media", nginx.access_log)
        # The same downloads streamed by Django (LOKET_ACCEL_REDIRECT empty), from a gunicorn of
        # its own asked directly, for comparison.
        streaming = Gunicorn({**env, "LOKET_ACCEL_REDIRECT": ""}, tmp / "gunicorn-streaming.log", workers=1)
        streaming.start()
        processes.append(streaming)
        # Straight to gunicorn there is no nginx to say https: the header it would send.
        direct = Browser("127.0.0.1", streaming.port, server_name=HOST, always={"X-Forwarded-Proto": "https"})
        results["download_streamed_by_django"] = downloads(direct, seeded["staff"], tmp / "media", None)

        watch.stopping.set()
        watch.join()
        from django.utils import timezone

        ended = timezone.now()
        jobs = {}
        for name, runs in sorted(watch.runs.items()):
            times = sorted(runs)
            gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
            window = (ended - times[0]).total_seconds()
            jobs[name] = {
                "runs": len(times),
                # from its first run to the end: at most one run per period begun
                "periods_begun": int(window // PERIOD) + 1,
                "shortest_gap_s": round(min(gaps), 1) if gaps else None,
            }
        elapsed = time.perf_counter() - workers_began
        results["periodic"] = {"period_s": PERIOD, "workers": 2, "elapsed_s": round(elapsed, 1), "jobs": jobs}
        results["loadavg_after"] = loadavg()
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in reversed(processes):
            process.stop()
        smtp.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - django never set up: nothing to close
            pass
        recreate_database(drop_only=True)
        shutil.rmtree(tmp, ignore_errors=True)

    report(results)


def report(results: dict[str, Any]) -> None:
    s, c, m, d, p = results["submit"], results["cases"], results["mail"], results["download"], results["periodic"]
    jobs_once = all(
        job["runs"] <= job["periods_begun"]
        and (job["shortest_gap_s"] is None or job["shortest_gap_s"] >= PERIOD * 0.95)
        for job in p["jobs"].values()
    )
    checks = [
        (f"submissions/s >= {BUDGET_PER_SECOND:g}", s["per_second"], s["per_second"] >= BUDGET_PER_SECOND),
        (f"p95 latency <= {BUDGET_P95_MS:g} ms", s["p95_ms"], s["p95_ms"] <= BUDGET_P95_MS),
        ("errors = 0", s["errors"], s["errors"] == 0),
        (
            f"cases in DB = {s['requests']}, none lost or doubled",
            c["in_database"],
            c["in_database"] == s["requests"] == c["distinct_references_answered"]
            and not c["doubled"]
            and not c["answered_but_missing"],
        ),
        (
            "each mail sent exactly once",
            f"{m['received_at_smtp']} received / {m['outbox_rows']} rows",
            m["received_at_smtp"] == m["outbox_rows"] == m["sent_rows"] == m["distinct_message_ids"]
            and not m["recipients_not_once"]
            and m["receipts"] >= s["requests"],
        ),
        (
            f"periodic jobs once per {PERIOD} s",
            ", ".join(f"{k.rsplit('.', 1)[-1]} {v['runs']}" for k, v in p["jobs"].items()),
            jobs_once and bool(p["jobs"]),
        ),
        (
            "health ok, 2 worker processes",
            results["health"],
            results["health"] == {"status": 200, "worker_processes": 2},
        ),
        (
            f"download p95 <= {BUDGET_DOWNLOAD_P95_MS:g} ms, bytes exact, sent by nginx",
            d.get("p95_ms"),
            not d.get("wrong")
            and d.get("sent_by_nginx") == d.get("downloads")
            and d.get("p95_ms", 1e9) <= BUDGET_DOWNLOAD_P95_MS,
        ),
    ]
    results["verdicts"] = {name: "PASS" if ok else "OVER" for name, _value, ok in checks}
    for name, value, ok in checks:
        print(f"{'PASS' if ok else 'OVER'}  {name}: {value}")
    print(
        f"submit median {s['median_ms']} ms, p95 {s['p95_ms']} ms, {s['per_second']}/s over {s['seconds']} s; "
        f"download median {d.get('median_ms')} ms (streamed by Django: "
        f"{results['download_streamed_by_django'].get('median_ms')} ms); load {results['loadavg_submit_start']} -> {results['loadavg_submit_end']}"
    )
    out = ROOT / "bench" / "results-production-shape.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"Results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
