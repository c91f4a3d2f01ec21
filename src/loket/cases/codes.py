"""Tracking codes (the requester's secret key to their case) and reference numbers.

A tracking code is 16 characters from an alphabet without look-alikes (80 bits), shown in groups
of four; only its SHA-256 is stored, so the database alone cannot open a case's status page.
The reference number (e.g. KALTIM-2026-000123) is public and counts per unit and year.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import connection

from .models import ReferenceCounter

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_tracking_code(code: str) -> str:
    """Accept what people type: lower case, spaces, missing dashes."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def tracking_digest(code: str) -> str:
    return hashlib.sha256(normalise_tracking_code(code).encode()).hexdigest()


def next_reference(*, unit, year: int) -> str:  # type: ignore[no-untyped-def]
    """The next reference number of `unit` in `year`, in one statement: an insert of the year's
    first number that adds one to the row already there (ON CONFLICT ... DO UPDATE ... RETURNING,
    in both databases). The counter row stays locked until the caller's transaction ends, so two
    requests of the same unit never get the same number and a rolled-back one gives its number
    back."""
    table = ReferenceCounter._meta.db_table
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {table} ({q('unit_id')}, {q('year')}, {q('last')}) VALUES (%s, %s, 1)"
        f" ON CONFLICT ({q('unit_id')}, {q('year')}) DO UPDATE SET {q('last')} = {table}.{q('last')} + 1"
        f" RETURNING {q('last')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.pk, year])
        (last,) = cursor.fetchone()
    return f"{unit.kode.upper()}-{year}-{last:06d}"
