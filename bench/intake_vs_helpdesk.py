"""Intake throughput side by side with django-helpdesk 2.6.1: submissions per second through
gunicorn on PostgreSQL, helpdesk's public ticket form against Loket's API and Loket's portal.

Run: .venv/bin/python bench/intake_vs_helpdesk.py [--submissions 300] [--rounds 3] [--concurrency 4]
     [--helpdesk-venv bench/.intake/helpdesk-venv] [--pg-server postgres://postgres@127.0.0.1:5432/]

Set-up (each time, from nothing):

- django-helpdesk 2.6.1 in its own virtualenv (created with pip on first use; gunicorn and
  psycopg beside it), a minimal project written under bench/.intake/helpdesk-project (PostgreSQL
  database `intake_helpdesk`, dropped and created, migrated; one queue open to public
  submission; mail to Django's dummy backend: helpdesk sends its mail in the request, Loket
  queues it in its outbox);
- Loket on the PostgreSQL database `intake_loket` (dropped, created, migrated, `loket sop install
  --builtin`, one agency and one directory account), with production settings (LOKET_DEBUG=0, a
  secret, no SSL redirect, 127.0.0.1 allowed) and the submit throttles lifted (every submission
  comes from one address);
- each served by gunicorn with 2 sync workers on its own loopback port. Both stay up; only one is
  sent anything at a time (the other is idle).

A load generator (`--concurrency` threads, each one connection kept open while the server keeps
it, every body built beforehand so the client costs little: it shares the cores) sends
`--submissions` per round, every submission as a new visitor (no cookie of an earlier one):

- H, helpdesk's public form: GET /helpdesk/tickets/submit/ (the CSRF cookie and token), then POST
  the form with one 200 KB PDF attached;
- A, Loket's API: one POST /api/v1/requests with two 200 KB PDFs;
- P, Loket's portal: GET the request form (CSRF and the one-time form token), then POST it with
  two 200 KB PDFs.

Rounds are interleaved (H, A, P, H, A, P, ...) so that the other jobs on the machine weigh on
each about alike. After each round the rows are counted: every submission must have made one
ticket (with its attachment) or one case (with its two documents). A warm-up of `--warmup`
submissions per target, not counted, comes first. Printed: submissions/s, median and p95
latency (GET + POST for a form), errors, the load average, and the CPU per submission of the
server's processes and of its database's backends (sampled from /proc: the other jobs on the
machine sway it far less than the rate) per round; the ratios API/helpdesk and portal/helpdesk
(median of the rounds' rates) against the budgets 4x and 3x, PASS/OVER, and the same ratios by
CPU. Results go to bench/results-intake-vs-helpdesk.json (or --output). Exits 0 when it ran to
the end.

--loket-src DIR serves Loket from other sources (an older commit's src/, to measure before and
after under the same conditions); --loket-app MODULE through another WSGI module (a trial such as
bench/intake_trial.py); --one-address sends everything from 127.0.0.1 (see setup_loket).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
WORK_DIR = ROOT / "bench" / ".intake"  # ignored by git: helpdesk's venv and project, both sites' files, logs
HELPDESK_VERSION = "2.6.1"
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
HELPDESK_DB = "intake_helpdesk"
LOKET_DB = "intake_loket"
RESULTS = ROOT / "bench" / "results-intake-vs-helpdesk.json"

BUDGET_API = 4.0  # Loket's API at least 4x helpdesk's public form
BUDGET_PORTAL = 3.0  # Loket's portal (GET + POST) at least 3x
PDF_BYTES = 200 * 1024

UNIT, SERVICE, USER_ID = "kaltim", "kaltim-reset-ppk", "ppk.intake"
PORTAL_PATH = f"/permohonan/{UNIT}/{SERVICE}/"
HELPDESK_PATH = "/helpdesk/tickets/submit/"
API_PATH = "/api/v1/requests"

# -- the helpdesk project ------------------------------------------------------------------------

HELPDESK_SETTINGS = """\
# Written by bench/intake_vs_helpdesk.py: the least django-helpdesk 2.6.1 needs for its public
# ticket form, in production mode, on PostgreSQL.
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ["HELPDESK_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["HELPDESK_DB_NAME"],
        "USER": "postgres",
        "HOST": os.environ.get("HELPDESK_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("HELPDESK_DB_PORT", "5432"),
        "CONN_MAX_AGE": 60,  # as Loket's
    }
}
SITE_ID = 1
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ["HELPDESK_MEDIA_ROOT"]
MEDIA_URL = "/media/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGIN_URL = "helpdesk:login"
HELPDESK_TEAMS_MODE_ENABLED = False  # no pinax-teams
HELPDESK_SUBMIT_A_TICKET_PUBLIC = True
HELPDESK_ENABLE_ATTACHMENTS = True
"""

HELPDESK_URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""

HELPDESK_WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
application = get_wsgi_application()
"""


