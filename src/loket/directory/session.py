"""The account holder's session on the SPSE stand-in pages, kept apart from Django's staff
sign-in: the account id under its own session key, with a fingerprint of the password hash so
that a password reset or change elsewhere ends every other session of the account."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode

from .models import Account

SESSION_ACCOUNT = "loket_account_id"
SESSION_HASH = "loket_account_hash"


def _fingerprint(account: Account) -> str:
    return salted_hmac("loket.directory.session", account.password).hexdigest()


def start_account_session(request: HttpRequest, account: Account) -> None:
    """Sign the account in: a new session key (no fixation), the account and its fingerprint."""
    request.session.cycle_key()
    request.session[SESSION_ACCOUNT] = account.pk
    request.session[SESSION_HASH] = _fingerprint(account)


def refresh_account_session(request: HttpRequest, account: Account) -> None:
    """Keep this session after the holder changed the password here."""
    request.session.cycle_key()
    request.session[SESSION_HASH] = _fingerprint(account)


def end_account_session(request: HttpRequest) -> None:
    """Sign the account out, leaving any staff sign-in of the same browser alone."""
    request.session.pop(SESSION_ACCOUNT, None)
    request.session.pop(SESSION_HASH, None)
    request.session.cycle_key()


def signed_in_account(request: HttpRequest) -> Account | None:
    """The account of this session, if it is still active and its password unchanged since."""
    pk = request.session.get(SESSION_ACCOUNT)
    if pk is None:
        return None
    account = Account.objects.select_related("unit", "agency").filter(pk=pk, is_active=True).first()
    if account is None or not constant_time_compare(request.session.get(SESSION_HASH, ""), _fingerprint(account)):
        end_account_session(request)
        return None
    return account


def account_required(
    *, allow_must_change: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Views for a signed-in account (as `request.account`). An account that must change its
    password is sent to the change page from every other page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            account = signed_in_account(request)
            if account is None:
                return redirect(f"{reverse('akun:masuk')}?{urlencode({'next': request.get_full_path()})}")
            if account.must_change_password and not allow_must_change:
                return redirect("akun:ganti_password")
            request.account = account  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
