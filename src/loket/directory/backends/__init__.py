"""Directory backends: `get_backend()` gives the one `LOKET_DIRECTORY_BACKEND` names (a dotted
path to a `DirectoryBackend` subclass; the local one by default)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import DirectoryBackend

DEFAULT_BACKEND = "loket.directory.backends.local.LocalBackend"


def get_backend() -> DirectoryBackend:
    """An instance of the configured directory backend (read on every call, so tests and
    `override_settings` see the current setting)."""
    path = getattr(settings, "LOKET_DIRECTORY_BACKEND", DEFAULT_BACKEND)
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"LOKET_DIRECTORY_BACKEND: cannot import {path!r}") from exc
    if not (isinstance(cls, type) and issubclass(cls, DirectoryBackend)):
        raise ImproperlyConfigured(f"LOKET_DIRECTORY_BACKEND: {path!r} is not a DirectoryBackend")
    return cls()


__all__ = ["DEFAULT_BACKEND", "DirectoryBackend", "get_backend"]
