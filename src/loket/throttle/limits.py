"""Counting attempts under limits, in the database, without a check-then-insert race.

`take(...)` counts one attempt under one or more limits at once (say: per session and per client
address). In one transaction it takes a lock per key, writes the attempt's `Hit` rows, then
counts the rows of each key in its window. When a limit is already full the attempt's rows are
deleted again (a refused attempt does not count) and `Refused` says how long to wait; otherwise
`Taken` holds the rows, which the caller may `release()` when the attempt turns out not to count
(the right tracking code, a sign-in that succeeded).

The lock: on PostgreSQL a transaction-scoped advisory lock per key (`pg_advisory_xact_lock`),
taken in a fixed order, so parallel attempts of one key count one after the other and exactly
`limit` of them pass. On SQLite every writing transaction holds the database's write lock (Loket
runs IMMEDIATE transactions), and the rows are written before they are counted, so the same
holds. The hashes are keyed with SECRET_KEY: the rows say how often, never who.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Hit

# Rows older than this are pruned; no window may be longer.
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts per key within `window`."""

    scope: str
    count: int
    window: dt.timedelta


@dataclass(frozen=True)
class Refused:
    """An attempt refused: the limit is full for `seconds` more."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


@dataclass
class Taken:
    """An attempt counted (its rows written)."""

    ids: list[int] = field(default_factory=list)

    def release(self) -> None:
        """The attempt does not count after all."""
        if self.ids:
            Hit.objects.filter(pk__in=self.ids).delete()
            self.ids = []


def hashed(scope: str, value: str) -> str:
    """A keyed hash of a session key or an address: enough to count, not to trace."""
    return salted_hmac("loket.throttle." + scope, value).hexdigest()[:32]


def lock_keys(names: Iterable[str]) -> None:
    """Lock each name until the current transaction ends (see the module's docstring)."""
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True) for name in names}
    )
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def take(*limits: tuple[Limit, str]) -> Taken | Refused:
    """Count one attempt under each (limit, raw key); a raw key of "" is skipped (no session)."""
    now = timezone.now()
    keyed = [(limit, hashed(limit.scope, raw)) for limit, raw in limits if raw]
    with transaction.atomic():
        Hit.objects.filter(at__lt=now - KEEP).delete()
        lock_keys(f"throttle:{limit.scope}:{key}" for limit, key in keyed)
        rows = [Hit.objects.create(scope=limit.scope, key=key, at=now) for limit, key in keyed]
        waits = []
        for (limit, key), row in zip(keyed, rows, strict=True):
            earlier = list(
                Hit.objects.filter(scope=limit.scope, key=key, at__gt=now - limit.window)
                .exclude(pk=row.pk)
                .order_by("-at")
                .values_list("at", flat=True)[: limit.count]
            )
            if len(earlier) >= limit.count:
                # Free again once the oldest of the newest `count` leaves the window.
                waits.append((earlier[-1] + limit.window - now).total_seconds())
        if waits:
            Hit.objects.filter(pk__in=[row.pk for row in rows]).delete()
            return Refused(seconds=max(1, math.ceil(max(waits))))
    return Taken(ids=[row.pk for row in rows])
