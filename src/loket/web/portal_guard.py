"""The portal's guard against a double submit: one-time tokens of the request forms a browser was
shown, kept in its server-side session with the case each used token made, and a row lock on the
session while a submit is handled.

A double click sends the same form twice at once; without the lock both requests would read the
token as unused and make two cases. With it the second waits, then finds the token used and is
answered with the receipt of the first.
"""

from __future__ import annotations

import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from loket.cases.models import Case

SESSION_TOKENS = "portal.form_tokens"  # one-time tokens of the request forms shown, oldest first
SESSION_SUBMITTED = "portal.submitted"  # digest of a used token -> id of the case it made
KEEP_TOKENS = 20  # forms open in other tabs stay usable; older tokens are forgotten

DB_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def new_form_token(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(24)
    request.session[SESSION_TOKENS] = [*request.session.get(SESSION_TOKENS, [])[-(KEEP_TOKENS - 1) :], token]
    return token


def _token_digest(token: str) -> str:
    return salted_hmac("loket.portal.form-token", token).hexdigest()


def case_of_token(request: HttpRequest, token: str) -> int | None:
    if not token:
        return None
    made = request.session.get(SESSION_SUBMITTED, {}).get(_token_digest(token))
    return int(made) if made is not None else None


def consume_form_token(request: HttpRequest, token: str, case: Case) -> None:
    request.session[SESSION_TOKENS] = [t for t in request.session.get(SESSION_TOKENS, []) if t != token]
    submitted = dict(list(request.session.get(SESSION_SUBMITTED, {}).items())[-(KEEP_TOKENS - 1) :])
    submitted[_token_digest(token)] = case.pk
    request.session[SESSION_SUBMITTED] = submitted


def hold_session(request: HttpRequest) -> None:
    """Lock this browser's session row until the transaction ends, then read the session again.

    A double click sends the same form twice at once; without the lock both requests would read
    the token as unused and make two cases. With it the second waits, then finds the token used.
    Only sessions kept in the database (Django's default) can be locked this way."""
    key = request.session.session_key
    if key is None or settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        return
    list(Session.objects.select_for_update().filter(session_key=key).values_list("session_key", flat=True))
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def is_open_token(request: HttpRequest, token: str) -> bool:
    """Whether `token` is one of this browser's forms that has not been submitted yet."""
    return token in request.session.get(SESSION_TOKENS, [])
