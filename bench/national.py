"""Benchmark: Loket at national scale (issue "Fast at national scale", item 5), not part of the suite.

Run: .venv/bin/python bench/national.py [--sizes 100000,1000000,5000000] [--quick] [--keep]
     [--threads 4] [--seconds 60] [--factor 10] [--pg-server postgres://postgres@127.0.0.1:5432/]
     --reuse VAR_DIR --sizes N   (grow, or at its size measure again, the nat_bench a stopped or --keep run left)
     --markdown RESULTS          (print a results file as bench/README.md's tables)

Builds the PostgreSQL database `nat_bench` (dropped and created again; dropped at the end unless
`--keep`), migrates it and runs `loket sop install --builtin`. Then it seeds, in SQL
(`INSERT ... SELECT generate_series`, not the ORM, which would take hours):

- 600 units `n000` ... `n599`, each a copy of a built-in unit with the same shape of reset SOP
  (kaltim, magelang, sbt in turn), saved and its SOP installed through the real path
  (`save_unit`, `install_sop`: the SOP text with its `kode` and `unit` renamed), so that every unit
  has its own SOP version and staff lanes (UnitLane);
- 10 agencies per unit, one Admin Agency (the agency-scoped staff lane of these SOPs) per agency;
- 1,000,000 directory accounts spread over the units and agencies;
- the archived cases, ended (nine in ten done, one in ten refused) and sealed, with their step runs
  (6 for the happy path 1-2-5-6-8-9, 9 for one in five that went back for a missing document
  1-2-3-4-2-5-6-8-9, 4 for a refusal 1-2-5-7: 6.4 on average), two Document rows (names, sizes,
  hashes; no files) and an ArchiveRecord (a manifest of about 1 KB) each;
- 20,000 open cases waiting at step 2 (the Admin Agency's completeness check), one in ten of them in
  one "hot" agency (unit n000, its first agency: a queue of 2,000, 40 pages), their step runs and
  two documents each pointing to two real 200 KB PDFs, so that deciding them reads and seals real
  files;
- the tallies as `loket tally rebuild` makes them (bench/reports_scale.py's SQL, checked equal
  there; at each later size only the new cases' steps are counted and added, as `count_runs`
  adds), then VACUUM ANALYZE.

It grows the archive step by step (`--sizes`: seed to the first size, measure, add up to the next,
measure, ...). At each size it records `pg_database_size`, the largest tables and indexes, and
replays a national peak hour (see `peak_model` for the assumptions) with `--threads` threads, each
with its own database connection, in-process through django.test.Client with production settings
(LOKET_DEBUG=0, as bench/decide_http.py), the throttles lifted through their env settings, the
database task backend and locmem mail:

- submit: POST /api/v1/requests with two 200 KB PDFs, about a random directory account;
- decide: POST /konsol/kasus/<id>/ by the Admin Agency of the case's agency, step 2 "ya" (the
  checklist ticked), later step 5 "ya" (the reset, credential link, result mail and seal run);
- queue: GET /konsol/ by a random Admin Agency (page 1), and by the hot agency's Admin Agency
  (page 1, or its 20th page: the `setelah` cursor of keyset pages, walked to untimed);
- case list: GET /konsol/kasus/ (first page) by a random Admin Agency;
- look-up: GET /api/v1/requests/<tracking code> of an open, a just-submitted or an archived case.

Once at `--factor` times the expected peak (open loop: each operation has its start time; the
threads wait for it), once as fast as the threads go ("max"). Per operation: count, median, p95,
max (ms, server time: perf_counter around Client.get/post), errors (status >= 400, a refused
decision form, exceptions). PASS/OVER against the budgets below; results go to
bench/results-national.json after every size. `--quick`: 6 units, 10,000 accounts, 2,000 open
cases, sizes 10,000, 15 s replays.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases as bench_cases  # noqa: E402 - bench/cases.py, beside this file
import reports_scale  # noqa: E402 - its SQL tally rebuild

PG_NAME = "nat_bench"
TEMPLATES = ["kaltim", "magelang", "sbt"]  # the built-in units whose reset SOPs share one shape
AGENCIES_PER_UNIT = 10
STAFF_LANE = "Admin Agency"
HOT_SHARE = 0.10  # of the open cases, in the hot agency
HOT_LATER_PAGE = 20
PDF_BYTES = 200 * 1024

# queue: /konsol/ page 1; queue_later: the hot agency's 20th page (both the queue budget).
BUDGETS_P95_MS = {
    "submit": 100.0,
    "decide": 50.0,
    "queue": 30.0,
    "queue_later": 30.0,
    "case_list": 30.0,
    "lookup": 30.0,
}
RESULTS = Path(__file__).with_name("results-national.json")

# Step patterns of the ended cases: (step, by) in order. The happy path, the loop back for a
# missing document (one case in five), a refusal at step 5 (one in ten).
PATTERN_HAPPY = [(1, "pemohon"), (2, "staf"), (5, "staf"), (6, "sistem"), (8, "sistem"), (9, "sistem")]
PATTERN_LOOP = [(1, "pemohon"), (2, "staf"), (3, "sistem"), (4, "pemohon"), (2, "staf"), (5, "staf"),
                (6, "sistem"), (8, "sistem"), (9, "sistem")]  # fmt: skip
PATTERN_REFUSED = [(1, "pemohon"), (2, "staf"), (5, "staf"), (7, "sistem")]
CODE_DIGITS = "CDEFGHJKLM"  # tracking code digits (from the code alphabet) for seeded cases


# -- the expected peak ---------------------------------------------------------------------------


def peak_model(requests_per_year: int = 100_000) -> dict[str, Any]:
    """The expected national peak hour and what it holds, with its assumptions."""
    working_days = 245  # Indonesian working days a year (5-day weeks less ~16 holidays)
    peak_day_factor = 10  # a deadline day (e.g. the end of the budget year) at 10x the average day
    peak_hour_share = 0.20  # of that day, in its busiest hour (8-hour day; the morning rush)
    submits = requests_per_year / working_days * peak_day_factor * peak_hour_share
    per_submit = {
        "submit": 1.0,
        "decide": 2.0,  # two decision POSTs per case: step 2 (completeness), then step 5 (validity)
        "queue": 4.0,  # two queue reads per decision (back to the queue, a refresh)
        "case_list": 0.5,  # the case list (search) once for every two requests
        "lookup": 3.0,  # the requester looks the status up three times
    }
    per_hour = {op: submits * n for op, n in per_submit.items()}
    return {
        "requests_per_year": requests_per_year,
        "working_days": working_days,
        "peak_day_factor": peak_day_factor,
        "peak_hour_share_of_day": peak_hour_share,
        "per_submit": per_submit,
        "peak_hour": {op: round(n) for op, n in per_hour.items()},
        "peak_ops_per_s": round(sum(per_hour.values()) / 3600, 3),
    }


# -- environment and seeding ---------------------------------------------------------------------


def _refuse_if_in_use(server: str) -> None:
    """Stop before dropping a `nat_bench` another run is connected to: DROP DATABASE ... WITH
    (FORCE) would end that run (a quick run once ended a 5·10^6 run an hour into its seed)."""
    import psycopg

    with psycopg.connect(server.rstrip("/") + "/postgres", autocommit=True) as conn:
        users = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [PG_NAME]).fetchone()
    if users and users[0]:
        raise SystemExit(f"{PG_NAME} is in use by {users[0]} connection(s), another run: not dropped; stop it first")


def prepare(args: argparse.Namespace) -> Path:
    os.environ["LOKET_DEBUG"] = "0"
    os.environ["LOKET_SECRET_KEY"] = "bench-only-" + "x" * 50
    os.environ["LOKET_ALLOWED_HOSTS"] = "testserver"
    os.environ["LOKET_LOG_LEVEL"] = "ERROR"
    # Every simulated requester comes from one address and one session: lift the throttles.
    for name in ("LOOKUP", "SUBMIT"):
        os.environ[f"LOKET_{name}_LIMIT_PER_SESSION"] = "1000000000"
        os.environ[f"LOKET_{name}_LIMIT_PER_ADDRESS"] = "1000000000"
    os.environ["LOKET_SIGN_IN_LIMIT"] = "1000000000"
    os.environ["LOKET_SIGN_IN_LIMIT_PER_ADDRESS"] = "1000000000"
    bench_cases.PG_NAME = PG_NAME  # bench/cases.py's drop/create and cleanup use this name
    if not args.reuse:
        _refuse_if_in_use(args.pg_server)
        return bench_cases.prepare_environment("postgres", args.pg_server)
    # Grow the database a --keep run (or a stopped one) left, with the files of its open cases.
    admin = bench_cases._pg_admin
    bench_cases._pg_admin = lambda *a: None  # no drop and create
    try:
        fresh = bench_cases.prepare_environment("postgres", args.pg_server)
    finally:
        bench_cases._pg_admin = admin
    fresh.rmdir()
    os.environ["LOKET_VAR_DIR"] = args.reuse
    os.environ["LOKET_ENV_FILE"] = str(Path(args.reuse) / "no.env")
    return Path(args.reuse)


def _exec(sql: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _one(sql: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _columns(table: str) -> list[str]:
    return [r[0] for r in _all("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                                "ORDER BY ordinal_position", [table])]  # fmt: skip


def pdf_file(seed: int, size: int = PDF_BYTES) -> bytes:
    """A one-page PDF of about `size` bytes: a JPEG of noise on the page (no active content)."""
    from PIL import Image

    rng = random.Random(seed)
    side = 260
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, format="PDF", resolution=72.0, quality=95)
        if len(out.getvalue()) >= size or side > 2000:
            return out.getvalue()
        side += 20


def tracking_code(prefix: str, g: int) -> str:
    raw = prefix + "".join(CODE_DIGITS[int(c)] for c in f"{g:015d}")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _code_sql(prefix: str, col: str) -> str:
    """The SQL of tracking_code(prefix, col), and its SHA-256 as the case stores it."""
    raw = f"'{prefix}' || translate(lpad({col}::text, 15, '0'), '0123456789', '{CODE_DIGITS}')"
    code = " || '-' || ".join(f"substr({raw}, {i}, 4)" for i in (1, 5, 9, 13))
    return f"encode(sha256(convert_to({code}, 'UTF8')), 'hex')"


def load_units(n_units: int) -> list[dict[str, Any]]:
    """What the replay needs of each bench unit: its SOP, the account role, the documents."""
    from loket.catalog.models import SopVersion
    from loket.catalog.selectors import parsed

    units: list[dict[str, Any]] = []
    for i in range(n_units):
        version = SopVersion.objects.get(unit__kode=f"n{i:03d}")
        sop = parsed(version)
        assert sop.unit == f"n{i:03d}" and version.kode.startswith(f"n{i:03d}-"), (sop.unit, version.kode)
        units.append({"i": i, "kode": f"n{i:03d}", "template": TEMPLATES[i % len(TEMPLATES)],
                      "unit_id": version.unit_id, "sop_id": version.pk, "sop_kode": version.kode,
                      "role": sop.peran_akun[0],
                      "berkas": [b.kode for b in sop.berkas if b.wajib][:2] or [b.kode for b in sop.berkas][:2],
                      "checklist": len(sop.step(2).kelengkapan)})  # fmt: skip
    return units


def seed_base(n_units: int, n_accounts: int) -> dict[str, Any]:
    """Migrate, install the built-ins, then the units (real path), agencies, staff, accounts."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from loket.catalog.models import SopVersion
    from loket.catalog.services import install_sop
    from loket.units.models import Unit
    from loket.units.services import save_unit

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("sop", "install", "--builtin", stdout=io.StringIO())
    templates = {}
    for kode in TEMPLATES:
        unit = Unit.objects.get(kode=kode)
        version = (
            SopVersion.objects.filter(unit=unit, layanan="reset-akun").order_by("-versi").first()
        )  # the unit's reset SOP
        assert version is not None
        templates[kode] = (unit, version)
    # The first copy of each template goes through the real path (`save_unit`, `install_sop`:
    # checked, audited, lanes rebuilt); the other units are copied from those in SQL, row for row
    # (the unit, its SOP version with kode and unit renamed, its UnitLane rows): installing 600
    # SOPs one by one takes about a second each on this machine.
    real = min(n_units, len(TEMPLATES))
    for i in range(real):
        tkode = TEMPLATES[i]
        tunit, tversion = templates[tkode]
        kode = f"n{i:03d}"
        with transaction.atomic():
            save_unit(
                actor=None,
                kode=kode,
                nama=f"UKPBJ Nasional {i:03d} ({tunit.nama})"[:300],
                zona_waktu=tunit.zona_waktu,
                jam_kerja=tunit.jam_kerja,
            )
            text = tversion.content.replace(f"kode: {tversion.kode}\n", f"kode: {kode}-{tversion.kode}\n", 1)
            text = text.replace(f"\nunit: {tkode}\n", f"\nunit: {kode}\n", 1)
            install_sop(text=text, source=f"{kode}.yaml")
    if n_units > real:
        cols = [c for c in _columns("units_unit") if c not in ("id", "kode", "nama")]
        _exec(
            f"""INSERT INTO units_unit (kode, nama, {", ".join(cols)})
                SELECT 'n' || lpad(i::text, 3, '0'), 'UKPBJ Nasional ' || lpad(i::text, 3, '0'),
                       {", ".join("t." + c for c in cols)}
                FROM generate_series({real}, {n_units - 1}) i
                JOIN units_unit t ON t.kode = 'n' || lpad((i % {real})::text, 3, '0')"""
        )
        # kode: n000-kaltim-reset-ppk -> n017-kaltim-reset-ppk; unit: n000 -> n017 (first match each).
        _exec(
            f"""INSERT INTO catalog_sopversion (kode, versi, unit_id, nomor, nama, layanan, content, sha256, source,
                    installed_at, installed_by_id)
                SELECT n.kode || substr(v.kode, 5), v.versi, n.id, v.nomor, v.nama, v.layanan, x.content,
                       encode(sha256(convert_to(x.content, 'UTF8')), 'hex'), n.kode || '.yaml', now(), NULL
                FROM units_unit n
                JOIN units_unit t ON t.kode = 'n' || lpad((substr(n.kode, 2)::int % {real})::text, 3, '0')
                JOIN catalog_sopversion v ON v.unit_id = t.id
                CROSS JOIN LATERAL (SELECT regexp_replace(regexp_replace(v.content,
                    '\nkode: ' || v.kode || '\n', E'\nkode: ' || n.kode || substr(v.kode, 5) || E'\n'),
                    '\nunit: ' || t.kode || '\n', E'\nunit: ' || n.kode || E'\n') AS content) x
                WHERE n.kode ~ '^n[0-9]{{3}}$' AND substr(n.kode, 2)::int >= {real}"""
        )
        _exec(
            f"""INSERT INTO catalog_unitlane (unit_id, name, agency_scoped)
                SELECT n.id, l.name, l.agency_scoped FROM units_unit n
                JOIN units_unit t ON t.kode = 'n' || lpad((substr(n.kode, 2)::int % {real})::text, 3, '0')
                JOIN catalog_unitlane l ON l.unit_id = t.id
                WHERE n.kode ~ '^n[0-9]{{3}}$' AND substr(n.kode, 2)::int >= {real}"""
        )
    units = load_units(n_units)
    print(f"  {n_units} unit dan SOP-nya dalam {time.perf_counter() - began:.0f} s", flush=True)

    # The bench's own map of units and agencies (600 and 6,000 rows: under 1 MiB of the size).
    began = time.perf_counter()
    _exec("CREATE TABLE nat_unit (idx int PRIMARY KEY, unit_id int, sop_id int, template int, role text)")
    _exec(
        "INSERT INTO nat_unit SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::text[])",
        [[u["i"] for u in units], [u["unit_id"] for u in units], [u["sop_id"] for u in units],
         [TEMPLATES.index(u["template"]) for u in units], [u["role"] for u in units]],
    )  # fmt: skip
    _exec(
        """INSERT INTO directory_agency (unit_id, name)
           SELECT u.unit_id, 'Instansi ' || a FROM nat_unit u, generate_series(0, %s) a""",
        [AGENCIES_PER_UNIT - 1],
    )
    _exec(
        """CREATE TABLE nat_agency AS
           SELECT u.idx AS unit_idx, (substr(a.name, 10))::int AS agency_idx, u.unit_id, u.sop_id, u.template,
                  a.id AS agency_id, NULL::int AS staff_id
           FROM nat_unit u JOIN directory_agency a ON a.unit_id = u.unit_id AND a.name LIKE 'Instansi %%'"""
    )
    _exec("CREATE UNIQUE INDEX ON nat_agency (unit_idx, agency_idx)")
    _exec("CREATE UNIQUE INDEX ON nat_agency (agency_id)")
    with override_settings(PASSWORD_HASHERS=bench_cases.FAST_HASHERS):
        staff_hash = make_password("Rahasia-uji-123")
        account_hash = make_password("Lama-Sekali-1!")
    _exec(
        """INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email,
               is_staff, is_active, date_joined)
           SELECT %s, NULL, false, 'aa-' || unit_idx || '-' || agency_idx, 'Admin', 'Agency', '', false, true, now()
           FROM nat_agency ORDER BY unit_idx, agency_idx""",
        [staff_hash],
    )
    _exec(
        """UPDATE nat_agency n SET staff_id = u.id FROM auth_user u
           WHERE u.username = 'aa-' || n.unit_idx || '-' || n.agency_idx"""
    )
    _exec(
        """INSERT INTO staff_staffrole (user_id, unit_id, role, agency_id)
           SELECT staff_id, unit_id, %s, agency_id FROM nat_agency""",
        [STAFF_LANE],
    )
    # Account g belongs to unit g % U and agency (g / U) % A: a case finds one of its own agency.
    _exec(
        """INSERT INTO directory_account (unit_id, user_id, name, nip, email, phone, role, agency_id, satker,
               sk_number, is_active, must_change_password, password, password_changed_at, created_at, updated_at)
           SELECT n.unit_id, 'akun' || g, 'Pemilik Akun ' || g, '19850312' || lpad(g::text, 10, '0'),
               'akun' || g || '@instansi.go.id', '081234567890', u.role, n.agency_id, 'Sekretariat',
               '800/' || g || '/2026', true, false, %s, NULL, now(), now()
           FROM generate_series(1, %s) g
           JOIN nat_agency n ON n.unit_idx = g %% %s AND n.agency_idx = (g / %s) %% %s
           JOIN nat_unit u ON u.idx = n.unit_idx""",
        [account_hash, n_accounts, n_units, n_units, AGENCIES_PER_UNIT],
    )
    print(f"  instansi, petugas, {n_accounts:,} akun dalam {time.perf_counter() - began:.0f} s", flush=True)
    return {"units": units}


