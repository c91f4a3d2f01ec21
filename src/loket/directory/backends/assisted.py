"""The assisted directory: for units whose accounts live in SPSE / the central INAPROC account
service, which Loket cannot drive.

Loket keeps a mirror of the accounts (imported from an SPSE export with `loket accounts import`,
or recorded when staff type a user ID they read in SPSE) so that staff can compare a request with
the record and Loket knows where to deliver. The password itself is set by a staff member in SPSE
("melakukan reset password pada aplikasi SPSE"); Loket receives it once, seals it behind the
one-time link, and keeps no copy and no hash of it. Holders sign in at SPSE, never at Loket.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from loket.directory.models import Account

from .local import LocalBackend


class AssistedBackend(LocalBackend):
    by_hand = True

    def reset_password(self, account: Account, *, password: str | None = None) -> str:
        if not password:
            raise ValueError("an assisted directory needs the password staff set in SPSE")
        return password

    def activate_password(self, account: Account, password: str) -> bool:
        return True  # the password was set in SPSE by hand; Loket keeps no hash of it

    def check_password(self, account: Account, raw: str) -> bool:
        # The holder signs in at SPSE; Loket's stand-in sign-in knows no password of theirs.
        make_password(raw)  # the same time as a real check: no hint of which units are assisted
        return False

    def set_password(self, account: Account, raw: str) -> None:
        raise ValueError("passwords of an assisted directory are changed in SPSE")
