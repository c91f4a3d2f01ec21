"""Limiting wrong tracking codes in the portal.

Wrong codes are counted in the audit trail (action WRONG_CODE, keyed by a keyed hash of the
session and of the client address, never the address itself) and limited per session and per
address over RATE_WINDOW. The database, not a cache, holds the count because many web processes
on many machines share it (architecture.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from loket.audit.models import AuditEntry
from loket.audit.services import log_action

WRONG_CODE = "portal.tracking_code_refused"
RATE_WINDOW = dt.timedelta(minutes=15)
RATE_PER_SESSION = 10
# Higher per address: a whole office often reaches the internet through one address.
RATE_PER_ADDRESS = 30
RATE_MINUTES = int(RATE_WINDOW.total_seconds() // 60)


def _client_keys(request: HttpRequest) -> dict[str, str]:
    """Keyed hashes of the session and of the client address: enough to count, not to trace."""
    if request.session.session_key is None:
        request.session.create()
    return {
        "sesi": salted_hmac("loket.portal.session", request.session.session_key or "").hexdigest()[:24],
        "alamat": salted_hmac("loket.portal.address", _client_address(request)).hexdigest()[:24],
    }


def _client_address(request: HttpRequest) -> str:
    """The client's address. Behind the reverse proxy production runs (settings trust its
    X-Forwarded-Proto), the last X-Forwarded-For entry is the one the proxy saw; earlier ones
    are whatever the client sent."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def record_wrong_code(request: HttpRequest) -> None:
    log_action(WRONG_CODE, **_client_keys(request))


def too_many_wrong_codes(request: HttpRequest) -> bool:
    keys = _client_keys(request)
    recent = AuditEntry.objects.filter(action=WRONG_CODE, at__gte=timezone.now() - RATE_WINDOW)
    return (
        recent.filter(detail__sesi=keys["sesi"]).count() >= RATE_PER_SESSION
        or recent.filter(detail__alamat=keys["alamat"]).count() >= RATE_PER_ADDRESS
    )


def render_limited(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context = {**context, "limited": True, "rate_minutes": RATE_MINUTES}
    return render(request, template, context, status=429)
