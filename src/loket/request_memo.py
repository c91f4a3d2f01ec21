"""What one request reads alike in several places, read once for that request.

The console's navigation asks three questions of the same unit on every page (does the user work
its counter, open its mail, plan its training?), and each answer reads the unit's newest SOPs
and staff lanes: `memo` keeps such a read for the rest of the request. It keeps nothing outside a
request (a worker, a command, a test calling a selector directly), so nothing there can go
stale, and a request that changes what was kept (an SOP installed, a unit's lanes saved) drops
it with `forget`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from asgiref.local import Local
from django.core.signals import request_finished, request_started

T = TypeVar("T")

_state = Local()


def memo(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per request for `key`; every time outside a request."""
    kept: dict[Hashable, Any] | None = getattr(_state, "kept", None)
    if kept is None:
        return read()
    if key not in kept:
        kept[key] = read()
    return kept[key]  # type: ignore[no-any-return]


def forget(*_args: Any, **_kwargs: Any) -> None:
    """Drop what this request kept (a signal receiver too)."""
    kept = getattr(_state, "kept", None)
    if kept is not None:
        kept.clear()


def _open(**_kwargs: Any) -> None:
    _state.kept = {}


def _close(**_kwargs: Any) -> None:
    _state.kept = None


request_started.connect(_open, dispatch_uid="loket.request_memo.open")
request_finished.connect(_close, dispatch_uid="loket.request_memo.close")
