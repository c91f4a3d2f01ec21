"""Reading staff: roles per unit, users by name, API tokens (for the CLI and the admin)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import StaffError
from .models import ApiToken, StaffRole
from .services import PREFIX_LENGTH, token_digest


def staff_roles(*, unit: str | None = None) -> QuerySet[StaffRole]:
    roles = StaffRole.objects.select_related("user", "unit", "agency").order_by("unit__kode", "user__username", "role")
    return roles.filter(unit__kode=unit) if unit else roles


def user_named(username: str) -> Any:
    """The user with that username; StaffError when there is none."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise StaffError(_("Pengguna %(u)s tidak ada; buat dulu dengan `loket staff add`.") % {"u": username})
    return user


def api_tokens(*, username: str | None = None) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    return tokens.filter(user__username=username) if username else tokens


def live_token_named(prefix: str) -> ApiToken:
    """The live token named by its prefix (as `loket token list` shows it) or by the whole token.
    StaffError when none matches or (prefixes are random, so hardly ever) two do."""
    prefix = prefix.strip()
    tokens = ApiToken.objects.filter(revoked_at=None)
    tokens = tokens.filter(digest=token_digest(prefix)) if len(prefix) > PREFIX_LENGTH else tokens.filter(prefix=prefix)
    live = list(tokens[:2])
    if not prefix or not live:
        raise StaffError(_("Tidak ada token aktif berawalan %(p)s; lihat `loket token list`.") % {"p": prefix})
    if len(live) > 1:
        raise StaffError(_("Dua token aktif berawalan %(p)s; cabut lewat admin.") % {"p": prefix})
    return live[0]


def user_exists(username: str) -> bool:
    return get_user_model().objects.filter(username=username).exists()
