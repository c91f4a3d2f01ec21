"""The staff sign-in (console and admin) with the sign-in limit of `signin`: Django's
ModelBackend, asked only once `begin_sign_in` allows the attempt. A refused attempt checks no
password (no password hash is computed) and raises PermissionDenied, which ends
`authenticate()`; the refusal waits on the request for the console's form to show."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .address import client_address
from .limits import Refused
from .signin import CONSOLE, begin_sign_in

REFUSAL = "loket_sign_in_refused"


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_address(request) if request is not None else None
        ticket = begin_sign_in(unit_kode=CONSOLE, user_id=str(username), ip=ip)
        if isinstance(ticket, Refused):
            if request is not None:
                setattr(request, REFUSAL, ticket)
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            ticket.succeeded()
        return user


def refusal_of(request: HttpRequest | None) -> Refused | None:
    refused = getattr(request, REFUSAL, None)
    return refused if isinstance(refused, Refused) else None
