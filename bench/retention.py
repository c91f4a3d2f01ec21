"""Retention: how long `remove_expired_documents` (the job behind `loket archive retention`) takes
to remove the files of many archived cases, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/retention.py [--cases 20000] [--file-bytes 8192] [--vendors sqlite,postgresql]

For each database (PostgreSQL only when it answers on 127.0.0.1:5432 as user postgres; its
database is ret_bench, dropped at the end) a fresh instance in a temporary directory is migrated
and given one case submitted, decided and sealed through the services, then `--cases` copies of
it in bulk (each closed and sealed ten years ago, with two documents whose files of
`--file-bytes` random bytes are on disk), and the unit keeps documents five years. Timed: the run
that removes them all (files deleted, rows marked, audit entries written), then a second run with
nothing due (what the worker's periodic job costs on a quiet sweep). Checked: every file gone,
every row marked, the real case's seal still verifies.

Budget: at least 500 documents removed per second (PASS / OVER), and the quiet run under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
DATABASE = "ret_bench"
BUDGET_DOCS_PER_S = 500
BUDGET_QUIET_S = 1.0


def child(cases: int, file_bytes: int) -> dict[str, object]:
    """In the instance's own process (DATABASE_URL and LOKET_VAR_DIR set by the parent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt
    import hashlib

    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
    from loket.cases.archive_verify import verify_archive
    from loket.cases.models import ArchiveRecord, Case, Document
    from loket.cases.retention import remove_expired_documents
    from tests.cases.test_services import answer_run
    from tests.sop_factory import make_service, submit

    service = make_service()
    real = submit(service, email="pemohon@gmail.com").case
    answer_run(real, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
    real = Case.objects.get(pk=real.pk)
    record = ArchiveRecord.objects.get(case=real)
    docs = list(real.documents.order_by("id"))
    long_ago = timezone.now() - dt.timedelta(days=3653)

    started = time.monotonic()
    chunk = 1000
    for start in range(0, cases, chunk):
        clones = []
        for i in range(start, min(start + chunk, cases)):
            clone = Case.objects.get(pk=real.pk)
            clone.pk = None
            clone.reference = f"{service.prefix}2016-{i + 1:06d}"
            clone.tracking_digest = hashlib.sha256(clone.reference.encode()).hexdigest()
            clones.append(clone)
        Case.objects.bulk_create(clones)
        made = list(Case.objects.filter(reference__in=[c.reference for c in clones]).values_list("pk", "reference"))
        ArchiveRecord.objects.bulk_create(
            ArchiveRecord(case_id=pk, sealed_at=long_ago, manifest=record.manifest, sha256=record.sha256)
            for pk, _ref in made
        )
        rows = []
        for pk, ref in made:
            for doc in docs:
                content = os.urandom(file_bytes)
                sha = hashlib.sha256(content).hexdigest()
                name = f"berkas/{service.unit.kode}/{ref}/{sha}"
                path = Path(default_storage.path(name))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                rows.append(
                    Document(
                        case_id=pk,
                        kode=doc.kode,
                        original_name=doc.original_name,
                        content_type=doc.content_type,
                        size=file_bytes,
                        sha256=sha,
                        file=name,
                        step=doc.step,
                    )
                )
        Document.objects.bulk_create(rows)
    Case.objects.filter(pk=real.pk).update(closed_at=long_ago)
    ArchiveRecord.objects.filter(case=real).update(sealed_at=long_ago)
    Case.objects.exclude(pk=real.pk).update(closed_at=long_ago, status=real.status)
    service.unit.retensi_tahun = 5
    service.unit.save(update_fields=["retensi_tahun"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seed_s = time.monotonic() - started

    started = time.monotonic()
    run = remove_expired_documents()
    remove_s = time.monotonic() - started
    started = time.monotonic()
    quiet = remove_expired_documents()
    quiet_s = time.monotonic() - started

    media = Path(settings.MEDIA_ROOT) / "berkas"
    left = sum(1 for p in media.rglob("*") if p.is_file())
    unmarked = Document.objects.filter(removed_at__isnull=True).count()
    verdict = verify_archive(case=real)
    documents = run.documents
    rate = documents / remove_s if remove_s else 0.0
    return {
        "vendor": connection.vendor,
        "cases": len(run.cases),
        "documents": documents,
        "bytes": run.bytes,
        "seed_s": round(seed_s, 1),
        "remove_s": round(remove_s, 2),
        "documents_per_s": round(rate),
        "quiet_run_s": round(quiet_s, 3),
        "quiet_run_cases": len(quiet.cases),
        "files_left": left,
        "rows_unmarked": unmarked,
        "seal_intact": verdict.intact,
        "verdict": "PASS"
        if rate >= BUDGET_DOCS_PER_S and quiet_s < BUDGET_QUIET_S and not left and not unmarked and verdict.intact
        else "OVER",
    }


def psql(sql: str) -> None:
    subprocess.run(["/usr/bin/psql", f"{PG}/postgres", "-Atqc", sql], check=True, capture_output=True)


def parent(vendor: str, cases: int, file_bytes: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-retention-{vendor}-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LOKET_", "DATABASE_URL", "DJANGO_"))}
        env.update(LOKET_DEBUG="1", LOKET_LOG_LEVEL="WARNING", LOKET_VAR_DIR=tmp, PYTHONPATH=str(ROOT))
        if vendor == "postgresql":
            psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            psql(f"CREATE DATABASE {DATABASE}")
            env["DATABASE_URL"] = f"{PG}/{DATABASE}"
        else:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/loket.sqlite3"
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--cases", str(cases), "--file-bytes", str(file_bytes)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            if vendor == "postgresql":
                psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if done.returncode:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--file-bytes", type=int, default=8192)
    parser.add_argument("--vendors", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts.cases, opts.file_bytes)))
        return
    for vendor in opts.vendors.split(","):
        load = Path("/proc/loadavg").read_text().split()[:3]
        result = parent(vendor, opts.cases, opts.file_bytes)
        result["loadavg_before"] = " ".join(load)
        result["loadavg_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(json.dumps(result))


if __name__ == "__main__":
    main()
