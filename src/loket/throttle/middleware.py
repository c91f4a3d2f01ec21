"""Throttles on the public operations, per client address and per session where there is one,
counted in the database (`limits.take`), refused with HTTP 429, a message in Indonesian and
`Retry-After` (seconds):

| operation | limit (settings) | what counts |
| --- | --- | --- |
| portal status, supply and withdraw forms (`web.portal_rate_limit`), `GET /api/v1/requests/{code}`, `POST /api/v1/requests/{code}/documents` | `lookup`: 10 per session, 30 per address in 15 minutes | a wrong tracking code |
| portal request form (POST), `POST /api/v1/requests` | `submit`: 10 per session, 30 per address in 60 minutes | a request handed in (a form with problems makes nothing and does not count) |

The portal and the API share each count: switching between them gains nothing. The operations
are matched here by URL name (the views stay as they are); the portal's tracking-code forms call
`portal_rate_limit`, which counts through `hold` and `count_held` below. An attempt is counted
before its view runs (so parallel attempts cannot pass a full limit) and released again after
the response unless the response shows it counts (a wrong code: 404; a request handed in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .address import client_address
from .limits import Limit, Refused, Taken, take

HELD = "_loket_throttle_held"
REFUSED = "_loket_throttle_refused"


def _limits(request: HttpRequest, kind: str) -> list[tuple[Limit, str]]:
    prefix = f"LOKET_{kind.upper()}"
    window = dt.timedelta(minutes=getattr(settings, f"{prefix}_WINDOW_MINUTES"))
    session = getattr(request, "session", None)
    session_key = (session.session_key if session is not None else None) or ""
    return [
        (Limit(f"{kind}.session", getattr(settings, f"{prefix}_LIMIT_PER_SESSION"), window), session_key),
        (Limit(f"{kind}.address", getattr(settings, f"{prefix}_LIMIT_PER_ADDRESS"), window), client_address(request)),
    ]


def lookup_limits(request: HttpRequest) -> list[tuple[Limit, str]]:
    return _limits(request, "lookup")


@dataclass
class Held:
    taken: Taken
    counts: Callable[[HttpResponse], bool]


def hold(request: HttpRequest, outcome: Taken | Refused, counts: Callable[[HttpResponse], bool]) -> bool:
    """Keep a counted attempt until the response, which decides through `counts` whether it stays
    counted. Returns whether the attempt was refused (then nothing is held)."""
    if isinstance(outcome, Refused):
        setattr(request, REFUSED, outcome)
        return True
    request.__dict__.setdefault(HELD, []).append(Held(outcome, counts))
    return False


def count_held(request: HttpRequest) -> None:
    """The attempts held for this request count whatever the response (a wrong code)."""
    for held in request.__dict__.get(HELD, []):
        held.counts = _always


def refusal(request: HttpRequest) -> Refused | None:
    refused = getattr(request, REFUSED, None)
    return refused if isinstance(refused, Refused) else None


def _always(response: HttpResponse) -> bool:
    return True


def _wrong_code(response: HttpResponse) -> bool:
    return response.status_code == 404


def _handed_in(response: HttpResponse) -> bool:
    """A request was made: the API's 201, the portal's redirect to the receipt (a form with
    problems answers 400 and makes nothing)."""
    return response.status_code in (201, 302)


# (method, URL name) -> (kind, whether the response means the attempt counts)
ROUTES: dict[tuple[str, str], tuple[str, Callable[[HttpResponse], bool]]] = {
    ("POST", "portal:form"): ("submit", _handed_in),
    ("POST", "api:submit_request"): ("submit", _handed_in),
    ("GET", "api:request_status"): ("lookup", _wrong_code),
    ("POST", "api:supply_documents"): ("lookup", _wrong_code),
}


def message(kind: str, refused: Refused) -> str:
    if kind == "submit":
        return _(
            "Terlalu banyak permohonan dikirim dari jaringan atau peramban ini dalam waktu singkat. "
            "Coba lagi dalam %(m)s menit. Bila kantor Anda perlu mengajukan banyak permohonan sekaligus, "
            "hubungi unit layanan."
        ) % {"m": refused.minutes}
    return _(
        "Terlalu banyak kode pelacakan yang salah dari jaringan atau peramban ini. "
        "Demi keamanan, coba lagi dalam %(m)s menit."
    ) % {"m": refused.minutes}


def refused_response(request: HttpRequest, kind: str, refused: Refused) -> HttpResponse:
    text = message(kind, refused)
    response: HttpResponse
    if request.resolver_match is not None and request.resolver_match.namespace == "api":
        response = JsonResponse({"detail": text, "problems": {}}, status=429)
    else:
        response = render(request, "throttle/limited.html", {"message": text}, status=429)
    response["Retry-After"] = str(refused.seconds)
    return response


class ThrottleMiddleware:
    """Last in MIDDLEWARE (it needs the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for held in request.__dict__.pop(HELD, []):
            if not held.counts(response):
                held.taken.release()
        refused = refusal(request)
        if refused is not None and response.status_code == 429 and "Retry-After" not in response:
            response["Retry-After"] = str(refused.seconds)
        return response

    def process_view(
        self, request: HttpRequest, view_func: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        route = ROUTES.get((request.method or "", match.view_name)) if match is not None else None
        if route is None:
            return None
        kind, counts = route
        outcome = take(*_limits(request, kind))
        if hold(request, outcome, counts):
            assert isinstance(outcome, Refused)
            return refused_response(request, kind, outcome)
        return None
