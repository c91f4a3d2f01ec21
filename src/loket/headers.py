"""What every request and response gets beside Django's own security middleware: the
Permissions-Policy header (which browser features pages may use; none of Loket's pages uses any),
and sessions that end after their idle time rather than a fixed time after sign-in. The
Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.LOKET_PERMISSIONS_POLICY)
        return response


class SessionIdleMiddleware:
    """Keeps a session in use alive: its expiry (SESSION_COOKIE_AGE) counts from its last write,
    so a session is rewritten when it is used and its last write is older than
    LOKET_SESSION_REFRESH_SECONDS. An idle session then ends SESSION_COOKIE_AGE after its last use,
    with at most one extra write per session every few minutes (not one per request)."""

    KEY = "loket.seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= settings.LOKET_SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)
