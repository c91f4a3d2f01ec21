"""Backing up and restoring a Loket instance: the database and the documents, consistent, with a
manifest of hashes (`loket backup DEST_DIR`, `loket restore SRC_DIR`; docs/operations.md).

A backup directory holds:
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite, the
  online backup API: a consistent copy even while others write, WAL included);
- `media/<name>`: every file a FileField of the snapshot names, under its storage name;
- `external/<n>-<basename>`: files outside the storage the snapshot names by path (unit logos);
- `manifest.json`: format, time, Loket version, database vendor, the dump's name, size and
  SHA-256, and every file with its path, size and SHA-256.

Consistency: the database snapshot is taken first and the files it names are read after. On
PostgreSQL one REPEATABLE READ transaction exports its snapshot to pg_dump (`--snapshot`) and
lists the files itself, so the dump and the list are the same instant; on SQLite the list is
read from the copy. Documents are stored under their SHA-256 and never rewritten, so a file
named by the snapshot is the file the snapshot means; each is checked against the hash its row
holds (`Document.sha256`). A row whose file the retention job removed (`removed_at` set,
loket.cases.retention) names no file to back up: its hash stays in the dump, and the restored
seal reports it removed, as the source's does.

The restore checks the whole backup (every hash) before it touches anything, refuses a target
that holds data (see `target_rows`), loads the database, copies the files into the storage, runs
the migrations, and verifies every sealed archive with `loket.cases.archive_verify`. With
`--force` (a restore run again after it stopped half-way, or over an instance with data) the
storage ends up holding the backup's files and nothing else: a file of the half-done attempt or
of the instance's past that the backup does not hold is deleted (`Restored.swept`).

Why not a library: django-dbbackup covers the database and the media, but neither the snapshot
shared between the dump and the file list nor the per-document hash check against the rows; the
code here is the glue around pg_dump/pg_restore and sqlite3's own backup.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
EXTERNAL_DIR = "external"
CHUNK = 1024 * 1024
PG_DUMP = "/usr/bin/pg_dump"
PG_RESTORE = "/usr/bin/pg_restore"
# Files not backed up: exports expire within a day and are made again on request.
SKIPPED_MODELS = {"reports.Export"}
# Tables a freshly migrated, empty instance already fills (`migrate` itself writes them).
MIGRATION_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    """The backup or restore stopped; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Restored:
    manifest: dict[str, Any]
    files: int
    archives: int
    intact: int
    broken: list[tuple[str, list[str]]] = field(default_factory=list)  # (reference, findings)
    external_missing: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)  # storage files not in the backup, deleted (--force)

    @property
    def ok(self) -> bool:
        return not self.broken


def loket_version() -> str:
    try:
        return package_version("loket")
    except PackageNotFoundError:
        return "unknown"


def sha256_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest(), path.stat().st_size


