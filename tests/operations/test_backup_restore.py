"""`loket backup` and `loket restore` end to end, on SQLite and (when it answers on
127.0.0.1:5432) PostgreSQL: instances of their own in temporary directories and databases,
driven through the `loket` command in subprocesses as an operator would.

A source instance with three finished (sealed) cases and one open case is backed up; the backup
restores into an empty instance, every seal verifies and every document is byte-identical; a
tampered document or dump is refused before the target is touched; a target with data is
refused; a missing document fails the backup unless `--allow-missing`, and the restore of such a
backup reports the broken seal and exits non-zero. `--force` over a restore stopped half-way
leaves the backup's files and nothing else. A backup taken while another process submits and
decides cases is consistent: every document row it holds has its file, every hash matches, and
every seal of its restore verifies. Documents removed by retention are not in a backup, and their
seals verify after the restore.

The PostgreSQL databases are named LOKET_TEST_DB_PREFIX + the instance's name (default
`ops_test_`), so that two people's runs on one server do not meet."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
DB_PREFIX = os.environ.get("LOKET_TEST_DB_PREFIX", "ops_test_")
DATABASES = ("src", "dst", "other", "fresh", "busy", "busy_dst", "kept", "kept_dst")


def postgres_answers() -> bool:
    if not Path("/usr/bin/psql").exists():
        return False
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return subprocess.run(["/usr/bin/psql", f"{PG}/postgres", "-Atc", "SELECT 1"], capture_output=True).returncode == 0


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(["/usr/bin/psql", f"{PG}/{database}", "-Atqc", sql], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@dataclass
class Instance:
    var: Path
    database_url: str

    @property
    def media(self) -> Path:
        return self.var / "media"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LOKET_", "DATABASE_URL", "DJANGO_"))}
        env.update(
            LOKET_DEBUG="1",
            LOKET_LOG_LEVEL="WARNING",
            LOKET_VAR_DIR=str(self.var),
            DATABASE_URL=self.database_url,
            PYTHONPATH=str(ROOT),
        )
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=600
        )

    def loket(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "loket.cli", *args)


def make_instance(vendor: str, tmp: Path, name: str) -> Instance:
    var = tmp / name
    var.mkdir()
    if vendor == "sqlite":
        return Instance(var, f"sqlite:///{var / 'loket.sqlite3'}")
    database = f"{DB_PREFIX}{name}"
    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(f"CREATE DATABASE {database}")
    return Instance(var, f"{PG}/{database}")


def tables(instance: Instance, vendor: str) -> list[str]:
    if vendor == "sqlite":
        import sqlite3

        path = instance.var / "loket.sqlite3"
        if not path.exists():
            return []
        with sqlite3.connect(path) as db:
            return sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    database = instance.database_url.rsplit("/", 1)[1]
    return psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", database).split()


@dataclass
class Setup:
    vendor: str
    tmp: Path
    source: Instance
    references: list[str]
    backup: Path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def setup(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    vendor = request.param
    if vendor == "postgresql" and not postgres_answers():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432 (user postgres): the PostgreSQL run is skipped")
    tmp = tmp_path_factory.mktemp(f"ops-{vendor}")
    source = make_instance(vendor, tmp, "src")
    seeded = source.run("-m", "tests.operations.seed", "3")
    assert seeded.returncode == 0, seeded.stderr
    references = seeded.stdout.split()
    done = source.loket("backup", str(tmp / "backup"))
    assert done.returncode == 0, done.stderr
    assert "4 permohonan, 3 arsip tersegel, 8 berkas" in done.stdout
    yield Setup(vendor, tmp, source, references, tmp / "backup")
    if vendor == "postgresql":
        for name in DATABASES:
            psql(f"DROP DATABASE IF EXISTS {DB_PREFIX}{name} WITH (FORCE)")


@pytest.fixture(scope="module")
def restored(setup):  # type: ignore[no-untyped-def]
    """The backup restored into an empty instance: never migrated on SQLite, migrated but unused
    on PostgreSQL (both count as empty)."""
    target = make_instance(setup.vendor, setup.tmp, "dst")
    if setup.vendor == "postgresql":
        migrated = target.loket("migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr
    done = target.loket("restore", str(setup.backup))
    return target, done


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_manifest_lists_the_dump_and_every_document_with_its_hash(setup):
    manifest = json.loads((setup.backup / "manifest.json").read_text())
    assert manifest["format"] == 1 and manifest["database"]["vendor"] == setup.vendor
    assert manifest["loket_version"] and manifest["created_at"]
    assert (setup.backup / manifest["database"]["file"]).is_file() and len(manifest["database"]["sha256"]) == 64
    assert [d["path"] for d in manifest["documents"]] == tree(setup.source.media)
    for doc in manifest["documents"]:
        assert doc["path"].endswith(doc["sha256"])  # documents are stored under their SHA-256
        assert doc["size"] == (setup.source.media / doc["path"]).stat().st_size
    assert manifest["missing"] == [] and manifest["counts"]["archives"] == 3


def test_it_restores_into_an_empty_instance_and_every_seal_verifies(setup, restored):
    target, done = restored
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 berkas; 3 dari 3 arsip tersegel UTUH" in done.stdout
    # Every document byte-identical, and nothing else.
    assert tree(target.media) == tree(setup.source.media)
    match, mismatch, errors = filecmp.cmpfiles(setup.source.media, target.media, tree(target.media), shallow=False)
    assert (len(match), mismatch, errors) == (8, [], [])
    # The restored instance works as an instance: its archive verifies through the usual command.
    checked = target.loket("archive", "verify", setup.references[0])
    assert checked.returncode == 0 and f"Arsip {setup.references[0]} UTUH" in checked.stdout
    assert target.loket("archive", "verify", setup.references[-1]).returncode == 2  # the open case: not sealed
    # Its sequences came along: a new row takes the next id, not one the backup already holds.
    added = target.loket(
        "shell", "-c", "from django.contrib.auth.models import User; User.objects.create_user('baru-setelah-pulih')"
    )
    assert added.returncode == 0, added.stderr


def test_a_target_with_data_is_refused(setup, restored):
    target, _done = restored
    before = tree(target.media)
    again = target.loket("restore", str(setup.backup))
    assert again.returncode == 2
    assert "Basis data tujuan tidak kosong" in again.stderr and "cases_case" in again.stderr
    assert tree(target.media) == before


@pytest.mark.parametrize("what", ["document", "dump"])
def test_a_tampered_backup_is_refused_before_the_target_is_touched(setup, what):
    copy = setup.tmp / f"tampered-{what}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(setup.backup, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    name = f"media/{manifest['documents'][0]['path']}" if what == "document" else manifest["database"]["file"]
    with open(copy / name, "ab") as fh:
        fh.write(b"diubah")
    target = fresh(setup, "other")
    before = tables(target, setup.vendor)
    done = target.loket("restore", str(copy))
    assert done.returncode == 2
    assert f"{name} tidak sama dengan manifest" in done.stderr
    assert "Pemulihan dibatalkan sebelum mengubah apa pun." in done.stderr
    assert tables(target, setup.vendor) == before == []
    assert not target.media.exists()


def fresh(setup: Setup, name: str) -> Instance:
    """An empty instance of the module's own (made once, shared by the parametrized cases)."""
    if (setup.tmp / name).exists():
        url = (
            f"sqlite:///{setup.tmp / name / 'loket.sqlite3'}" if setup.vendor == "sqlite" else f"{PG}/{DB_PREFIX}{name}"
        )
        return Instance(setup.tmp / name, url)
    return make_instance(setup.vendor, setup.tmp, name)


