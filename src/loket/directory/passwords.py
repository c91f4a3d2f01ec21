"""The SPSE password rule (at least 8 characters with lower case, upper case, digit and symbol)
and the temporary passwords Loket issues.

Django's password validators check other things (similarity, common passwords); the SPSE rule is
a composition rule they do not offer, so it is written here.
"""

from __future__ import annotations

import secrets
import string

from django.utils.translation import gettext as _

MIN_LENGTH = 8

# Characters a person can read off a screen and type without confusion (no 0/O/o, 1/l/I, 5/S,
# 2/Z, quotes or characters that break in mail or URLs).
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRTUVWXY"
_DIGITS = "346789"
_SYMBOLS = "!#$%*+-=?@"  # no & < > quotes: the password is shown in HTML and typed by hand


def _is_symbol(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace()


def password_problems(password: str) -> list[str]:
    """What the password lacks under the SPSE rule (empty when it meets it)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Password paling sedikit %(n)s karakter.") % {"n": MIN_LENGTH})
    if not any(ch.islower() for ch in password):
        problems.append(_("Password harus memuat huruf kecil."))
    if not any(ch.isupper() for ch in password):
        problems.append(_("Password harus memuat huruf besar."))
    if not any(ch in string.digits for ch in password):
        problems.append(_("Password harus memuat angka."))
    if not any(_is_symbol(ch) for ch in password):
        problems.append(_("Password harus memuat simbol, misalnya ! # $ % & * + - = ? @."))
    return problems


def generate_temporary_password(length: int = 12) -> str:
    """A random password that always meets the SPSE rule, made of unambiguous characters."""
    if length < MIN_LENGTH:
        raise ValueError(f"a temporary password needs at least {MIN_LENGTH} characters")
    rng = secrets.SystemRandom()
    chars = [secrets.choice(group) for group in (_LOWER, _UPPER, _DIGITS, _SYMBOLS)]
    pool = _LOWER + _UPPER + _DIGITS + _SYMBOLS
    chars += [secrets.choice(pool) for _n in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)