def _pattern_values() -> str:
    """(template, pattern, idx, step, aksi, lane, by, standard minutes) of every step pattern."""
    from loket.catalog.models import SopVersion
    from loket.catalog.selectors import parsed

    rows = []
    for t, kode in enumerate(TEMPLATES):
        version = SopVersion.objects.filter(unit__kode=kode, layanan="reset-akun").order_by("-versi").first()
        sop = parsed(version)
        for p, pattern in enumerate([PATTERN_HAPPY, PATTERN_LOOP, PATTERN_REFUSED]):
            for idx, (no, by) in enumerate(pattern):
                step = sop.step(no)
                std = "NULL" if step.waktu is None or by == "pemohon" else str(step.waktu)
                rows.append(f"({t}, {p}, {idx}, {no}, '{step.aksi}', '{step.pelaksana}', '{by}', {std})")
    return ", ".join(rows)


CASE_COLUMNS = """unit_id, sop_id, reference, tracking_digest, channel, need, status, version,
    requester_user_id, requester_nip, requester_name, requester_email, requester_phone, requester_role,
    agency_id, account_id, email_confirmed_by_phone, phone_confirmation, password_claimed_by_id,
    password_claimed_at, current_step, current_lane, current_due_at, created_at, updated_at, closed_at,
    outcome_note"""


