"""Writing staff: giving a user a role in a unit (creating the user when new) and API tokens.

Callers: `loket staff ...` and `loket token ...` (CLI), the admin (token revocation) and the API
(`authenticate_token`). Each write is one transaction with its audit entry; no secret (password,
token) is ever written to the audit trail or stored in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.catalog.models import UnitLane
from loket.directory.models import Agency
from loket.units.models import Unit

from .errors import StaffError
from .models import ApiToken, StaffProfile, StaffRole

__all__ = [
    "StaffError",
    "add_staff_role",
    "authenticate_token",
    "create_api_token",
    "revoke_api_token",
    "set_staff_nip",
]

# A token reads "lkt_" + 40 URL-safe characters; its first 12 characters are kept as its prefix,
# which is how an operator names it (`loket token revoke lkt_AbCdEfGh`) without knowing it.
TOKEN_MARK = "lkt_"
PREFIX_LENGTH = 12
# last_used_at is written at most this often per token, so a busy client does not write per call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class RoleAdded:
    role: StaffRole
    user_created: bool


def password_problems(*, username: str, password: str) -> list[str]:
    """What Django's password validators say about `password` for a user named `username`."""
    try:
        validate_password(password, user=get_user_model()(username=username))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def known_role(name: str, unit: Unit) -> UnitLane:
    """The unit's staff lane named `name` (case and extra spaces forgiven): a staff lane of one of
    its installed SOPs. StaffError, listing the unit's lanes, if it has no such lane."""
    wanted = " ".join(name.split()).casefold()
    lanes = list(UnitLane.objects.filter(unit=unit).order_by("name"))
    for lane in lanes:
        if lane.name.casefold() == wanted:
            return lane
    if not lanes:
        raise StaffError(
            _(
                "Peran %(role)s tidak dikenal: unit %(kode)s belum punya SOP terpasang, jadi belum punya peran "
                "petugas. Pasang SOP-nya dulu dengan `loket sop install`."
            )
            % {"role": name, "kode": unit.kode}
        )
    raise StaffError(
        _("Peran %(role)s tidak dikenal di unit %(kode)s. Pilih salah satu: %(roles)s.")
        % {"role": name, "kode": unit.kode, "roles": ", ".join(lane.name for lane in lanes)}
    )


@transaction.atomic
def add_staff_role(
    *,
    actor: Any,
    username: str,
    unit: str,
    role: str,
    agency: str | None = None,
    create_agency: bool = False,
    password: str | None = None,
    admin: bool = False,
    nip: str | None = None,
) -> RoleAdded:
    """Give `username` the staff `role` in the unit whose kode is `unit`.

    Effects, in order: the agency created when `create_agency` and it does not exist yet (audit
    `directory.agency_created`); the user created when missing, with `password` checked by
    Django's validators and `is_staff` only when `admin` (audit `staff.user_created`); an existing
    user given `admin` made `is_staff`, their password left as it is; the StaffRole row written
    (audit `staff.role_added`). Raises StaffError, with nothing written, when the unit or role is
    unknown, the agency is missing, wrong or not allowed for the role, the password is missing or
    weak, or the user already holds this role. With `nip`, the user's NIP is then set as
    `set_staff_nip` does (a wrong NIP is refused before anything is written).
    """
    if nip is not None:
        _checked_nip(nip)
    unit_row = Unit.objects.filter(kode=unit).first()
    if unit_row is None:
        raise StaffError(_("Unit %(kode)s tidak dikenal; lihat `loket unit list`.") % {"kode": unit})
    lane = known_role(role, unit_row)
    role = lane.name
    agency_row = _agency_for(unit_row, lane, agency, create_agency=create_agency, actor=actor)

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        if not password:
            raise StaffError(_("Pengguna %(u)s belum ada: berikan password untuknya.") % {"u": username})
        problems = password_problems(username=username, password=password)
        if problems:
            raise StaffError(_("Password ditolak: %(why)s") % {"why": " ".join(problems)})
        user = User(username=username, is_staff=admin)
        user.set_password(password)
        try:
            user.full_clean()
        except ValidationError as exc:
            raise StaffError(" ".join(exc.messages)) from exc
        user.save()
        log_action("staff.user_created", actor=actor, username=username, admin=admin)
    elif admin and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        log_action("staff.admin_granted", actor=actor, username=username)

    if StaffRole.objects.filter(user=user, unit=unit_row, role=role, agency=agency_row).exists():
        raise StaffError(
            _("%(u)s sudah berperan %(role)s di unit %(kode)s%(scope)s.")
            % {
                "u": username,
                "role": role,
                "kode": unit_row.kode,
                "scope": f" ({agency_row.name})" if agency_row else "",
            }
        )
    staff_role = StaffRole(user=user, unit=unit_row, role=role, agency=agency_row)
    staff_role.full_clean()
    staff_role.save()
    log_action(
        "staff.role_added",
        actor=actor,
        username=username,
        unit=unit_row.kode,
        role=role,
        agency=agency_row.name if agency_row else None,
    )
    if nip is not None:
        set_staff_nip(actor=actor, username=username, nip=nip)
    return RoleAdded(role=staff_role, user_created=created)