def helpdesk_venv(path: Path) -> Path:
    """The helpdesk's own virtualenv, made on first use."""
    python = path / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    done = subprocess.run(
        [
            str(python),
            "-c",
            "import helpdesk, gunicorn, psycopg; from importlib.metadata import version as v; "
            "print(v('django-helpdesk'))",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or done.stdout.strip() != HELPDESK_VERSION:
        subprocess.run(
            [
                str(path / "bin" / "pip"),
                "install",
                "-q",
                f"django-helpdesk=={HELPDESK_VERSION}",
                "gunicorn",
                "psycopg[binary]",
            ],
            check=True,
        )
    return path


def recreate_database(pg_server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(pg_server + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def pg_count(pg_server: str, db: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(pg_server + db, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def setup_helpdesk(venv: Path, pg_server: str) -> dict[str, str]:
    project = WORK_DIR / "helpdesk-project"
    media = WORK_DIR / "helpdesk-media"
    shutil.rmtree(media, ignore_errors=True)
    project.mkdir(parents=True, exist_ok=True)
    media.mkdir(parents=True)
    (project / "settings.py").write_text(HELPDESK_SETTINGS)
    (project / "urls.py").write_text(HELPDESK_URLS)
    (project / "wsgi.py").write_text(HELPDESK_WSGI)
    recreate_database(pg_server, HELPDESK_DB)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": str(project),
        "HELPDESK_SECRET_KEY": secrets.token_urlsafe(40),
        "HELPDESK_DB_NAME": HELPDESK_DB,
        "HELPDESK_MEDIA_ROOT": str(media),
    }
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "django", "migrate", "-v0"], env=env, cwd=project, check=True)
    queue = subprocess.run(
        [
            python,
            "-c",
            "import django; django.setup(); from helpdesk.models import Queue; "
            "print(Queue.objects.create(title='Layanan akun', slug='akun', allow_public_submission=True).pk)",
        ],
        env=env,
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    )
    env["BENCH_QUEUE_ID"] = queue.stdout.strip().splitlines()[-1]
    return env


# -- Loket -------------------------------------------------------------------------------------------

LOKET_SEED = f"""
import django
django.setup()
from loket.directory.models import Account, Agency
from loket.units.models import Unit
unit = Unit.objects.get(kode={UNIT!r})
agency = Agency.objects.create(unit=unit, name="Dinas PUPR Bench")
Account.objects.create(unit=unit, user_id={USER_ID!r}, name="PPK Bench", email="ppk@bench.go.id", role="PPK",
                       agency=agency)
print(agency.pk)
"""


def setup_loket(pg_server: str) -> dict[str, str]:
    var = WORK_DIR / "loket-var"  # the uploaded documents of the run
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    recreate_database(pg_server, LOKET_DB)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loket.settings",
        "LOKET_DEBUG": "0",
        "LOKET_SECRET_KEY": secrets.token_urlsafe(40),
        "LOKET_SSL_REDIRECT": "0",
        "LOKET_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOKET_VAR_DIR": str(var),
        "LOKET_LOG_LEVEL": "WARNING",
        "DATABASE_URL": pg_server + LOKET_DB,
        # The throttles lifted: nothing here is refused 429. Each submission still comes from its
        # own address (X-Forwarded-For through one trusted proxy, as behind the production proxy):
        # counted all under one, every count would read each earlier hit of the window (the lifted
        # limit is the query's LIMIT), a cost that grows through the run and that no real requester
        # causes. --one-address measures it so.
        "LOKET_SUBMIT_LIMIT_PER_ADDRESS": "100000000",
        "LOKET_SUBMIT_LIMIT_PER_SESSION": "100000000",
        "LOKET_TRUSTED_PROXIES": "1",
    }
    env.pop("LOKET_ENV_FILE", None)
    loket = str(VENV / "loket")
    subprocess.run([loket, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([loket, "sop", "install", "--builtin"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seeded = subprocess.run(
        [str(VENV / "python"), "-c", LOKET_SEED], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    env["BENCH_AGENCY_ID"] = seeded.stdout.strip().splitlines()[-1]
    return env


# -- the documents ------------------------------------------------------------------------------


def sample_pdf(size: int, seed: int) -> bytes:
    """A one-page PDF of about `size` bytes, most of it a scanned-looking image (a compressed
    stream), that Loket's upload check accepts."""
    import random
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    rng = random.Random(seed)
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    side = 256
    while True:
        raw = bytes(rng.getrandbits(8) for _ in range(side * side))
        packed = zlib.compress(raw, 1)
        if len(packed) >= size - 2000:
            break
        side += 64
    image = DecodedStreamObject()
    image._data = packed
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(side),
            NameObject("/Height"): NumberObject(side),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/FlateDecode"),
        }
    )
    ref = writer._add_object(image)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): ref})}
    )
    content = DecodedStreamObject()
    content.set_data(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def accepted_pdfs(env: dict[str, str], count: int) -> list[bytes]:
    """`count` PDFs of about PDF_BYTES that Loket's check accepts (random image bytes may spell a
    refused name such as /JS by chance: such a sample is skipped)."""
    code = (
        "import sys, django; django.setup(); from loket.cases.uploads import check_file; "
        "c = sys.stdin.buffer.read(); print(type(check_file(kode='x', name='x.pdf', content=c)).__name__)"
    )
    found: list[bytes] = []
    seed = 0
    while len(found) < count:
        pdf = sample_pdf(PDF_BYTES, seed)
        seed += 1
        verdict = subprocess.run(
            [str(VENV / "python"), "-c", code], input=pdf, env=env, cwd=ROOT, capture_output=True, check=True
        )
        if verdict.stdout.decode().strip() == "CheckedFile":
            found.append(pdf)
    return found


# -- multipart bodies ---------------------------------------------------------------------------

BOUNDARY = "----LoketIntakeBench7MA4YWxkTrZu0gW"


def fields_part(fields: dict[str, str]) -> bytes:
    return b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    )


