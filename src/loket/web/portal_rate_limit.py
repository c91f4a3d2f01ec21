"""Limiting wrong tracking codes in the portal (status, supply and withdraw forms).

Each attempt with a code is counted before the code is looked up (`too_many_wrong_codes`), per
session and per client address (`loket.throttle.address.client_address`: X-Forwarded-For only
through LOKET_TRUSTED_PROXIES trusted proxies), in the database through `loket.throttle`, under a
lock, so parallel guesses cannot pass a full limit and every web process on every machine sees
the same count. The count is shared with the API's look-ups by tracking code. Once the view has
answered, the attempt is released again (`loket.throttle.middleware`) unless the code was wrong
(`record_wrong_code`). Limits: LOKET_LOOKUP_LIMIT_PER_SESSION (10) and
LOKET_LOOKUP_LIMIT_PER_ADDRESS (30; higher, as a whole office often reaches the internet through
one address) within LOKET_LOOKUP_WINDOW_MINUTES (15).

Every wrong code also writes an audit entry (action WRONG_CODE) with keyed hashes of the session
and of the address, never the address itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from loket.audit.services import log_action
from loket.throttle.address import client_address
from loket.throttle.limits import take
from loket.throttle.middleware import count_held, hold, lookup_limits, refusal

WRONG_CODE = "portal.tracking_code_refused"
RATE_MINUTES = settings.LOKET_LOOKUP_WINDOW_MINUTES


def _ensure_session(request: HttpRequest) -> None:
    if request.session.session_key is None:
        request.session.create()


def _audit_keys(request: HttpRequest) -> dict[str, str]:
    """Keyed hashes of the session and of the client address: enough to count, not to trace."""
    _ensure_session(request)
    return {
        "sesi": salted_hmac("loket.portal.session", request.session.session_key or "").hexdigest()[:24],
        "alamat": salted_hmac("loket.portal.address", client_address(request)).hexdigest()[:24],
    }


def too_many_wrong_codes(request: HttpRequest) -> bool:
    """Count this attempt with a tracking code; True when the limit is full (refuse it)."""
    _ensure_session(request)
    return hold(request, take(*lookup_limits(request)), counts=lambda response: False)


def record_wrong_code(request: HttpRequest) -> None:
    count_held(request)
    log_action(WRONG_CODE, **_audit_keys(request))


def render_limited(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    refused = refusal(request)
    minutes = refused.minutes if refused is not None else RATE_MINUTES
    response = render(request, template, {**context, "limited": True, "rate_minutes": minutes}, status=429)
    if refused is not None:
        response["Retry-After"] = str(refused.seconds)
    return response