def _checked_nip(nip: str) -> str:
    from loket.directory.nip import nip_problems, normalise_nip

    value = normalise_nip(nip)
    problems = nip_problems(value, strict=False) if value else []
    if problems:
        raise StaffError(_("NIP ditolak: %(why)s") % {"why": " ".join(problems)})
    return value


@transaction.atomic
def set_staff_nip(*, actor: Any, username: str, nip: str) -> StaffProfile:
    """Set (or with "" clear) the NIP of staff member `username`, printed beside their name on
    archive records. Spaces are dropped ("19720528 200502 1 001").

    Effects: the StaffProfile row written (created when missing); audit `staff.nip_set` (nothing
    when it is unchanged). Raises StaffError, writing nothing, for an unknown user or a NIP that
    is not 18 digits of a NIP's shape (loket.directory.nip, PPPK numbers accepted).
    """
    value = _checked_nip(nip)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise StaffError(_("Pengguna %(u)s tidak dikenal.") % {"u": username})
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    if profile.nip != value:
        profile.nip = value
        profile.save(update_fields=["nip"])
        log_action("staff.nip_set", actor=actor, username=username, nip=value)
    return profile


def _agency_for(unit: Unit, lane: UnitLane, name: str | None, *, create_agency: bool, actor: Any) -> Agency | None:
    if not lane.agency_scoped:
        if name:
            scoped = list(UnitLane.objects.filter(unit=unit, agency_scoped=True).values_list("name", flat=True))
            raise StaffError(
                _("Instansi hanya disebut untuk peran %(roles)s.") % {"roles": ", ".join(scoped)}
                if scoped
                else _("Peran %(role)s berlaku untuk seluruh unit; unit %(kode)s tidak punya peran per instansi.")
                % {"role": lane.name, "kode": unit.kode}
            )
        return None
    if not name:
        raise StaffError(_("Peran %(role)s wajib menyebut instansinya (--agency).") % {"role": lane.name})
    agency = Agency.objects.filter(unit=unit, name=name).first()
    if agency is None:
        if not create_agency:
            known = list(Agency.objects.filter(unit=unit).values_list("name", flat=True))
            hint = (
                _("Instansi yang terdaftar: %(names)s.") % {"names": ", ".join(known)}
                if known
                else _("Unit ini belum punya instansi terdaftar.")
            )
            raise StaffError(
                _(
                    "Instansi %(name)s belum terdaftar di unit %(kode)s. %(hint)s Tambahkan --create-agency untuk mendaftarkannya."
                )
                % {"name": name, "kode": unit.kode, "hint": hint}
            )
        agency = Agency(unit=unit, name=name)
        agency.full_clean()
        agency.save()
        log_action("directory.agency_created", actor=actor, unit=unit.kode, agency=name)
    return agency


# --- API tokens ---------------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def create_api_token(*, actor: Any, user: Any) -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the token, which exists nowhere else.

    Effects: an ApiToken row with the token's SHA-256 and its prefix; audit `token.created` (with
    the prefix only). Raises StaffError for an inactive user.
    """
    if not user.is_active:
        raise StaffError(_("Pengguna %(u)s tidak aktif.") % {"u": user.get_username()})
    raw = TOKEN_MARK + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(user=user, prefix=raw[:PREFIX_LENGTH], digest=token_digest(raw))
    log_action("token.created", actor=actor, username=user.get_username(), prefix=token.prefix)
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: Any, token_id: int) -> ApiToken:
    """Revoke one token. Effects: revoked_at set and audit `token.revoked`, unless it was already
    revoked (then nothing is written). Raises ApiToken.DoesNotExist for an unknown id."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action("token.revoked", actor=actor, username=token.user.get_username(), prefix=token.prefix)
    return token


def authenticate_token(raw: str) -> Any | None:
    """The active user a live token belongs to, or None. Records when the token was last used,
    at most once a minute (a conditional UPDATE, so concurrent calls write at most once)."""
    if not raw or not raw.startswith(TOKEN_MARK) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
