"""The default directory: accounts kept in Loket's own database (the `Account` model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.db.models.functions import Lower
from django.utils import timezone

from loket.directory.hashers import TemporaryArgon2PasswordHasher
from loket.directory.models import Account
from loket.directory.nip import normalise_nip
from loket.directory.passwords import generate_temporary_password

from .base import DirectoryBackend

if TYPE_CHECKING:
    from loket.directory.models import Agency
    from loket.units.models import Unit


def account_by_user_id(unit: Unit, user_id: str) -> Account | None:
    """The account of `unit` with this user ID: spelled exactly, or else the one that matches
    ignoring case (people do not remember the case of their user ID)."""
    user_id = user_id.strip()
    if not user_id:
        return None
    # One look-up on the (unit, lower(user_id)) index; user IDs differing only in case are rare
    # and each is its own account, so the exact spelling wins and an unclear one finds none.
    found = list(
        Account.objects.annotate(user_id_lower=Lower("user_id"))
        .filter(unit=unit, user_id_lower=user_id.lower())
        .select_related("agency", "unit")
        .order_by("pk")[:20]
    )
    exact = [a for a in found if a.user_id == user_id]
    if exact:
        return exact[0]
    return found[0] if len(found) == 1 else None


class LocalBackend(DirectoryBackend):
    def find(self, *, unit: Unit, user_id: str | None = None, nip: str | None = None) -> Account | None:
        if user_id and (account := account_by_user_id(unit, user_id)) is not None:
            return account
        nip = normalise_nip(nip or "")
        if nip:
            matches = list(Account.objects.filter(unit=unit, nip=nip).select_related("agency", "unit")[:2])
            if len(matches) == 1:
                return matches[0]
        return None

    def look_up_user_id(self, account: Account) -> str:
        return account.user_id

    def reset_password(self, account: Account, *, password: str | None = None) -> str:
        password = password or generate_temporary_password()
        # The old password stops working now; the new one is hashed when its holder reveals it
        # (activate_password). Until then nobody can know it (it exists only sealed behind the
        # link's token), so it need not work yet, and the staff member's decision does not wait
        # for argon2 (docs/directory.md, "Kapan password sementara di-hash").
        account.password = make_password(None)
        account.must_change_password = True
        account.save(update_fields=["password", "must_change_password", "updated_at"])
        return password

    def activate_password(self, account: Account, password: str) -> bool:
        if not account.must_change_password or is_password_usable(account.password):
            return False  # a password was set after the reset: the link's is stale
        account.password = make_password(password, hasher=TemporaryArgon2PasswordHasher())
        account.save(update_fields=["password", "updated_at"])
        return True

    def check_password(self, account: Account, raw: str) -> bool:
        return bool(raw) and check_password(raw, account.password)

    def set_password(self, account: Account, raw: str) -> None:
        account.password = make_password(raw)
        account.must_change_password = False
        account.password_changed_at = timezone.now()
        account.save(update_fields=["password", "must_change_password", "password_changed_at", "updated_at"])

    def create(
        self,
        *,
        unit: Unit,
        user_id: str,
        name: str,
        email: str,
        role: str,
        agency: Agency,
        nip: str = "",
        phone: str = "",
        satker: str = "",
        sk_number: str = "",
        active: bool = True,
    ) -> Account:
        return Account.objects.create(
            unit=unit,
            user_id=user_id.strip(),
            name=name.strip(),
            email=email.strip(),
            role=role,
            agency=agency,
            nip=normalise_nip(nip),
            phone=phone.strip(),
            satker=satker.strip(),
            sk_number=sk_number.strip(),
            is_active=active,
            must_change_password=True,
            password=make_password(None),  # unusable until a reset gives it a temporary password
        )

    def activate(self, account: Account) -> None:
        if not account.is_active:
            account.is_active = True
            account.save(update_fields=["is_active", "updated_at"])