def _safe_name(name: str) -> PurePosixPath:
    """A storage name as a relative path that stays inside the directory it is joined to."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError([_("Nama berkas tidak aman: %(name)s") % {"name": name}])
    return path


# -- what the snapshot names ------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    name: str  # the storage name (FileField) or the absolute path (external)
    model: str
    sha256: str | None  # what the row says the content is, where it says


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    out = []
    for model in apps.get_models():
        if model._meta.label in SKIPPED_MODELS:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                out.append((model, f))
    return out


def _column(model: type[models.Model], name: str) -> str | None:
    try:
        return getattr(model._meta.get_field(name), "column", None)
    except FieldDoesNotExist:
        return None


def _logo_column() -> tuple[str, str] | None:
    try:
        unit = apps.get_model("units", "Unit")
    except LookupError:
        return None
    column = _column(unit, "logo")
    return (unit._meta.db_table, column) if column else None


def named_files(execute: Any) -> tuple[list[Named], list[Named]]:
    """The files the snapshot names: (storage files, external files). `execute(sql)` runs a
    query on the snapshot and returns its rows."""
    q = connection.ops.quote_name
    stored: dict[str, Named] = {}
    for model, f in file_fields():
        hash_col = _column(model, "sha256")
        column = q(str(f.column))
        cols = column + (f", {q(hash_col)}" if hash_col else "")
        # A row whose file was removed on purpose (retention) keeps its name but names no file.
        removed = f" AND {q(removed_col)} IS NULL" if (removed_col := _column(model, "removed_at")) else ""
        sql = f"SELECT {cols} FROM {q(model._meta.db_table)} WHERE {column} <> ''{removed}"  # noqa: S608
        for row in execute(sql):
            stored.setdefault(row[0], Named(row[0], model._meta.label, row[1] if hash_col else None))
    external: dict[str, Named] = {}
    if logo := _logo_column():
        table, column = logo
        for (path,) in execute(f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} <> ''"):  # noqa: S608
            external.setdefault(path, Named(path, "units.Unit.logo", None))
    return sorted(stored.values(), key=lambda n: n.name), sorted(external.values(), key=lambda n: n.name)


# -- database ---------------------------------------------------------------------------------


def _db() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    db = _db()
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return [*args, "--no-password"], env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError([_("%(cmd)s gagal: %(error)s") % {"cmd": Path(cmd[0]).name, "error": done.stderr.strip()}])


@contextmanager
def _snapshot(dest: Path) -> Iterator[tuple[str, Any]]:
    """Dump the database into `dest`; yield (dump file name, execute) where execute(sql) reads
    the same snapshot as the dump."""
    if connection.vendor == "postgresql":
        name = "database.dump"
        args, env = _pg_args_env()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [
                    PG_DUMP,
                    *args,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(dest / name),
                    _db()["NAME"],
                ],
                env,
            )

            def execute(sql: str) -> list[tuple[Any, ...]]:
                cursor.execute(sql)
                return list(cursor.fetchall())

            yield name, execute
    elif connection.vendor == "sqlite":
        name = "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(dest / name)
        try:
            connection.connection.backup(target)  # type: ignore[union-attr]
            # A self-contained file (no -wal/-shm beside it), readable from a read-only medium.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        copy = sqlite3.connect(f"file:{dest / name}?mode=ro", uri=True)
        try:
            yield name, lambda sql: copy.execute(sql).fetchall()
        finally:
            copy.close()
    else:
        raise BackupError([_("Basis data %(vendor)s tidak didukung.") % {"vendor": connection.vendor}])


# -- backup -----------------------------------------------------------------------------------


def _copy_stored(named: Named, target: Path) -> tuple[str, int] | str:
    """Copy one storage file to `target`, hashing it: (sha256, size), or why not (a sentence)."""
    if not default_storage.exists(named.name):
        return _("hilang dari penyimpanan")
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(named.name, "rb") as src, open(target, "wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    if named.sha256 and digest.hexdigest() != named.sha256:
        target.unlink()
        return _("isinya berubah (SHA-256 tercatat %(row)s…, berkas %(file)s…)") % {
            "row": named.sha256[:16],
            "file": digest.hexdigest()[:16],
        }
    return digest.hexdigest(), size


def backup(dest: Path, *, allow_missing: bool = False) -> dict[str, Any]:
    """Back the instance up into `dest` (a new or empty directory).

    Effects, in order: the database snapshot into `dest`; every file the snapshot names copied to
    `dest/media` (and `dest/external`), each hashed and checked against its row's hash; then
    `manifest.json`, written last, so a directory without one is no backup. A file missing or
    changed raises BackupError listing every such file (the directory is removed again), unless
    `allow_missing`, which records them in the manifest under "missing". Returns the manifest.
    """
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError([_("Direktori tujuan %(dir)s tidak kosong.") % {"dir": dest}])
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        return _backup(dest, allow_missing=allow_missing)
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _count_sql(label: str) -> str:
    return f"SELECT COUNT(*) FROM {connection.ops.quote_name(apps.get_model(label)._meta.db_table)}"  # noqa: S608


def _backup(dest: Path, *, allow_missing: bool) -> dict[str, Any]:
    created_at = timezone.now()
    with _snapshot(dest) as (dump_name, execute):
        stored, external = named_files(execute)
        counts = {
            key: execute(_count_sql(label))[0][0]
            for key, label in (("cases", "cases.Case"), ("archives", "cases.ArchiveRecord"))
        }
    documents: list[dict[str, Any]] = []
    externals: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for named in stored:
        outcome = _copy_stored(named, dest / MEDIA_DIR / _safe_name(named.name))
        if isinstance(outcome, str):
            missing.append({"path": named.name, "model": named.model, "reason": outcome})
        else:
            documents.append({"path": named.name, "model": named.model, "size": outcome[1], "sha256": outcome[0]})
    for i, named in enumerate(external, start=1):
        source = Path(named.name)
        if not source.is_file():
            missing.append({"path": named.name, "model": named.model, "reason": _("hilang dari server")})
            continue
        stored_as = f"{EXTERNAL_DIR}/{i}-{source.name}"
        (dest / EXTERNAL_DIR).mkdir(exist_ok=True)
        shutil.copyfile(source, dest / stored_as)
        sha, size = sha256_file(dest / stored_as)
        externals.append(
            {"path": named.name, "model": named.model, "stored_as": stored_as, "size": size, "sha256": sha}
        )
    if missing and not allow_missing:
        raise BackupError(
            [_("Berkas %(path)s (%(model)s): %(reason)s.") % m for m in missing]
            + [_("Cadangan dibatalkan; --allow-missing mencatatnya di manifest dan melanjutkan.")]
        )
    dump_sha, dump_size = sha256_file(dest / dump_name)
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "loket_version": loket_version(),
        "database": {"vendor": connection.vendor, "file": dump_name, "size": dump_size, "sha256": dump_sha},
        "counts": {**counts, "documents": len(documents), "bytes": sum(d["size"] for d in documents)},
        "documents": documents,
        "external": externals,
        "missing": missing,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# -- restore ----------------------------------------------------------------------------------


def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest, after checking the dump and every file against it; raises
    BackupError listing every problem. Reads only."""
    path = Path(src) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError([_("Manifest %(path)s tidak terbaca: %(error)s") % {"path": path, "error": exc}]) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError([_("Format cadangan %(f)s tidak dikenal.") % {"f": manifest.get("format")}])
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupError(
            [
                _("Cadangan dari basis data %(src)s tidak bisa dipulihkan ke %(dst)s.")
                % {"src": manifest["database"]["vendor"], "dst": connection.vendor}
            ]
        )
    problems = []
    entries = [(manifest["database"]["file"], manifest["database"])]
    entries += [(f"{MEDIA_DIR}/{_safe_name(d['path'])}", d) for d in manifest["documents"]]
    entries += [(str(_safe_name(e["stored_as"])), e) for e in manifest.get("external", [])]
    for rel, entry in entries:
        file = Path(src) / rel
        if not file.is_file():
            problems.append(_("%(file)s tidak ada di cadangan.") % {"file": rel})
            continue
        sha, size = sha256_file(file)
        if (sha, size) != (entry["sha256"], entry["size"]):
            problems.append(
                _("%(file)s tidak sama dengan manifest (SHA-256 %(sha)s…, tercatat %(want)s…).")
                % {"file": rel, "sha": sha[:16], "want": entry["sha256"][:16]}
            )
    if problems:
        raise BackupError([*problems, _("Pemulihan dibatalkan sebelum mengubah apa pun.")])
    return manifest