def file_part(name: str, filename: str, content: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )


END = f"--{BOUNDARY}--\r\n".encode()
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


# -- the client ---------------------------------------------------------------------------------


class Connection:
    """One keep-alive connection (gunicorn's sync workers close every one: then it reconnects)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.address = ""  # the visitor's address, sent as X-Forwarded-For

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                sent = {"Host": f"127.0.0.1:{self.port}", **headers}
                if self.address:
                    sent["X-Forwarded-For"] = self.address
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            got = {k.lower(): v for k, v in response.getheaders()}
            cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
            got["set-cookie"] = "\n".join(cookies)
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, got, data
        raise AssertionError("unreachable")


def cookies_of(headers: dict[str, str]) -> str:
    """The Cookie header a browser sends back (name=value of each Set-Cookie)."""
    pairs = [line.split(";", 1)[0].strip() for line in headers.get("set-cookie", "").split("\n") if line.strip()]
    return "; ".join(pairs)


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(rb'name="form_token" value="([^"]+)"')


class Failed(Exception):
    pass


def make_helpdesk(queue_id: str, pdf: bytes) -> Callable[[Connection, int], None]:
    tail = (
        fields_part(
            {
                "queue": queue_id,
                "title": "Lupa password akun PPK",
                "body": "Mohon reset password akun SPSE saya (user ID ppk.intake). Surat terlampir.",
                "priority": "3",
                "due_date": "",
            }
        )
        + file_part("attachment", "surat-permohonan.pdf", pdf)
        + END
    )

    def submit(conn: Connection, n: int) -> None:
        status, headers, page = conn.request("GET", HELPDESK_PATH, None, {})
        token = CSRF_INPUT.search(page)
        if status != 200 or not token:
            raise Failed(f"GET {status}")
        body = fields_part({"csrfmiddlewaretoken": token.group(1).decode(), "submitter_email": f"p{n}@bench.go.id"})
        status, _, page = conn.request(
            "POST", HELPDESK_PATH, body + tail, {"Content-Type": MULTIPART, "Cookie": cookies_of(headers)}
        )
        if status != 302:
            raise Failed(f"POST {status}: {page[:200]!r}")

    return submit


def two_pdfs(prefix: str, pdfs: list[bytes]) -> bytes:
    """The two documents of a kaltim-reset-ppk request, the letter and the decree, as the last
    parts of a multipart body; `prefix` before the documents' kode makes the field names."""
    return (
        file_part(f"{prefix}surat-permohonan", "surat-permohonan.pdf", pdfs[0])
        + file_part(f"{prefix}sk-pengangkatan", "sk-pengangkatan.pdf", pdfs[1])
        + END
    )


