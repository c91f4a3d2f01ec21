"""The client address of a request: one function, `client_address`, for every limit (portal,
API, sign-ins) and every record of an address.

`X-Forwarded-For` is whatever the client sent, except the entries that proxies of our own
appended. With `LOKET_TRUSTED_PROXIES = N` (0 by default) the address is the Nth entry from the
right of `X-Forwarded-For` (the one the outermost trusted proxy saw), or its leftmost entry when it
has fewer than N; with 0, or without the header, or when that entry is not an IP address, it is
`REMOTE_ADDR`. A client can prepend any entries it likes; it cannot change the ones our proxies
appended, so it cannot pick the address it is counted under.

`ClientAddressMiddleware` (first in MIDDLEWARE) resolves the address once per request and puts it
in `REMOTE_ADDR`, so code that reads `REMOTE_ADDR` sees the same address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

RESOLVED = "loket.client_address"


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def resolve_address(meta: dict[str, object], trusted_proxies: int) -> str:
    """The client address from a request's META, through `trusted_proxies` proxies."""
    peer = str(meta.get("REMOTE_ADDR") or "")
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if trusted_proxies <= 0 or not forwarded.strip():
        return peer
    entries = [entry.strip() for entry in forwarded.split(",")]
    chosen = entries[-min(trusted_proxies, len(entries))]
    return _ip(chosen) or peer


def client_address(request: HttpRequest) -> str:
    """The client's IP address (see the module's docstring); "" when there is none."""
    resolved = request.META.get(RESOLVED)
    if resolved is None:
        resolved = resolve_address(request.META, settings.LOKET_TRUSTED_PROXIES)
        request.META[RESOLVED] = resolved
    return str(resolved)


class ClientAddressMiddleware:
    """Resolves the client address once and puts it in REMOTE_ADDR."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if RESOLVED not in request.META:
            request.META["REMOTE_ADDR"] = client_address(request)
        return self.get_response(request)