def target_rows() -> list[str]:
    """The tables of the target that hold rows (none: the target is empty).

    Empty means: no table holds a row, except those `migrate` fills by itself (the list of
    applied migrations, content types, permissions). A database never migrated is empty; one
    migrated but never used is empty; one with a single user, unit, case or session is not.
    """
    q = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    out = []
    with connection.cursor() as cursor:
        for table in sorted(tables - MIGRATION_TABLES):
            cursor.execute(f"SELECT 1 FROM {q(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                out.append(table)
    return out


def _load_database(src: Path, manifest: dict[str, Any]) -> None:
    dump = Path(src) / manifest["database"]["file"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # type: ignore[arg-type]
        finally:
            source.close()
        connection.close()
        return
    # PostgreSQL: the target's own tables go first (it was found empty, or --force), so that the
    # dump's schema is the whole schema and `migrate` starts from the backup's migrations.
    q = connection.ops.quote_name
    tables = connection.introspection.table_names()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {q(table)} CASCADE")
    connection.close()
    args, env = _pg_args_env()
    _run(
        [
            PG_RESTORE,
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            _db()["NAME"],
            str(dump),
        ],
        env,
    )


def _copy_files(src: Path, manifest: dict[str, Any], *, force: bool) -> int:
    copied = 0
    for doc in manifest["documents"]:
        name = doc["path"]
        if default_storage.exists(name):
            if not force:
                raise BackupError([_("Berkas %(name)s sudah ada di penyimpanan tujuan.") % {"name": name}])
            default_storage.delete(name)
        with open(Path(src) / MEDIA_DIR / _safe_name(name), "rb") as fh:
            saved = default_storage.save(name, File(fh))
        if saved != name:
            raise BackupError([_("Penyimpanan menyimpan %(name)s sebagai %(saved)s.") % {"name": name, "saved": saved}])
        copied += 1
    return copied


def restore(src: Path, *, force: bool = False) -> Restored:
    """Restore the backup in `src` into this (empty) instance.

    Effects, in order: the manifest and every hash checked (BackupError before anything is
    touched); the target checked empty (`target_rows`; BackupError unless `force`) and no file of
    the backup already in the storage (unless `force`); the database loaded; the files copied
    into the default storage; `migrate` run; every sealed archive verified (`verify_archive`,
    one `archive.verified` audit entry each). Returns the counts and the archives that failed.
    """
    from django.core.management import call_command

    src = Path(src)
    manifest = read_manifest(src)
    if not force:
        if rows := target_rows():
            raise BackupError(
                [
                    _("Basis data tujuan tidak kosong: %(tables)s.")
                    % {"tables": ", ".join(rows[:8]) + (", …" if len(rows) > 8 else "")},
                    _("Pemulihan hanya ke instans kosong; --force menimpanya."),
                ]
            )
        present = [d["path"] for d in manifest["documents"] if default_storage.exists(d["path"])]
        if present:
            raise BackupError(
                [_("Berkas %(name)s sudah ada di penyimpanan tujuan.") % {"name": name} for name in present[:8]]
                + [_("Pemulihan hanya ke instans kosong; --force menimpanya.")]
            )
    _load_database(src, manifest)
    copied = _copy_files(src, manifest, force=force)
    swept = _sweep(manifest) if force else []
    with tempfile.TemporaryFile("w+") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    result = _verify_all(manifest, copied)
    result.swept = swept
    return result


def storage_files(top: str = "") -> Iterator[str]:
    """Every file name in the default storage under `top` (none when its root does not exist)."""
    try:
        dirs, files = default_storage.listdir(top)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{top}/{name}" if top else name
    for name in dirs:
        yield from storage_files(f"{top}/{name}" if top else name)


def _sweep(manifest: dict[str, Any]) -> list[str]:
    """Delete every storage file the backup does not hold; returns their names. A unit logo the
    backup names by path is kept where it lies inside the storage (it is restored by hand)."""
    kept = {d["path"] for d in manifest["documents"]}
    external = {os.path.realpath(e["path"]) for e in manifest.get("external", [])}
    swept = []
    for name in sorted(storage_files()):
        if name in kept or ((local := _local_path(name)) is not None and os.path.realpath(local) in external):
            continue
        default_storage.delete(name)
        swept.append(name)
    if swept and (root := _local_path("")) is not None:
        _prune_empty_dirs(Path(root))
    for name in swept:
        logger.warning("restore --force: %s is not in the backup, deleted", name)
    return swept


def _local_path(name: str) -> str | None:
    """The file's path on this machine, None for a storage without one (object storage)."""
    try:
        return str(default_storage.path(name))
    except NotImplementedError:
        return None


def _prune_empty_dirs(root: Path) -> None:
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(path.iterdir()):
            path.rmdir()


def _verify_all(manifest: dict[str, Any], copied: int) -> Restored:
    from loket.cases.archive_verify import verify_archive
    from loket.cases.models import ArchiveRecord

    result = Restored(manifest=manifest, files=copied, archives=0, intact=0)
    for record in ArchiveRecord.objects.select_related("case", "case__unit", "case__sop").order_by("id").iterator():
        verdict = verify_archive(case=record.case, actor=None)
        result.archives += 1
        if verdict.intact:
            result.intact += 1
        else:
            result.broken.append((verdict.reference, verdict.findings()))
    result.external_missing = [e["path"] for e in manifest.get("external", []) if not Path(e["path"]).is_file()]
    return result
