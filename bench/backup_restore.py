"""Backup and restore: time and size of `loket backup` and `loket restore` for a seeded instance.

Run: .venv/bin/python bench/backup_restore.py [--cases 100] [--pdf-bytes 200000] [--vendors sqlite,postgresql]

For each database (PostgreSQL only when it answers on 127.0.0.1:5432 as user postgres; its
databases are ops_test_src and ops_test_dst, dropped at the end), a fresh instance in a temporary
directory is migrated and given `--cases` finished, sealed cases (each with a PDF of about
`--pdf-bytes` of its own and a small PNG) plus one open case (tests/operations/seed.py); then
`loket backup` and `loket restore` into a fresh empty instance run as an operator runs them, each
timed (wall clock of the command, Python start-up included). Budget: the restore verifies every
seal (PASS) — this is a check of behaviour, the times are figures, not budgets.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.operations.test_backup_restore import make_instance, postgres_answers, psql  # noqa: E402


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(vendor: str, cases: int, pdf_bytes: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-backup-{vendor}-") as tmp:
        tmp_path = Path(tmp)
        source = make_instance(vendor, tmp_path, "src")
        started = time.monotonic()
        seeded = source.run("-m", "tests.operations.seed", str(cases), str(pdf_bytes))
        assert seeded.returncode == 0, seeded.stderr
        seed_s = time.monotonic() - started
        started = time.monotonic()
        done = source.loket("backup", str(tmp_path / "backup"))
        backup_s = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        target = make_instance(vendor, tmp_path, "dst")
        started = time.monotonic()
        restored = target.loket("restore", str(tmp_path / "backup"))
        restore_s = time.monotonic() - started
        verified = f"{cases} dari {cases} arsip tersegel UTUH" in restored.stdout and restored.returncode == 0
        if vendor == "postgresql":
            for name in ("src", "dst"):
                psql(f"DROP DATABASE IF EXISTS ops_test_{name} WITH (FORCE)")
        return {
            "vendor": vendor,
            "cases": cases + 1,
            "archives": manifest["counts"]["archives"],
            "documents": manifest["counts"]["documents"],
            "documents_bytes": manifest["counts"]["bytes"],
            "dump_bytes": manifest["database"]["size"],
            "backup_bytes": size_of(tmp_path / "backup"),
            "seed_s": round(seed_s, 1),
            "backup_s": round(backup_s, 2),
            "restore_s": round(restore_s, 2),
            "every_seal_verified": verified,
            "restore_output": restored.stdout.strip().splitlines()[0] if restored.stdout else restored.stderr,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--pdf-bytes", type=int, default=200_000)
    parser.add_argument("--vendors", default="sqlite,postgresql")
    opts = parser.parse_args()
    results = []
    for vendor in opts.vendors.split(","):
        if vendor == "postgresql" and not postgres_answers():
            print("postgresql: skipped (no server on 127.0.0.1:5432)")
            continue
        result = run(vendor, opts.cases, opts.pdf_bytes)
        results.append(result)
        mib = 1024 * 1024
        print(
            f"{vendor:10} {result['cases']} cases, {result['documents']} documents "
            f"({result['documents_bytes'] / mib:.1f} MiB), dump {result['dump_bytes'] / mib:.2f} MiB, "
            f"backup {result['backup_bytes'] / mib:.1f} MiB: backup {result['backup_s']} s, "
            f"restore + verify {result['restore_s']} s; every seal verified: "
            f"{'PASS' if result['every_seal_verified'] else 'FAIL'}"
        )
    print(json.dumps(results, indent=1))
    if not all(r["every_seal_verified"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