def make_api(agency_id: str, pdfs: list[bytes]) -> Callable[[Connection, int], None]:
    tail = two_pdfs("", pdfs)

    def submit(conn: Connection, n: int) -> None:
        head = fields_part(
            {
                "unit": UNIT,
                "service": SERVICE,
                "need": "password",
                "name": f"PPK Bench {n}",
                "email": f"p{n}@bench.go.id",
                "user_id": USER_ID,
                "agency": agency_id,
            }
        )
        status, _, page = conn.request("POST", API_PATH, head + tail, {"Content-Type": MULTIPART})
        if status != 201:
            raise Failed(f"POST {status}: {page[:200]!r}")

    return submit


def make_portal(agency_id: str, pdfs: list[bytes]) -> Callable[[Connection, int], None]:
    tail = two_pdfs("berkas-", pdfs)  # the portal's file fields

    def submit(conn: Connection, n: int) -> None:
        status, headers, page = conn.request("GET", PORTAL_PATH, None, {})
        csrf, token = CSRF_INPUT.search(page), FORM_TOKEN.search(page)
        if status != 200 or not csrf or not token:
            raise Failed(f"GET {status}")
        head = fields_part(
            {
                "csrfmiddlewaretoken": csrf.group(1).decode(),
                "form_token": token.group(1).decode(),
                "user_id": USER_ID,
                "nip": "",
                "name": f"PPK Bench {n}",
                "email": f"p{n}@bench.go.id",
                "phone": "",
                "agency": agency_id,
                "need": "password",
            }
        )
        status, _, page = conn.request(
            "POST", PORTAL_PATH, head + tail, {"Content-Type": MULTIPART, "Cookie": cookies_of(headers)}
        )
        if status != 302:
            raise Failed(f"POST {status}: {page[:300]!r}")

    return submit


VISITORS = itertools.count(1)


