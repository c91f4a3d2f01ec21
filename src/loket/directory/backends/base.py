"""The directory interface: what Loket asks of the store that holds SPSE accounts.

`Account` rows are Loket's own record of each account. The local backend keeps everything there;
a backend over an external directory (LDAP) would read and write that directory and keep the
`Account` row as its mirror (the fields staff compare with a request), so callers always get an
`Account` back. Passwords never leave a backend except as the temporary one `reset_password`
returns, which the caller hands to a one-time link and forgets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loket.directory.models import Account, Agency
    from loket.units.models import Unit


class DirectoryBackend(ABC):
    """One store of SPSE accounts. Implementations must be safe to call inside a transaction.

    `by_hand`: Loket cannot change passwords in this store; a staff member sets the temporary
    password there themselves and gives it to Loket to deliver (the assisted directory)."""

    by_hand: bool = False

    @abstractmethod
    def find(self, *, unit: Unit, user_id: str | None = None, nip: str | None = None) -> Account | None:
        """The account of `unit` with this user ID or, failing that, this NIP; None when there is
        none or the NIP alone matches more than one account (staff then choose)."""

    @abstractmethod
    def look_up_user_id(self, account: Account) -> str:
        """The user ID the holder signs in with, as the directory spells it."""

    @abstractmethod
    def reset_password(self, account: Account, *, password: str | None = None) -> str:
        """Give the account a new temporary password that must be changed at next sign-in, and
        return it (the only time it is seen in clear): a random one, or `password` where staff
        set it by hand (`by_hand` backends require it)."""

    def activate_password(self, account: Account, password: str) -> bool:
        """The holder has just revealed `password`, the temporary one `reset_password` returned
        (the account is locked by the caller): make it the one their next sign-in takes. False
        when it is no longer theirs to take (a password was set since the reset). A no-op where
        the password lives in another store (set there by hand)."""
        return True

    @abstractmethod
    def check_password(self, account: Account, raw: str) -> bool:
        """Whether `raw` is the account's current password (inactive accounts included; the caller
        decides what an inactive account may do)."""

    @abstractmethod
    def set_password(self, account: Account, raw: str) -> None:
        """Set the password the holder chose; clears the must-change flag."""

    @abstractmethod
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
        """Create an account with no usable password (it gets one through `reset_password`) that
        must change its password at first sign-in. `active=False` when activation waits, e.g. on
        training (the registration of a new account)."""

    @abstractmethod
    def activate(self, account: Account) -> None:
        """Let the account sign in."""
