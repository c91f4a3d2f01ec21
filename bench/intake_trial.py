"""A trial, not a change: Loket's WSGI application with three changes to modules the intake work
does not own patched in, to measure what they would give before anyone makes them.

Run: .venv/bin/python bench/intake_vs_helpdesk.py --loket-app intake_trial --label trial
(bench/ is put on gunicorn's PYTHONPATH for a --loket-app other than loket.wsgi).

1. A new session's key is not looked up first (Django's database SessionStore runs `SELECT 1 ...
   WHERE session_key = %s` before its INSERT; the INSERT with must_create already refuses a key in
   use, and `create()` then draws another): one statement less for each first visit.
2. The throttle prunes the hits older than a day at most once a minute per process, not in every
   `take` (a DELETE scanning `at` in every counted request): one statement less per submit.
3. The catalog reads the newest version of an SOP without its file (`defer("content")`):
   `parsed()` keeps SOPs by hash and loads a file once per process; every request of the
   portal and the API reads one version.
"""

from __future__ import annotations

import threading
import time

import django

django.setup()

from django.contrib.sessions.backends import db as session_db  # noqa: E402
from django.contrib.sessions.backends.base import VALID_KEY_CHARS  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from loket.cases import offer  # noqa: E402
from loket.catalog import selectors  # noqa: E402
from loket.catalog.models import SopVersion  # noqa: E402
from loket.throttle import limits  # noqa: E402


def _new_key(self: session_db.SessionStore) -> str:
    return get_random_string(32, VALID_KEY_CHARS)


session_db.SessionStore._get_new_session_key = _new_key  # type: ignore[method-assign]

_pruned = [0.0]
_prune_lock = threading.Lock()


class _NoPrune:
    """`Hit.objects` inside take(), with the prune skipped but once a minute."""

    def __init__(self, manager: object) -> None:
        self.manager = manager

    def filter(self, *args: object, **kwargs: object) -> object:
        queryset = self.manager.filter(*args, **kwargs)  # type: ignore[attr-defined]
        if set(kwargs) == {"at__lt"}:
            with _prune_lock:
                due = time.monotonic() - _pruned[0] > 60
                if due:
                    _pruned[0] = time.monotonic()
            if not due:
                return queryset.none()
        return queryset

    def __getattr__(self, name: str) -> object:
        return getattr(self.manager, name)


class _Hit:
    objects = _NoPrune(limits.Hit.objects)


limits.Hit = _Hit  # type: ignore[misc,assignment]


def get_version(kode: str, versi: int | None = None) -> SopVersion:
    qs = SopVersion.objects.select_related("unit").defer("content").filter(kode=kode)
    version = qs.filter(versi=versi).first() if versi is not None else qs.order_by("-versi").first()
    if version is None:
        raise SopVersion.DoesNotExist(f"SOP {kode} tidak terpasang")
    return version


selectors.get_version = get_version
offer.get_version = get_version

from loket.wsgi import application  # noqa: E402

__all__ = ["application"]
