"""The health of a running Loket, for the reverse proxy and a monitor: `GET /ops/health/` and
`loket health` both call `check_health`.

Three checks, three queries in all:
- database: `SELECT 1` answers (else the status is "down" and nothing else is asked);
- worker: the newest heartbeat (`loket.operations.jobs.heartbeat`, a periodic job every worker
  sweep runs) is younger than LOKET_HEALTH_WORKER_MAX_AGE seconds;
- mail: the oldest mail still waiting in the outbox (pending or being sent) is younger than
  LOKET_HEALTH_MAIL_MAX_AGE seconds.
"ok" when all hold, "degraded" when the database answers but the worker or the mail does not,
"down" when the database does not. The answer holds no secret and no personal data: times,
ages and counts only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

# Defaults; the settings LOKET_HEALTH_WORKER_MAX_AGE and LOKET_HEALTH_MAIL_MAX_AGE override them.
# The worker sweeps every 60 s by default, so 300 s is five missed sweeps.
WORKER_MAX_AGE = 300
MAIL_MAX_AGE = 900

Status = Literal["ok", "degraded", "down"]


def worker_max_age() -> int:
    return int(getattr(settings, "LOKET_HEALTH_WORKER_MAX_AGE", WORKER_MAX_AGE))


def mail_max_age() -> int:
    return int(getattr(settings, "LOKET_HEALTH_MAIL_MAX_AGE", MAIL_MAX_AGE))


@dataclass
class Health:
    status: Status
    database: dict[str, Any]
    worker: dict[str, Any] | None = None
    mail: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def http_status(self) -> int:
        return 200 if self.ok else 503

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "database": self.database,
            "worker": self.worker,
            "mail": self.mail,
            "problems": self.problems,
        }


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else round(max((now - then).total_seconds(), 0.0), 1)


def check_health(*, now: datetime | None = None) -> Health:
    """The three checks (see the module's docstring). Reads only; changes nothing."""
    from loket.notify.models import OutboxMessage

    from .models import Heartbeat

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Health(
            status="down",
            database={"ok": False, "vendor": connection.vendor},
            problems=[_("Basis data tidak menjawab.")],
        )
    database = {
        "ok": True,
        "vendor": connection.vendor,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    now = now or timezone.now()
    problems: list[str] = []
    try:
        worker_limit = worker_max_age()
        beat = Heartbeat.objects.aggregate(
            last=Max("seen_at"), recent=Count("id", filter=Q(seen_at__gte=now - timedelta(seconds=worker_limit)))
        )
        waiting = [OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
        mail = OutboxMessage.objects.filter(status__in=waiting).aggregate(oldest=Min("created_at"), pending=Count("id"))
    except DatabaseError as exc:
        # It answers, but the tables are not there or not readable (e.g. `loket migrate` not run).
        return Health(
            status="down",
            database={**database, "ok": False},
            problems=[
                _("Basis data menjawab, tetapi tabelnya tidak terbaca (%(error)s): jalankan `loket migrate`.")
                % {"error": type(exc).__name__}
            ],
        )
    worker_age = _age(now, beat["last"])
    worker = {
        "last_seen": beat["last"].isoformat() if beat["last"] else None,
        "age_s": worker_age,
        "max_age_s": worker_limit,
        "processes": beat["recent"],
    }
    if worker_age is None:
        problems.append(_("Pekerja belum pernah terlihat (jalankan `loket worker`)."))
    elif worker_age > worker_limit:
        problems.append(
            _("Pekerja terakhir terlihat %(age)d detik lalu (batas %(limit)d detik).")
            % {"age": worker_age, "limit": worker_limit}
        )
    mail_age = _age(now, mail["oldest"])
    mail_limit = mail_max_age()
    mail_out = {"oldest_pending_age_s": mail_age, "pending": mail["pending"], "max_age_s": mail_limit}
    if mail_age is not None and mail_age > mail_limit:
        problems.append(
            _("E-mail tertua di kotak keluar sudah menunggu %(age)d detik (batas %(limit)d detik).")
            % {"age": mail_age, "limit": mail_limit}
        )
    return Health(
        status="degraded" if problems else "ok", database=database, worker=worker, mail=mail_out, problems=problems
    )
