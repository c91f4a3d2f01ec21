"""The limit on sign-ins: the staff console (and the admin, through `backends`) and the account
sign-in standing in for SPSE (`loket.directory.services.sign_in_account`).

Why not django-axes: axes checks whether a key is locked before the password check and counts the
failure after it, in separate statements, so parallel wrong passwords all pass the check (the
race this module exists to close), and its per-address and per-user-and-address counts share one
failure limit, where an office behind one address needs a higher per-address one. The account
sign-in already kept its attempts as `SignInAttempt` rows; both sign-ins now share them (the
console's rows carry the unit `CONSOLE`) and this one mechanism.

How an attempt goes (`begin_sign_in`): in one transaction, under a lock per (unit, user ID,
address) and per address (`limits.lock_keys`), the attempt's row is written first as a failure
(so attempts still in flight count), then the earlier rows are counted. Refused: the row becomes
`blocked` (it does not count) and no password is checked, so a refused attempt costs no password
hash. Allowed: the caller checks the password and calls `succeeded()` or leaves it a failure.

The limits (settings, docs/operations.md):

- per unit + user ID + address: after `LOKET_SIGN_IN_LIMIT` (5) failures since the last
  successful sign-in (from that address, within a day) attempts are refused for
  `LOKET_SIGN_IN_LOCKOUT_MINUTES` (15); each further 5 failures double it (30, 60, ... up to
  64 times, 16 hours). Someone guessing from another address fills their own count, never the
  holder's, so they cannot lock the holder out.
- per address, higher because an office shares one: `LOKET_SIGN_IN_LIMIT_PER_ADDRESS` (20)
  failures within `LOKET_SIGN_IN_WINDOW_MINUTES` (15) refuse every account from that address for
  the lockout (not doubled: the whole office waits).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from loket.directory.models import SignInAttempt

from .limits import KEEP, Refused, lock_keys

CONSOLE = "(konsol)"  # the unit of the staff console's rows: no unit's kode has parentheses
MAX_DOUBLINGS = 6


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOKET_SIGN_IN_WINDOW_MINUTES)


def lockout() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOKET_SIGN_IN_LOCKOUT_MINUTES)


def refused_message(refused: Refused) -> str:
    minutes = refused.minutes
    return ngettext(
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam %(m)s menit.",
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam %(m)s menit.",
        minutes,
    ) % {"m": minutes}


@dataclass
class SignInTicket:
    """An attempt allowed to check its password; it counts as a failure unless it succeeds."""

    attempt: SignInAttempt

    def succeeded(self) -> None:
        self.attempt.outcome = SignInAttempt.Outcome.OK
        self.attempt.save(update_fields=["outcome"])


def _holder_blocked_until(mine: QuerySet[SignInAttempt], now: dt.datetime) -> dt.datetime | None:
    """Progressive: every LOKET_SIGN_IN_LIMIT-th failure since the last success starts a lockout
    from that failure, twice as long as the one before."""
    limit = settings.LOKET_SIGN_IN_LIMIT
    last_ok = mine.filter(outcome=SignInAttempt.Outcome.OK).order_by("-at").values_list("at", flat=True).first()
    failures = mine.filter(outcome=SignInAttempt.Outcome.FAILED, at__gte=now - KEEP)
    if last_ok is not None:
        failures = failures.filter(at__gt=last_ok)
    times = list(failures.order_by("-at").values_list("at", flat=True))
    if len(times) < limit or len(times) % limit:
        return None
    until: dt.datetime = times[0] + lockout() * 2 ** min(len(times) // limit - 1, MAX_DOUBLINGS)
    return until if until > now else None


def _address_blocked_until(failures: QuerySet[SignInAttempt], now: dt.datetime) -> dt.datetime | None:
    """When the newest LOKET_SIGN_IN_LIMIT_PER_ADDRESS failures all fell within the window, refused
    until the lockout after the newest of them."""
    limit = settings.LOKET_SIGN_IN_LIMIT_PER_ADDRESS
    times = list(
        failures.filter(at__gte=now - window() - lockout()).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(times) < limit or times[0] - times[-1] > window():
        return None
    until: dt.datetime = times[0] + lockout()
    return until if until > now else None


def begin_sign_in(*, unit_kode: str, user_id: str, ip: str | None) -> SignInTicket | Refused:
    """Count one sign-in attempt (see the module's docstring)."""
    now = timezone.now()
    ip = ip or None
    record = {"unit_kode": unit_kode[:40], "user_id": user_id.strip().casefold()[:80], "ip": ip}
    with transaction.atomic():
        SignInAttempt.objects.filter(at__lt=now - KEEP).delete()
        lock_keys([f"signin:{record['unit_kode']}:{record['user_id']}:{ip}", f"signin-address:{ip}"])
        attempt = SignInAttempt.objects.create(outcome=SignInAttempt.Outcome.FAILED, at=now, **record)
        earlier = SignInAttempt.objects.exclude(pk=attempt.pk)
        mine = earlier.filter(unit_kode=record["unit_kode"], user_id=record["user_id"])
        mine = mine.filter(ip=ip) if ip else mine.filter(ip__isnull=True)
        found = [_holder_blocked_until(mine, now)]
        if ip:
            found.append(_address_blocked_until(earlier.filter(ip=ip, outcome=SignInAttempt.Outcome.FAILED), now))
        until = max((u for u in found if u is not None), default=None)
        if until is not None:
            attempt.outcome = SignInAttempt.Outcome.BLOCKED
            attempt.save(update_fields=["outcome"])
            return Refused(seconds=max(1, math.ceil((until - now).total_seconds())))
    return SignInTicket(attempt)