def test_force_restores_over_a_target_with_data(setup, restored):
    target, _done = restored
    done = target.loket("restore", "--force", str(setup.backup))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 dari 3 arsip tersegel UTUH" in done.stdout
    assert tree(target.media) == tree(setup.source.media)


def test_a_missing_document_fails_the_backup_unless_allowed_and_its_seal_then_fails(setup):
    manifest = json.loads((setup.backup / "manifest.json").read_text())
    gone = manifest["documents"][0]["path"]
    reference = gone.split("/")[2]
    aside = setup.tmp / "aside"
    shutil.move(setup.source.media / gone, aside)
    try:
        failed = setup.source.loket("backup", str(setup.tmp / "incomplete"))
        allowed = setup.source.loket("backup", "--allow-missing", str(setup.tmp / "allowed"))
    finally:
        shutil.move(aside, setup.source.media / gone)
    assert failed.returncode == 1
    assert f"Berkas {gone} (cases.Document): hilang dari penyimpanan." in failed.stderr
    assert not (setup.tmp / "incomplete").exists()  # no half backup left behind
    assert allowed.returncode == 0, allowed.stderr
    recorded = json.loads((setup.tmp / "allowed" / "manifest.json").read_text())
    assert [m["path"] for m in recorded["missing"]] == [gone] and len(recorded["documents"]) == 7
    # Restored, the case whose file is gone fails its seal, and the restore says so.
    done = fresh(setup, "fresh").loket("restore", str(setup.tmp / "allowed"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 dari 3 arsip tersegel UTUH" in done.stdout and f"Arsip {reference} TIDAK utuh" in done.stdout


def test_force_after_a_restore_stopped_half_way_leaves_only_the_backup_files(setup, restored):
    """What a restore stopped half-way, and the instance's past, leave in the storage: a file
    copied in part, a copy the storage renamed, a case's folder the backup does not hold. Run
    again with --force, the storage holds the backup's files, byte for byte, and nothing else."""
    target, _done = restored
    manifest = json.loads((setup.backup / "manifest.json").read_text())
    first = manifest["documents"][0]["path"]
    (target.media / first).write_bytes((setup.backup / "media" / first).read_bytes()[:100])
    renamed = target.media / f"{first}_a1B2c3D"
    renamed.write_bytes(b"%PDF-1.4 salinan kedua")
    stale = target.media / "berkas" / "uji" / "UJI-2020-000001" / ("0" * 64)
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF-1.4 sisa lama")
    assert len(tree(target.media)) == 10

    done = target.loket("restore", "--force", str(setup.backup))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 berkas; 3 dari 3 arsip tersegel UTUH" in done.stdout
    assert tree(target.media) == tree(setup.source.media)
    match, mismatch, errors = filecmp.cmpfiles(setup.source.media, target.media, tree(target.media), shallow=False)
    assert (len(match), mismatch, errors) == (8, [], [])
    assert not stale.parent.exists()  # no empty folder of the stale case either


class Writer:
    """tests.operations.writer in a process of its own, its lines read as they come."""

    def __init__(self, instance: Instance, stop: Path) -> None:
        self.stop = stop
        self.lines: list[str] = []
        self.errors = open(instance.var.parent / f"{instance.var.name}-writer.err", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.operations.writer", str(stop)],
            cwd=ROOT,
            env=instance.env(),
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def wait_for(self, count: int) -> None:
        """Wait until the writer has sealed `count` cases (or died)."""
        deadline = time.monotonic() + 300
        while sum(line.startswith("sealed ") for line in self.lines) < count:
            assert self.process.poll() is None, self.stderr()
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.1)

    def finish(self) -> int:
        self.stop.touch()
        code = self.process.wait(300)
        self.reader.join(30)
        return code

    def stderr(self) -> str:
        self.errors.seek(0)
        return self.errors.read()


def rows(instance: Instance) -> dict[str, list]:  # type: ignore[type-arg]
    """The restored database's document rows (storage name, SHA-256) and sealed references."""
    code = (
        "import json; from loket.cases.models import ArchiveRecord, Document; "
        "print(json.dumps({'documents': list(Document.objects.values_list('file', 'sha256')), "
        "'sealed': sorted(ArchiveRecord.objects.values_list('case__reference', flat=True))}))"
    )
    done = instance.loket("shell", "-c", code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def verify_each(instance: Instance, references: list[str]) -> dict[str, tuple[int, str]]:
    """`loket archive verify REF` for each reference, in one process: (exit status, output)."""
    code = (
        "import io, json, sys; from django.core.management import call_command\n"
        "out = {}\n"
        f"for ref in {references!r}:\n"
        "    buf = io.StringIO()\n"
        "    try:\n"
        "        call_command('archive', 'verify', ref, stdout=buf); status = 0\n"
        "    except SystemExit as exc:\n"
        "        status = int(exc.code or 0)\n"
        "    out[ref] = (status, buf.getvalue())\n"
        "print(json.dumps(out))"
    )
    done = instance.loket("shell", "-c", code)
    assert done.returncode == 0, done.stderr
    return {ref: (status, text) for ref, (status, text) in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def test_a_backup_taken_while_cases_are_submitted_and_decided_is_consistent(setup):
    busy = make_instance(setup.vendor, setup.tmp, "busy")
    writer = Writer(busy, setup.tmp / "busy-stop")
    try:
        writer.wait_for(3)
        # The backup is taken with the writer at work; tried again (at most five times) until the
        # writer is seen to have committed a change between the backup's start and its end.
        backup = None
        for attempt in range(5):
            before = len(writer.lines)
            dest = setup.tmp / f"busy-backup-{attempt}"
            done = busy.loket("backup", str(dest))
            assert done.returncode == 0, done.stdout + done.stderr
            if len(writer.lines) > before:
                backup = dest
                break
        assert backup is not None, "the writer committed nothing while any of five backups ran"
        writer.wait_for(sum(line.startswith("sealed ") for line in writer.lines) + 2)  # and after it
    finally:
        code = writer.finish()
    assert code == 0, writer.stderr()

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["missing"] == [] and manifest["counts"]["archives"] >= 3
    target = make_instance(setup.vendor, setup.tmp, "busy_dst")
    restored = target.loket("restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    archives = manifest["counts"]["archives"]
    assert (
        f"{manifest['counts']['documents']} berkas; {archives} dari {archives} arsip tersegel UTUH" in restored.stdout
    )

    # Every document row of the backed-up database has its file in the backup, and its hash is
    # the row's and the manifest's.
    found = rows(target)
    listed = {d["path"]: d for d in manifest["documents"]}
    assert len(found["documents"]) == len(listed) == manifest["counts"]["documents"]
    for name, sha in found["documents"]:
        sha_on_disk, size = sha256_of(backup / "media" / name)
        assert (sha_on_disk, size) == (sha, listed[name]["size"]) and listed[name]["sha256"] == sha
    # The writer went on after the snapshot: the source holds cases the backup does not.
    assert len(found["sealed"]) == archives < len(rows(busy)["sealed"])
    for reference, (status, output) in verify_each(target, found["sealed"]).items():
        assert status == 0 and f"Arsip {reference} UTUH" in output, output


def sha256_of(path: Path) -> tuple[str, int]:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size


def test_a_backup_after_retention_holds_no_removed_file_and_its_seals_verify(setup):
    kept = make_instance(setup.vendor, setup.tmp, "kept")
    seeded = kept.run("-m", "tests.operations.seed", "2")
    assert seeded.returncode == 0, seeded.stderr
    old, new, _open = seeded.stdout.split()
    aged = kept.loket(
        "shell",
        "-c",
        "import datetime as dt; from django.utils import timezone; from loket.units.models import Unit; "
        "from loket.cases.models import ArchiveRecord, Case; Unit.objects.filter(kode='uji').update(retensi_tahun=1); "
        "t = timezone.now() - dt.timedelta(days=800); "
        f"Case.objects.filter(reference={old!r}).update(closed_at=t); "
        f"ArchiveRecord.objects.filter(case__reference={old!r}).update(sealed_at=t)",
    )
    assert aged.returncode == 0, aged.stderr
    removed = kept.loket("archive", "retention")
    assert removed.returncode == 0 and "dari 1 arsip dihapus." in removed.stdout, removed.stdout + removed.stderr
    done = kept.loket("backup", str(setup.tmp / "kept-backup"))
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((setup.tmp / "kept-backup" / "manifest.json").read_text())
    assert manifest["missing"] == [] and len(manifest["documents"]) == 4  # 6 documents, 2 removed
    assert not any(f"/{old}/" in d["path"] for d in manifest["documents"])

    target = make_instance(setup.vendor, setup.tmp, "kept_dst")
    restored = target.loket("restore", str(setup.tmp / "kept-backup"))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "4 berkas; 2 dari 2 arsip tersegel UTUH" in restored.stdout
    verdicts = verify_each(target, [old, new])
    assert verdicts[old][0] == 0 and verdicts[old][1].count("[dihapus]") == 2
    assert verdicts[new][0] == 0 and "[dihapus]" not in verdicts[new][1]
