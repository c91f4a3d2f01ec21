"""Reading the catalog: the newest version of each SOP, and one version parsed."""

from __future__ import annotations

import threading

from django.db.models import Max, OuterRef, Subquery
from django.http import Http404

from loket import request_memo
from loket.sop.load import load_text
from loket.sop.model import Sop

from .models import SopVersion, UnitLane


def latest_versions():  # type: ignore[no-untyped-def]
    """The newest installed version of every SOP, with its unit, ordered by unit then kode.

    Without each version's file (8-13 KB, read on every console page by the navigation's panels):
    `parsed` knows a version by its hash; the file is loaded only where it is read."""
    newest = SopVersion.objects.filter(kode=OuterRef("kode")).values("kode").annotate(m=Max("versi")).values("m")
    return (
        SopVersion.objects.filter(versi=Subquery(newest))
        .select_related("unit")
        .defer("content")
        .order_by("unit__kode", "kode")
    )


def unit_versions(unit_id: int) -> tuple[SopVersion, ...]:
    """The newest version of each SOP installed at a unit, by kode; read once per request (the
    console's nav asks of a unit's SOPs three times a page: `loket.request_memo`)."""
    return request_memo.memo(("unit-versions", unit_id), lambda: tuple(latest_versions().filter(unit_id=unit_id)))


def staff_lanes(unit_id: int) -> frozenset[str]:
    """The names of a unit's staff lanes (catalog.UnitLane); read once per request."""
    return request_memo.memo(
        ("staff-lanes", unit_id),
        lambda: frozenset(UnitLane.objects.filter(unit_id=unit_id).values_list("name", flat=True)),
    )


def get_version(kode: str, versi: int | None = None) -> SopVersion:
    """One installed version (the newest without `versi`), without its file until it is read
    (`parsed` knows a version by its hash)."""
    qs = SopVersion.objects.select_related("unit").defer("content").filter(kode=kode)
    version = qs.filter(versi=versi).first() if versi is not None else qs.order_by("-versi").first()
    if version is None:
        raise SopVersion.DoesNotExist(f"SOP {kode}{'' if versi is None else f' versi {versi}'} tidak terpasang")
    return version


def get_version_or_404(kode: str, versi: int | None = None) -> SopVersion:
    try:
        return get_version(kode, versi)
    except SopVersion.DoesNotExist as exc:
        raise Http404(str(exc)) from exc


# Parsed SOPs by the SHA-256 of their file (installed content never changes under its hash, so an
# entry is never stale). Keyed by the hash alone so that a version read without its content
# (`QuerySet.defer("content")`, as the work queue reads its rows' SOPs) is parsed without loading
# the file again once this process has seen it.
_PARSED: dict[str, Sop] = {}
# A parse costs ~27 ms, a parsed SOP ~30 KiB (2026-12-04): room for every SOP version in use in
# one national deployment (600 units x a handful of SOPs, ~3,000) at ~90 MiB per process, so a
# busy day's mix of units never parses the same file twice in one process.
_PARSED_MAX = 4096
_PARSED_LOCK = threading.Lock()


def parsed(version: SopVersion) -> Sop:
    sop = _PARSED.get(version.sha256)
    if sop is None:
        sop = _parse(version.sha256, version.content)  # loads a deferred content field: once
        with _PARSED_LOCK:  # threaded servers: one writer at a time
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.pop(next(iter(_PARSED)))  # the oldest entry
            _PARSED[version.sha256] = sop
    return sop


def _parse(sha256: str, content: str) -> Sop:
    # Installed content was checked on install.
    loaded = load_text(content, sha256)
    assert loaded.sop is not None, loaded.violations
    return loaded.sop
