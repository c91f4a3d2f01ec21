"""The roles of SPSE accounts, from the data file `account_roles.yaml` beside this module: which
roles an account may have, and which of them require a NIP. Read once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from loket.sop.load import read_yaml

ROLES_FILE = Path(__file__).resolve().parent / "account_roles.yaml"


@functools.cache
def _rows() -> tuple[tuple[str, bool], ...]:
    return tuple((row["peran"], bool(row.get("nip_wajib", False))) for row in read_yaml(ROLES_FILE.read_text("utf-8")))


def account_roles() -> list[str]:
    """Every role an account may have, in the file's order."""
    return [name for name, _nip in _rows()]


def nip_required_roles() -> frozenset[str]:
    """The roles whose accounts must carry a NIP."""
    return frozenset(name for name, nip in _rows() if nip)


def role_choices() -> list[tuple[str, str]]:
    """The roles as form choices (evaluated when the form is built)."""
    return [(name, name) for name in account_roles()]
