"""Directory backends.

Each unit chooses where its accounts live (`Unit.direktori`): in Loket's own database
(`lokal`, the default, with `LOKET_DIRECTORY_BACKEND` naming the class: a dotted path to a
`DirectoryBackend` subclass), or in SPSE, where staff reset passwords by hand and Loket delivers
them (`spse`, the assisted directory). `backend_for(unit)` gives the unit's backend;
`get_backend()` the configured local one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .assisted import AssistedBackend
from .base import DirectoryBackend

DEFAULT_BACKEND = "loket.directory.backends.local.LocalBackend"
ASSISTED = "spse"  # Unit.direktori of a unit whose accounts live in SPSE


def get_backend() -> DirectoryBackend:
    """An instance of the configured local directory backend (read on every call, so tests and
    `override_settings` see the current setting)."""
    path = getattr(settings, "LOKET_DIRECTORY_BACKEND", DEFAULT_BACKEND)
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"LOKET_DIRECTORY_BACKEND: cannot import {path!r}") from exc
    if not (isinstance(cls, type) and issubclass(cls, DirectoryBackend)):
        raise ImproperlyConfigured(f"LOKET_DIRECTORY_BACKEND: {path!r} is not a DirectoryBackend")
    return cls()


def backend_for(unit: Any) -> DirectoryBackend:
    """The directory backend of `unit` (anything with `direktori`)."""
    if getattr(unit, "direktori", "") == ASSISTED:
        return AssistedBackend()
    return get_backend()


__all__ = ["ASSISTED", "DEFAULT_BACKEND", "AssistedBackend", "DirectoryBackend", "backend_for", "get_backend"]
