"""Periodic jobs of the operations app, run by `loket worker` (settings.LOKET_PERIODIC_JOBS)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.utils import timezone

from .models import Heartbeat

# A process's row not renewed for this long is removed (the worker was stopped or restarted).
PRUNE_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat() -> None:
    """Record that this worker process is alive: renew its Heartbeat row, prune stale ones.

    Effects: one upsert of this process's row (`seen_at` = now), one delete of the rows older
    than PRUNE_AFTER. The health endpoint reads the newest row."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=worker_name(), defaults={"seen_at": now})
    Heartbeat.objects.filter(seen_at__lt=now - PRUNE_AFTER).delete()