def visitor_address(n: int) -> str:
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def load(
    port: int, submit: Callable[[Connection, int], None], total: int, concurrency: int, *, one_address: bool = False
) -> dict[str, Any]:
    """`total` submissions from `concurrency` threads; the rate, latencies and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    start = threading.Barrier(concurrency + 1)

    def worker() -> None:
        conn = Connection(port)
        start.wait()
        while True:
            with lock:
                n = next(counter, None)
                visitor = next(VISITORS)
            if n is None:
                break
            conn.address = "" if one_address else visitor_address(visitor)
            began = time.perf_counter()
            try:
                submit(conn, n)
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
                conn = Connection(port)
                continue
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    latencies.sort()
    return {
        "submissions": total,
        "ok": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 1) if latencies else None,
    }


# -- servers --------------------------------------------------------------------------------------


def serve(gunicorn: Path, app: str, port: int, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    server = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", app],
        env=env,
        cwd=cwd,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn for {app} ended: see {log}") from None
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"gunicorn for {app} did not start: see {log}")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


class CpuSampler:
    """CPU seconds the server (gunicorn's master and workers) and its database (the PostgreSQL
    backends connected to it) spend during a round: what each submission costs the machine,
    which the other jobs on it disturb far less than the rate. Sampled every 0.2 s, so that a
    backend that ends within the round (Django closes a connection after CONN_MAX_AGE) still
    counts up to its last sample."""

    def __init__(self, master: int, pg_server: str, db: str) -> None:
        self.master, self.pg_server, self.db = master, pg_server, db
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.stop = threading.Event()

    def _server_pids(self) -> list[int]:
        pids = [self.master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat and stat[0] == self.master:
                    pids.append(int(entry.name))
        return pids

    def _db_pids(self, conn: Any) -> list[int]:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.db]
        ).fetchall()
        return [int(row[0]) for row in rows]

    def _sample(self, conn: Any, first: bool) -> None:
        for kind, pids in (("server", self._server_pids()), ("db", self._db_pids(conn))):
            for pid in pids:
                stat = _stat(pid)
                if stat is None:
                    continue
                if pid not in self.base:
                    # A process that appears during the round counts from its start.
                    self.base[pid] = stat[1] if first else 0.0
                    self.kind[pid] = kind
                self.last[pid] = stat[1]

    def __enter__(self) -> CpuSampler:
        import psycopg

        self.conn = psycopg.connect(self.pg_server + "postgres", autocommit=True)
        self._sample(self.conn, first=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            self._sample(self.conn, first=False)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._sample(self.conn, first=False)
        self.conn.close()

    def seconds(self, kind: str) -> float:
        return sum(self.last[pid] - self.base[pid] for pid in self.last if self.kind[pid] == kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=300, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=20, help="per target, before the rounds, not counted")
    parser.add_argument("--helpdesk-venv", type=Path, default=WORK_DIR / "helpdesk-venv")
    parser.add_argument("--pg-server", default=PG_SERVER)
    parser.add_argument("--helpdesk-port", type=int, default=8781)
    parser.add_argument("--loket-port", type=int, default=8782)
    parser.add_argument("--targets", default="HAP", help="which of H, A, P (for trying one alone)")
    parser.add_argument("--one-address", action="store_true", help="every submission from 127.0.0.1 (see setup_loket)")
    parser.add_argument(
        "--loket-app",
        default="loket.wsgi",
        help="the WSGI module gunicorn serves Loket with (a trial of a change elsewhere: a module on PYTHONPATH "
        "that patches, then imports loket.wsgi's application)",
    )
    parser.add_argument("--loket-src", type=Path, help="serve Loket from these sources (an older commit's src/)")
    parser.add_argument("--label", default="", help="a note stored with the results (which commit, what changed)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    venv = helpdesk_venv(args.helpdesk_venv.resolve())
    print(f"{dt.datetime.now(dt.UTC):%H:%M:%S} setting up helpdesk and Loket", flush=True)
    helpdesk_env = setup_helpdesk(venv, args.pg_server)
    loket_env = setup_loket(args.pg_server)
    pdfs = accepted_pdfs(loket_env, 2)

    targets: dict[str, tuple[str, int, Callable[[Connection, int], None], Callable[[], tuple[int, int]]]] = {
        "H": (
            "helpdesk public form (GET + POST, 1 PDF)",
            args.helpdesk_port,
            make_helpdesk(helpdesk_env["BENCH_QUEUE_ID"], pdfs[0]),
            lambda: (
                pg_count(args.pg_server, HELPDESK_DB, "SELECT count(*) FROM helpdesk_ticket"),
                pg_count(args.pg_server, HELPDESK_DB, "SELECT count(*) FROM helpdesk_followupattachment"),
            ),
        ),
        "A": (
            "Loket API (POST, 2 PDFs)",
            args.loket_port,
            make_api(loket_env["BENCH_AGENCY_ID"], pdfs),
            lambda: (
                pg_count(args.pg_server, LOKET_DB, "SELECT count(*) FROM cases_case WHERE channel = 'api'"),
                pg_count(
                    args.pg_server,
                    LOKET_DB,
                    "SELECT count(*) FROM cases_document d JOIN cases_case c ON c.id = d.case_id "
                    "WHERE c.channel = 'api'",
                ),
            ),
        ),
        "P": (
            "Loket portal (GET + POST, 2 PDFs)",
            args.loket_port,
            make_portal(loket_env["BENCH_AGENCY_ID"], pdfs),
            lambda: (
                pg_count(args.pg_server, LOKET_DB, "SELECT count(*) FROM cases_case WHERE channel = 'web'"),
                pg_count(
                    args.pg_server,
                    LOKET_DB,
                    "SELECT count(*) FROM cases_document d JOIN cases_case c ON c.id = d.case_id "
                    "WHERE c.channel = 'web'",
                ),
            ),
        ),
    }
    files_per = {"H": 1, "A": 2, "P": 2}
    # Where a trial module lives; and another checkout's sources first, to measure an older commit
    # under the same conditions (`git archive <commit> src | tar -x -C DIR`, then --loket-src DIR/src).
    paths = [*([str(args.loket_src)] if args.loket_src else []), str(ROOT / "bench")]
    loket_env["PYTHONPATH"] = os.pathsep.join(paths)
    logs = WORK_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    servers = [
        serve(
            venv / "bin" / "gunicorn",
            "wsgi",
            args.helpdesk_port,
            helpdesk_env,
            WORK_DIR / "helpdesk-project",
            logs / "helpdesk-gunicorn.log",
        ),
        serve(VENV / "gunicorn", args.loket_app, args.loket_port, loket_env, ROOT, logs / "loket-gunicorn.log"),
    ]
    masters = {"H": servers[0].pid, "A": servers[1].pid, "P": servers[1].pid}
    databases = {"H": HELPDESK_DB, "A": LOKET_DB, "P": LOKET_DB}
    rounds: list[dict[str, Any]] = []
    try:
        for key in args.targets:
            _label, port, submit, _count = targets[key]
            load(port, submit, args.warmup, args.concurrency, one_address=args.one_address)
        for r in range(1, args.rounds + 1):
            for key in args.targets:
                label, port, submit, count = targets[key]
                before = count()
                load_before = loadavg()
                client_cpu = time.process_time()
                with CpuSampler(masters[key], args.pg_server, databases[key]) as cpu:
                    result = load(port, submit, args.submissions, args.concurrency, one_address=args.one_address)
                client_cpu = time.process_time() - client_cpu
                after = count()
                made, files = after[0] - before[0], after[1] - before[1]
                row = {
                    "round": r,
                    "target": key,
                    "label": label,
                    **result,
                    "rows_made": made,
                    "files_stored": files,
                    "verified": made == result["ok"] and files == files_per[key] * result["ok"],
                    "loadavg_before": load_before,
                    "loadavg_after": loadavg(),
                    # CPU per submission (ms): the server's processes, its database's backends, the client.
                    "server_cpu_ms": round(cpu.seconds("server") * 1000 / max(result["ok"], 1), 1),
                    "db_cpu_ms": round(cpu.seconds("db") * 1000 / max(result["ok"], 1), 1),
                    "client_cpu_ms": round(client_cpu * 1000 / max(result["ok"], 1), 1),
                }
                rounds.append(row)
                print(
                    f"round {r} {key} {label:42} {row['per_second']:6.1f}/s  median {row['median_ms']} ms  "
                    f"p95 {row['p95_ms']} ms  cpu/sub server {row['server_cpu_ms']} db {row['db_cpu_ms']} "
                    f"client {row['client_cpu_ms']} ms  errors {row['errors']}  rows {made} files {files} "
                    f"{'ok' if row['verified'] else 'MISMATCH'}  load {row['loadavg_after']}",
                    flush=True,
                )
                if row["first_errors"]:
                    print("   ", row["first_errors"][0], flush=True)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()

    def rates(key: str) -> list[float]:
        return [row["per_second"] for row in rounds if row["target"] == key]

    def medians(key: str, field: str) -> float:
        return statistics.median(row[field] for row in rounds if row["target"] == key)

    summary: dict[str, Any] = {
        k: {
            "per_second": rates(k),
            "median_per_second": statistics.median(rates(k)),
            "median_server_cpu_ms": medians(k, "server_cpu_ms"),
            "median_db_cpu_ms": medians(k, "db_cpu_ms"),
        }
        for k in args.targets
        if rates(k)
    }

    verdicts = []
    if "H" in summary:
        base = summary["H"]["median_per_second"]
        for key, budget in (("A", BUDGET_API), ("P", BUDGET_PORTAL)):
            if key not in summary or not base:
                continue
            ratio = summary[key]["median_per_second"] / base
            per_round = [a / h for a, h in zip(rates(key), rates("H"), strict=True) if h]
            verdict = "PASS" if ratio >= budget else "OVER"
            # The same comparison by CPU per submission (server and database): helpdesk's over Loket's.
            cpu_ratio = (summary["H"]["median_server_cpu_ms"] + summary["H"]["median_db_cpu_ms"]) / max(
                summary[key]["median_server_cpu_ms"] + summary[key]["median_db_cpu_ms"], 0.1
            )
            summary[key].update(
                ratio=round(ratio, 2),
                ratio_per_round=[round(x, 2) for x in per_round],
                cpu_ratio=round(cpu_ratio, 2),
                budget=budget,
                verdict=verdict,
            )
            verdicts.append(
                f"{targets[key][0]:42} {ratio:5.2f}x helpdesk (rounds {', '.join(f'{x:.2f}' for x in per_round)}), "
                f"budget >= {budget:.0f}x ({budget * base:.0f}/s): {verdict}; CPU per submission {cpu_ratio:.2f}x less"
            )
    print()
    for key, s in summary.items():
        print(
            f"{targets[key][0]:42} {', '.join(f'{x:.1f}' for x in s['per_second'])} /s (median {s['median_per_second']:.1f}); "
            f"CPU per submission: server {s['median_server_cpu_ms']} ms, database {s['median_db_cpu_ms']} ms"
        )
    for line in verdicts:
        print(line)
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release()},
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "settings": {
            "submissions_per_round": args.submissions,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "gunicorn": "2 sync workers each",
            "loket_app": args.loket_app,
            "loket_src": str(args.loket_src or ROOT / "src"),
            "one_address": args.one_address,
            "pdf_bytes": [len(p) for p in pdfs],
        },
        "loadavg_at_end": loadavg(),
        "rounds": rounds,
        "summary": summary,
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
