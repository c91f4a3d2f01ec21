"""Staff authentication for the API: `Authorization: Bearer <token>` checked against the
staff's API tokens (`loket.staff.services.authenticate_token`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from loket.staff.services import authenticate_token


class StaffToken(HttpBearer):
    """The user the token belongs to, or None (ninja then answers 401)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authenticate_token(token)


def staff_user(request: HttpRequest) -> Any:
    """The user ninja's authentication put on the request."""
    return request.auth  # type: ignore[attr-defined]