def account_period(n_units: int, n_accounts: int) -> int:
    """The period of the seeded accounts: account a is of unit a % n_units and that unit's agency
    (a / n_units) % AGENCIES_PER_UNIT."""
    agencies = n_units * AGENCIES_PER_UNIT
    return max(agencies, (n_accounts // agencies) * agencies)


def _accounts(n_units: int, n_accounts: int) -> tuple[int, int]:
    """The accounts' period and acc0, the id before the first seeded account (a's id is acc0 + a)."""
    first = _one("SELECT min(id) - 1 FROM directory_account WHERE user_id LIKE 'akun%%'")[0]
    return account_period(n_units, n_accounts), first


def seed_archived(lo: int, hi: int, n_units: int, n_accounts: int) -> None:
    """Archived cases g = lo+1 .. hi with their steps, documents and sealed records."""
    began = time.perf_counter()
    period, acc0 = _accounts(n_units, n_accounts)
    # Spread over the five years before 2026-11-01, 2.5 days to close; pattern 2 is a refusal.
    _exec(
        f"""
        INSERT INTO cases_case ({CASE_COLUMNS})
        SELECT n.unit_id, n.sop_id, 'A-' || g, {_code_sql("A", "g")},
            CASE WHEN g % 4 = 0 THEN 'email' WHEN g % 4 = 1 THEN 'api' ELSE 'web' END,
            CASE WHEN g % 5 = 0 THEN 'user-id' ELSE 'password' END,
            CASE WHEN g % 10 = 0 THEN 'refused' ELSE 'done' END, 8,
            'akun' || a, '', 'Pemilik Akun ' || a, 'pemohon' || g || '@gmail.com', '', u.role,
            n.agency_id, {acc0} + a, false, '', NULL, NULL, NULL, '', NULL, t, t + interval '60 hours',
            t + interval '60 hours', CASE WHEN g % 10 = 0 THEN 'Berkas tidak cocok dengan data akun' ELSE '' END
        FROM (SELECT g, 1 + (g - 1) % {period} AS a,
                     timestamptz '2021-11-01 00:00+00' + (g::bigint * 157766400 / {hi}) * interval '1 second' AS t
              FROM generate_series({lo + 1}, {hi}) g) s
        JOIN nat_agency n ON n.unit_idx = s.a % {n_units} AND n.agency_idx = (s.a / {n_units}) % {AGENCIES_PER_UNIT}
        JOIN nat_unit u ON u.idx = n.unit_idx
        """
    )
    t_cases = time.perf_counter() - began
    began = time.perf_counter()
    first_id = _one("SELECT min(id) FROM cases_case WHERE reference = %s", [f"A-{lo + 1}"])[0]
    _exec(
        f"""
        INSERT INTO cases_steprun (case_id, step, aksi, lane, by, actor_id, on_behalf_of_id, started_at, due_at,
            finished_at, standard_minutes, working_minutes, answer, note, detail)
        SELECT c.id, p.step, p.aksi, p.lane, p.by, CASE WHEN p.by = 'staf' THEN n.staff_id END, NULL,
            c.created_at + p.idx * interval '6 hours',
            CASE WHEN p.std IS NULL THEN NULL ELSE c.created_at + p.idx * interval '6 hours'
                 + p.std * interval '1 minute' END,
            c.created_at + (p.idx + 1) * interval '6 hours' - interval '1 second', p.std,
            CASE WHEN p.by = 'pemohon' THEN NULL WHEN p.std IS NULL THEN (c.id * 7 + p.idx) % 30
                 WHEN (c.id * 31 + p.idx * 17) % 100 < 20 THEN p.std + 1 + (c.id + p.idx) % (3 * p.std)
                 ELSE 1 + (c.id * 13 + p.idx) % p.std END,
            CASE WHEN p.pattern = 2 AND p.step = 5 THEN 'tidak' WHEN p.pattern = 1 AND p.idx = 1 THEN 'tidak'
                 WHEN p.by = 'staf' THEN 'ya' ELSE 'lanjut' END,
            '', '{{}}'::jsonb
        FROM cases_case c
        JOIN nat_agency n ON n.agency_id = c.agency_id
        JOIN (VALUES {_pattern_values()}) AS p(template, pattern, idx, step, aksi, lane, by, std)
          ON p.template = n.template
         AND p.pattern = CASE WHEN c.status = 'refused' THEN 2 WHEN c.id % 5 = 1 THEN 1 ELSE 0 END
        WHERE c.id >= {first_id} AND c.reference LIKE 'A-%%'
        """.replace("%%", "%")
    )
    t_steps = time.perf_counter() - began
    began = time.perf_counter()
    _exec(
        f"""
        INSERT INTO cases_document (case_id, kode, original_name, content_type, size, sha256, file, uploaded_at,
            step)
        SELECT c.id, d.kode, d.name, 'application/pdf', 180000 + c.id % 60000, md5(d.kode || c.id) || md5(c.reference),
            'berkas/' || u.kode || '/' || c.reference || '/' || md5(d.kode || c.id) || md5(c.reference),
            c.created_at, 1
        FROM cases_case c JOIN units_unit u ON u.id = c.unit_id
        CROSS JOIN (VALUES ('surat-permohonan', 'surat.pdf'), ('sk-pengangkatan', 'sk.pdf')) AS d(kode, name)
        WHERE c.id >= {first_id} AND c.reference LIKE 'A-%'
        """
    )
    # A sealed record of about 1 KB (a real manifest lists the documents, steps, actors and times).
    _exec(
        f"""
        INSERT INTO cases_archiverecord (case_id, sealed_at, manifest, sha256)
        SELECT c.id, c.closed_at,
            jsonb_build_object('format', 2, 'reference', c.reference, 'unit', c.unit_id, 'sop', c.sop_id,
                'status', c.status, 'berkas', jsonb_build_array(
                    jsonb_build_object('kode', 'surat-permohonan', 'sha256', md5('s' || c.id) || md5(c.reference)),
                    jsonb_build_object('kode', 'sk-pengangkatan', 'sha256', md5('k' || c.id) || md5(c.reference))),
                'langkah', (SELECT jsonb_agg(jsonb_build_object('no', k, 'oleh', 'staf', 'pelaku', c.agency_id,
                    'mulai', c.created_at + k * interval '6 hours', 'selesai', c.created_at + k * interval '7 hours',
                    'jawaban', 'ya')) FROM generate_series(1, 6) k)),
            md5('seal' || c.id) || md5(c.reference)
        FROM cases_case c WHERE c.id >= {first_id} AND c.reference LIKE 'A-%'
        """
    )
    t_docs = time.perf_counter() - began
    print(
        f"  arsip {lo + 1:,}..{hi:,}: kasus {t_cases:.0f} s, langkah {t_steps:.0f} s, berkas dan segel {t_docs:.0f} s",
        flush=True,
    )


def seed_open(n_open: int, n_units: int, n_accounts: int, var: Path) -> None:
    """Open cases waiting at step 2, their two steps and two documents on two real files."""
    from django.conf import settings

    began = time.perf_counter()
    media = Path(settings.MEDIA_ROOT) / "berkas" / "nat-seed"
    media.mkdir(parents=True, exist_ok=True)
    files = []
    for kode, name, seed in (("surat-permohonan", "surat.pdf", 1), ("sk-pengangkatan", "sk.pdf", 2)):
        data = pdf_file(seed)
        (media / name).write_bytes(data)
        files.append((kode, name, len(data), hashlib.sha256(data).hexdigest(), f"berkas/nat-seed/{name}"))
    period, acc0 = _accounts(n_units, n_accounts)
    hot = int(1 / HOT_SHARE)
    # One in `hot` in unit 0 / agency 0 (a = a multiple of the period: unit 0, agency 0); due times
    # from ten days overdue to ten days ahead; submitted in the last two weeks.
    _exec(
        f"""
        INSERT INTO cases_case ({CASE_COLUMNS})
        SELECT n.unit_id, n.sop_id, 'B-' || g, {_code_sql("B", "g")}, 'api', 'password', 'open', 2,
            'akun' || a, '', 'Pemilik Akun ' || a, 'pemohon.b' || g || '@gmail.com', '', u.role,
            n.agency_id, {acc0} + a, false, '', NULL, NULL, 2, '{STAFF_LANE}',
            now() + ((g * 7919) % 28800 - 14400) * interval '1 minute', t, t, NULL, ''
        FROM (SELECT g, CASE WHEN g % {hot} = 0 THEN {period} ELSE 1 + (g * 7) % {period} END AS a,
                     now() - ((g * 104729) % 20160) * interval '1 minute' AS t
              FROM generate_series(1, {n_open}) g) s
        JOIN nat_agency n ON n.unit_idx = s.a % {n_units} AND n.agency_idx = (s.a / {n_units}) % {AGENCIES_PER_UNIT}
        JOIN nat_unit u ON u.idx = n.unit_idx
        """
    )
    _exec(
        f"""
        INSERT INTO cases_steprun (case_id, step, aksi, lane, by, actor_id, on_behalf_of_id, started_at, due_at,
            finished_at, standard_minutes, working_minutes, answer, note, detail)
        SELECT c.id, p.step, p.aksi, p.lane, p.by, NULL, NULL, c.created_at + p.idx * interval '1 second',
            CASE WHEN p.idx = 1 THEN c.current_due_at END,
            CASE WHEN p.idx = 0 THEN c.created_at END, p.std, NULL,
            CASE WHEN p.idx = 0 THEN 'lanjut' ELSE '' END, '', '{{}}'::jsonb
        FROM cases_case c JOIN nat_agency n ON n.agency_id = c.agency_id
        JOIN (VALUES {_pattern_values()}) AS p(template, pattern, idx, step, aksi, lane, by, std)
          ON p.template = n.template AND p.pattern = 0 AND p.idx < 2
        WHERE c.reference LIKE 'B-%'
        """
    )
    _exec(
        """INSERT INTO cases_document (case_id, kode, original_name, content_type, size, sha256, file, uploaded_at,
               step)
           SELECT c.id, f.kode, f.name, 'application/pdf', f.size, f.sha, f.path, c.created_at, 1
           FROM cases_case c CROSS JOIN unnest(%s::text[], %s::text[], %s::int[], %s::text[], %s::text[])
               AS f(kode, name, size, sha, path)
           WHERE c.reference LIKE 'B-%%'""",
        [[f[0] for f in files], [f[1] for f in files], [f[2] for f in files], [f[3] for f in files],
         [f[4] for f in files]],
    )  # fmt: skip
    print(f"  {n_open:,} kasus terbuka dalam {time.perf_counter() - began:.0f} s", flush=True)


def finish_seed(after_case: int | None) -> None:
    """The tallies of the cases seeded after the id `after_case` (added to those there are; None:
    rebuilt from every step), then VACUUM ANALYZE, as autovacuum leaves the tables."""
    began = time.perf_counter()
    # The tally rebuild groups every step run (nearly one tally row per step at this spread):
    # with the default 4 MB of work_mem it sorts on disk (25+ minutes at 10^6 cases).
    _exec("SET work_mem = '2GB'")
    _exec("SET maintenance_work_mem = '1GB'")
    reports_scale.seed_tallies(after_case)
    _exec("VACUUM ANALYZE")
    print(f"  rekap dan VACUUM ANALYZE dalam {time.perf_counter() - began:.0f} s", flush=True)


def sizes() -> dict[str, Any]:
    """pg_database_size and the largest tables (with their indexes and TOAST) and indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db = cursor.fetchone()[0]
        cursor.execute(
            """SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), c.reltuples::bigint
               FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
               WHERE s.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 8"""
        )
        tables = [{"table": r[0], "total_bytes": r[1], "heap_bytes": r[2], "rows": r[3]} for r in cursor.fetchall()]
        cursor.execute(
            """SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c
               JOIN pg_namespace s ON s.oid = c.relnamespace
               WHERE s.nspname = 'public' AND c.relkind = 'i' ORDER BY 2 DESC LIMIT 10"""
        )
        indexes = [{"index": r[0], "bytes": r[1]} for r in cursor.fetchall()]
    return {"database_bytes": db, "tables": tables, "indexes": indexes}


# -- the replay ------------------------------------------------------------------------------------


class Pools:
    """What the operations pick from; a case is handed to one decider at a time."""

    def __init__(self, units: list[dict[str, Any]], n_accounts: int, n_archived: int, n_open: int) -> None:
        from django.contrib.auth import get_user_model

        self.lock = threading.Lock()
        self.units = units
        self.n_accounts = n_accounts
        self.n_archived = n_archived
        self.n_open = n_open
        rows = _all("SELECT unit_idx, agency_idx, agency_id, staff_id FROM nat_agency")
        self.agency = {(r[0], r[1]): (r[2], r[3]) for r in rows}
        self.staff_of_agency = {r[2]: r[3] for r in rows}
        self.unit_of_agency = {r[2]: units[r[0]] for r in rows}
        users = get_user_model().objects.in_bulk([r[3] for r in rows])
        self.user = users
        self.hot_staff = self.agency[(0, 0)][1]
        self.later_url = later_page_url(self.user[self.hot_staff], HOT_LATER_PAGE)
        self.read_waiting()
        self.submitted: list[str] = []
        self.period = account_period(len(units), n_accounts)

    def read_waiting(self) -> None:
        """The seeded cases waiting at step 2 or 5, as the database holds them now (a forked
        replay's decisions are its processes' own: the parent reads them back before the next)."""
        from loket.cases.models import Case

        waiting = Case.objects.filter(status="open", reference__startswith="B-")
        self.at_step = {step: list(waiting.filter(current_step=step).values_list("id", "agency_id")) for step in (2, 5)}
        for ids in self.at_step.values():
            random.shuffle(ids)

    def take_case(self) -> tuple[int, int, int] | None:
        """A case to decide: one at step 5 when there is one (its step 2 was decided), else step 2."""
        with self.lock:
            for step in (5, 2):
                if self.at_step[step] and (step == 2 or random.random() < 0.5 or not self.at_step[2]):
                    case_id, agency_id = self.at_step[step].pop()
                    return case_id, agency_id, step
        return None

    def decided(self, case_id: int, agency_id: int, step: int) -> None:
        if step == 2:
            with self.lock:
                self.at_step[5].insert(0, (case_id, agency_id))

    def account(self, rng: random.Random) -> tuple[dict[str, Any], int, int]:
        """A directory account number, its unit and agency (bench accounts: unit g % U, agency (g / U) % A)."""
        g = rng.randint(1, self.n_accounts)
        u = g % len(self.units)
        agency_id, _staff = self.agency[(u, (g // len(self.units)) % AGENCIES_PER_UNIT)]
        return self.units[u], g, agency_id

    def lookup_code(self, rng: random.Random) -> str:
        r = rng.random()
        with self.lock:
            if r < 0.3 and self.submitted:
                return rng.choice(self.submitted)
        if r < 0.8:
            return tracking_code("B", rng.randint(1, self.n_open))
        return tracking_code("A", rng.randint(1, self.n_archived))


def later_page_url(user: Any, page: int) -> str:
    """The URL of the queue's `page`-th page: the queue is on keyset pages (a `setelah` cursor in
    each page's rel="next" link) since aa61dc3, so the pages before it are walked (untimed); a tree
    with numbered pages gets ?halaman=N."""
    import html
    import re

    from django.test import Client

    client = Client()
    client.force_login(user)
    url = "/konsol/"
    for _ in range(page - 1):
        body = client.get(url, secure=True).content.decode()
        found = re.search(r'<a href="([^"]+)" rel="next"', body)
        if not found:
            return url if "setelah" in url else f"/konsol/?halaman={page}"
        url = (
            "/konsol/" + html.unescape(found.group(1))
            if found.group(1).startswith("?")
            else html.unescape(found.group(1))
        )
    return url


def _all(sql: str, params: Any = None) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Worker:
    """One thread's clients (one signed-in session per staff member it plays) and its records."""

    def __init__(self, pools: Pools, pdfs: list[bytes], seed: int) -> None:
        self.pools = pools
        self.pdfs = pdfs
        self.rng = random.Random(seed)
        self.clients: dict[int, Any] = {}
        self.records: list[tuple[str, float, bool, str]] = []
        self.serial = 0

    def client(self, staff_id: int | None) -> Any:
        from django.test import Client

        key = staff_id or 0
        if key not in self.clients:
            client = Client()
            if staff_id:
                client.force_login(self.pools.user[staff_id])  # signing in is not timed
            self.clients[key] = client
        return self.clients[key]

    def timed(self, op: str, fn: Any, ok: Any) -> None:
        from django.db import connection

        counter = bench_cases.QueryCounter()  # every cursor statement (savepoints; not BEGIN/COMMIT)
        start = time.perf_counter()
        try:
            with connection.execute_wrapper(counter):
                response = fn()
        except Exception as exc:  # an error under load is a finding: recorded, not raised
            ms = (time.perf_counter() - start) * 1000
            self.records.append((op, ms, False, f"{type(exc).__name__}: {exc}", counter.count))
            return
        ms = (time.perf_counter() - start) * 1000
        good, why = ok(response)
        self.records.append((op, ms, good, why, counter.count))

    def run(self, op: str) -> None:
        getattr(self, "op_" + op)()

    def op_submit(self) -> None:
        unit, g, agency_id = self.pools.account(self.rng)
        self.serial += 1
        files = {}
        for n, kode in enumerate(unit["berkas"]):
            part = io.BytesIO(self.pdfs[n % len(self.pdfs)])
            part.name = f"{kode}.pdf"
            files[kode] = part
        data = {"unit": unit["kode"], "service": unit["sop_kode"], "need": "password",
                "name": f"Pemilik Akun {g}", "email": f"pemohon.r{g}@gmail.com", "user_id": f"akun{g}",
                "agency": str(agency_id), **files}  # fmt: skip

        def ok(response: Any) -> tuple[bool, str]:
            if response.status_code != 201:
                return False, f"{response.status_code} {response.content[:200]!r}"
            with self.pools.lock:
                self.pools.submitted.append(response.json()["tracking_code"])
            return True, ""

        client = self.client(None)
        self.timed("submit", lambda: client.post("/api/v1/requests", data, secure=True), ok)

    def op_decide(self) -> None:
        from loket.cases.models import Case

        taken = self.pools.take_case()
        if taken is None:
            self.records.append(("decide", 0.0, False, "no case left to decide", 0))
            return
        case_id, agency_id, step = taken
        version = Case.objects.values_list("version", flat=True).get(pk=case_id)  # as the page gave it
        unit = self.pools.unit_of_agency[agency_id]
        data: dict[str, Any] = {"version": str(version), f"jawaban-{step}": "ya"}
        if step == 2 and unit["checklist"]:
            data["kelengkapan"] = [str(i) for i in range(unit["checklist"])]
        client = self.client(self.pools.staff_of_agency[agency_id])

        def ok(response: Any) -> tuple[bool, str]:
            if response.status_code == 302:
                self.pools.decided(case_id, agency_id, step)
                return True, ""
            return False, f"{response.status_code} {bench_cases_error(response)}"

        self.timed("decide", lambda: client.post(f"/konsol/kasus/{case_id}/", data, secure=True), ok)

    def op_queue(self) -> None:
        if self.rng.random() < 0.5:
            staff, url, op = self.pools.hot_staff, "/konsol/", "queue"
            if self.rng.random() < 0.5:
                url, op = self.pools.later_url, "queue_later"
        else:
            staff, url, op = self.rng.choice(list(self.pools.staff_of_agency.values())), "/konsol/", "queue"
        client = self.client(staff)
        self.timed(op, lambda: client.get(url, secure=True), _ok_200)

    def op_case_list(self) -> None:
        staff = self.rng.choice(list(self.pools.staff_of_agency.values()))
        client = self.client(staff)
        self.timed("case_list", lambda: client.get("/konsol/kasus/", secure=True), _ok_200)

    def op_lookup(self) -> None:
        code = self.pools.lookup_code(self.rng)
        client = self.client(None)
        self.timed("lookup", lambda: client.get(f"/api/v1/requests/{code}", secure=True), _ok_200)


def _ok_200(response: Any) -> tuple[bool, str]:
    return (True, "") if response.status_code == 200 else (False, f"{response.status_code}")


def bench_cases_error(response: Any) -> str:
    import re

    page = response.content.decode(errors="replace")
    found = re.search(r'class="[^"]*(?:error|galat)[^"]*"[^>]*>(.*?)<', page, re.S)
    return (found.group(1).strip() if found else page[:200])[:200]


def cpu_calibration() -> float:
    """A fixed piece of pure Python (the median of 5 runs, ms): how much of a core this process
    gets from a machine the other engineers' benchmarks share: compare it across the steps."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i % 7
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def plan_ops(model: dict[str, Any], count: int, rng: random.Random) -> list[str]:
    """`count` operations in the peak hour's proportions, shuffled."""
    weights = model["per_submit"]
    total = sum(weights.values())
    ops: list[str] = []
    for op, w in weights.items():
        ops += [op] * round(count * w / total)
    rng.shuffle(ops)
    return ops


def _run_share(pools: Pools, model: dict[str, Any], ops: list[str], mine: range, *, start: float | None,
               seconds: float, planned_rate: float, threads: int,
               label: str) -> tuple[float, list[tuple[str, float, bool, str, int]]]:  # fmt: skip
    """Run the operations `ops[i]` for i in `mine`, each at its time `start + i / planned_rate`
    (`start` None: just after the warm-up), with `threads` threads of this process until `start +
    seconds`; the start and the records."""
    from django.db import connections

    pdfs = [pdf_file(11), pdf_file(12)]
    queue = list(mine)
    lock = threading.Lock()
    workers = [Worker(pools, pdfs, seed=hash((label, mine.start, t))) for t in range(threads)]

    # Warm each thread as a running server is warm (URL resolver, templates, parsed SOPs, the
    # API's schema): two of each operation, not recorded.
    def warm(worker: Worker) -> None:
        for op in list(model["per_submit"]) * 2:
            worker.run(op)
        worker.records.clear()

    warmers = [threading.Thread(target=warm, args=(w,)) for w in workers]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join()
    if start is None:
        start = time.perf_counter() + 0.2
    deadline = start + seconds

    def loop(worker: Worker) -> None:
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    i = queue.pop(0)
                due = start + i / planned_rate
                now = time.perf_counter()
                if now >= deadline:
                    return
                if due > now:
                    time.sleep(due - now)
                worker.run(ops[i])
        finally:
            connections.close_all()

    ts = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return start, [r for w in workers for r in w.records]


def _child(pools: Pools, k: int, processes: int, conn: Any, kwargs: dict[str, Any]) -> None:
    """One forked replay process: its own database connections, every `processes`-th operation
    from its `k`-th, and its own share of the cases to decide (no case is decided twice)."""
    from django.db import connections

    connections.close_all()  # the parent's sockets are not this process's to use
    pools.lock = threading.Lock()
    pools.at_step = {step: ids[k::processes] for step, ids in pools.at_step.items()}
    pools.submitted = []
    try:
        _, records = _run_share(pools, mine=range(k, len(kwargs["ops"]), processes), **kwargs)
    except BaseException as exc:  # a crashed process is a finding of its own
        records = [("submit", 0.0, False, f"process {k}: {type(exc).__name__}: {exc}", 0)]
    conn.send(records)
    conn.close()


def replay(pools: Pools, model: dict[str, Any], *, rate: float | None, seconds: float, threads: int,
           label: str, processes: int = 1) -> dict[str, Any]:  # fmt: skip
    """Run the mix for about `seconds`: at `rate` operations a second (each started at its time),
    or as fast as `threads` go (rate None), in one process or (`processes` > 1) in that many
    forked processes of `threads` threads each, as the web processes behind a proxy are. Returns
    per operation count, median, p95, max, errors."""
    from django.db import connections

    rng = random.Random(label)
    planned_rate = rate or 1e9
    count = int((rate or 200) * seconds)  # max: as many as fit in `seconds`, at most 200/s
    ops = plan_ops(model, count, rng)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    calibration = cpu_calibration()
    # Forked processes share one clock (CLOCK_MONOTONIC), started after every process's warm-up
    # (two of each operation per thread: a few seconds).
    start = None if processes == 1 else time.perf_counter() + 20.0
    kwargs = dict(model=model, ops=ops, start=start, seconds=seconds, planned_rate=planned_rate, threads=threads,
                  label=label)  # fmt: skip
    if processes == 1:
        start, records = _run_share(pools, mine=range(len(ops)), **kwargs)
    else:
        import multiprocessing

        pools.read_waiting()
        connections.close_all()
        context = multiprocessing.get_context("fork")
        pipes, children = [], []
        for k in range(processes):
            parent_end, child_end = context.Pipe(duplex=False)
            child = context.Process(target=_child, args=(pools, k, processes, child_end, kwargs))
            child.start()
            pipes.append(parent_end)
            children.append(child)
        records = [r for pipe in pipes for r in pipe.recv()]
        for child in children:
            child.join()
    elapsed = time.perf_counter() - start
    result: dict[str, Any] = {
        "label": label,
        "target_ops_per_s": rate,
        "threads": threads,
        "processes": processes,
        "seconds": round(elapsed, 1),
        "ops": len(records),
        "achieved_ops_per_s": round(len(records) / elapsed, 2),
        "load_before": load_before,
        "load_after": Path("/proc/loadavg").read_text().split()[:3],
        "cpu_calibration_ms": calibration,
        "operations": {},
    }
    for op in BUDGETS_P95_MS:
        mine = [r for r in records if r[0] == op]
        times = [r[1] for r in mine if r[2]]
        errors = [r[3] for r in mine if not r[2]]
        entry: dict[str, Any] = {"n": len(mine), "errors": len(errors)}
        if mine:
            entry["statements_median"] = statistics.median(r[4] for r in mine if r[2]) if times else None
            entry["statements_max"] = max(r[4] for r in mine)
        if times:
            entry.update(median_ms=round(statistics.median(times), 1), p95_ms=round(bench_cases.p95(times), 1),
                         max_ms=round(max(times), 1))  # fmt: skip
            entry["verdict"] = "PASS" if entry["p95_ms"] <= BUDGETS_P95_MS[op] else "OVER"
        if errors:
            entry["first_errors"] = sorted(set(errors))[:3]
        result["operations"][op] = entry
    result["errors"] = sum(e["errors"] for e in result["operations"].values())
    return result


def print_replay(r: dict[str, Any], peak: float) -> None:
    rate_ok = r["achieved_ops_per_s"] >= 10 * peak
    print(
        f"\n  putar ulang {r['label']}: {r['ops']} operasi dalam {r['seconds']} s = {r['achieved_ops_per_s']}/s "
        f"({r['achieved_ops_per_s'] / peak:.1f}x puncak {peak}/s; >= 10x: {'PASS' if rate_ok else 'OVER'}), "
        f"{r.get('processes', 1)} proses x {r['threads']} utas, beban {' '.join(r['load_before'])} -> {' '.join(r['load_after'])}, "
        f"kalibrasi CPU {r['cpu_calibration_ms']} ms"
    )
    print(f"  {'operasi':<11} {'n':>6} {'median':>8} {'p95':>8} {'maks':>8} {'galat':>6} {'SQL':>5}  anggaran p95")
    for op, e in r["operations"].items():
        if not e["n"]:
            continue
        print(
            f"  {op:<11} {e['n']:>6} {e.get('median_ms', '-'):>8} {e.get('p95_ms', '-'):>8} {e.get('max_ms', '-'):>8} "
            f"{e['errors']:>6} {e.get('statements_median', '-')!s:>5}  <= {BUDGETS_P95_MS[op]:g} ms {e.get('verdict', '-')}"
            + (f"  {e['first_errors']}" if e.get("first_errors") else "")
        )
    print(f"  galat seluruhnya: {r['errors']} ({'PASS' if r['errors'] == 0 else 'OVER'})")


def measure_step(pools: Pools, model: dict[str, Any], args: argparse.Namespace, archived: int) -> dict[str, Any]:
    size = sizes()
    print(f"\n== {archived:,} kasus arsip: basis data {size['database_bytes'] / 2**30:.2f} GiB; "
          f"df {_df()}; beban {Path('/proc/loadavg').read_text().split()[:3]}")  # fmt: skip
    for t in size["tables"][:6]:
        print(f"  {t['table']:<28} {t['total_bytes'] / 2**20:>9.0f} MiB  ({t['rows']:,} baris)")
    for ix in size["indexes"][:6]:
        print(f"  {ix['index']:<40} {ix['bytes'] / 2**20:>9.0f} MiB")
    peak = model["peak_ops_per_s"]
    print(f"  halaman ke-{HOT_LATER_PAGE} antrean instansi ramai: {pools.later_url[:90]}")
    runs = []
    for label, rate in ((f"{args.factor:g}x puncak", peak * args.factor), ("maks", None)):
        r = replay(pools, model, rate=rate, seconds=args.seconds, threads=args.threads, processes=args.processes,
                   label=f"{archived}-{label}")  # fmt: skip
        r["label"] = label
        print_replay(r, peak)
        runs.append(r)
    return {
        "archived_cases": archived,
        "open_cases_seeded": args.open,
        "later_page_url": pools.later_url,
        "sizes": size,
        "replays": runs,
    }


def markdown(path: str) -> str:
    """The figures of a results file as the README's tables."""
    data = json.loads(Path(path).read_text())
    lines = ["| archived cases | replay | ops/s (x peak) | load before | CPU cal. ms | "
             + " | ".join(f"{op} median / p95 ms (n, SQL)" for op in BUDGETS_P95_MS) + " | errors |",
             "|" + " --- |" * (6 + len(BUDGETS_P95_MS))]  # fmt: skip
    peak = data["peak_model"]["peak_ops_per_s"]
    for step in data["steps"]:
        for r in step["replays"]:
            cells = []
            for op in BUDGETS_P95_MS:
                e = r["operations"].get(op, {})
                if not e.get("n"):
                    cells.append("-")
                    continue
                cells.append(f"{e.get('median_ms', '-')} / {e.get('p95_ms', '-')} {e.get('verdict', '')} "
                             f"({e['n']}, {e.get('statements_median', '-')})")  # fmt: skip
            lines.append(f"| {step['archived_cases']:,} | {r['label']} | {r['achieved_ops_per_s']} "
                         f"({r['achieved_ops_per_s'] / peak:.1f}x) | {r['load_before'][0]} | "
                         f"{r.get('cpu_calibration_ms', '-')} | " + " | ".join(cells)
                         + f" | {r['errors']} {'PASS' if r['errors'] == 0 else 'OVER'} |")  # fmt: skip
    names = ["cases_case", "cases_steprun", "cases_document", "cases_archiverecord", "directory_account",
             "tallies_steptally", "tallies_hourtally"]  # fmt: skip
    lines += ["", "| archived cases | database | " + " | ".join(names) + " | seed s |", "|" + " --- |" * 10]
    for step in data["steps"]:
        by = {t["table"]: t for t in step["sizes"]["tables"]}
        cells = [f"{by[n]['total_bytes'] / 2**20:,.0f} MiB ({by[n]['rows']:,})" if n in by else "-" for n in names]
        lines.append(f"| {step['archived_cases']:,} | {step['sizes']['database_bytes'] / 2**30:.2f} GiB | "
                     + " | ".join(cells) + f" | {step.get('seed_seconds', '-')} |")  # fmt: skip
    lines += ["", "| archived cases | " + " | ".join(ix["index"] for ix in data["steps"][-1]["sizes"]["indexes"][:6]) + " |",
              "|" + " --- |" * 7]  # fmt: skip
    inames = [ix["index"] for ix in data["steps"][-1]["sizes"]["indexes"][:6]]
    for step in data["steps"]:
        by = {ix["index"]: ix["bytes"] for ix in step["sizes"]["indexes"]}
        lines.append(f"| {step['archived_cases']:,} | "
                     + " | ".join(f"{by[n] / 2**20:,.0f} MiB" if n in by else "-" for n in inames) + " |")  # fmt: skip
    return "\n".join(lines)


def _df() -> str:
    return subprocess.run(["df", "-h", "/work"], capture_output=True, text=True).stdout.splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=4, help="threads per replay process")
    parser.add_argument("--processes", type=int, default=1, help="replay processes (forked), as web processes")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--factor", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--min-free-gb", type=float, default=12.0, help="stop growing below this much free disk")
    parser.add_argument("--pg-server", default=bench_cases.PG_SERVER)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--reuse", metavar="VAR_DIR", help="grow the nat_bench a stopped run left (its var dir)")
    parser.add_argument("--markdown", metavar="RESULTS", help="print a results file's figures as tables, and stop")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(args.markdown))
        return
    if args.quick:
        args.units, args.accounts, args.open, args.seconds = 6, 10_000, 2_000, 15.0
        if args.sizes == parser.get_default("sizes"):
            args.sizes = "10000"
    steps = [int(s) for s in args.sizes.split(",")]
    var = prepare(args)
    import django

    django.setup()
    commit = subprocess.run(["git", "log", "-1", "--format=%h"], capture_output=True, text=True,
                            cwd=bench_cases.ROOT).stdout.strip()  # fmt: skip
    model = peak_model()
    print(f"commit {commit}; puncak yang diharapkan: {model['peak_hour']} per jam = {model['peak_ops_per_s']}/s")
    out: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit,
        "command": " ".join(["bench/national.py", *sys.argv[1:]]),
        "machine": f"{os.cpu_count()} CPU",
        "units": args.units,
        "accounts": args.accounts,
        "open_cases": args.open,
        "tree_changes_not_committed": subprocess.run(
            ["git", "status", "--short", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            cwd=bench_cases.ROOT,
        ).stdout.split("\n")[:-1],
        "peak_model": model,
        "budgets_p95_ms": BUDGETS_P95_MS,
        "steps": [],
    }
    try:
        began = time.perf_counter()
        if args.reuse:
            args.units = _one("SELECT count(*) FROM nat_unit")[0]
            args.accounts = _one("SELECT count(*) FROM directory_account WHERE user_id LIKE 'akun%%'")[0]
            args.open = _one("SELECT count(*) FROM cases_case WHERE reference LIKE 'B-%%'")[0]
            base = {"units": load_units(args.units)}
            done = _one("SELECT count(*) FROM cases_case WHERE reference LIKE 'A-%%'")[0]
            steps = [s for s in steps if s >= done]  # the size it holds: measured again, not seeded
            print(f"  dipakai lagi: {args.units} unit, {args.accounts:,} akun, {done:,} kasus arsip", flush=True)
        else:
            base = seed_base(args.units, args.accounts)
            done = 0
        for n, target in enumerate(steps):
            free = _free_gb()
            if n and free < args.min_free_gb:
                print(f"\nberhenti sebelum {target:,}: tinggal {free:.0f} GB di disk")
                out["stopped"] = f"before {target}: {free:.0f} GB free"
                break
            t0 = time.perf_counter()
            if target > done:
                before = _one("SELECT coalesce(max(id), 0) FROM cases_case")[0]
                seed_archived(done, target, args.units, args.accounts)
                if n == 0 and not args.reuse:
                    seed_open(args.open, args.units, args.accounts, var)
                done = target
                finish_seed(None if n == 0 else before)  # the first: every step, the demo's too
            seed_s = time.perf_counter() - t0
            pools = Pools(base["units"], args.accounts, done, args.open)
            step = measure_step(pools, model, args, done)
            step["seed_seconds"] = round(seed_s)
            step["load"] = Path("/proc/loadavg").read_text().split()[:3]
            out["steps"].append(step)
            out["total_seconds"] = round(time.perf_counter() - began)
            Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
            print(f"  (hasil ditulis ke {args.out}; {out['total_seconds']} s sejak awal)", flush=True)
    finally:
        bench_cases.cleanup("postgres", args.pg_server, var, args.keep)


def _free_gb() -> float:
    stat = os.statvfs("/work")
    return stat.f_bavail * stat.f_frsize / 1e9


if __name__ == "__main__":
    main()
