"""Tracking codes (the requester's secret key to their case) and reference numbers.

A tracking code is 16 characters from an alphabet without look-alikes (80 bits), shown in groups
of four; only its SHA-256 is stored, so the database alone cannot open a case's status page.
The reference number (e.g. KALTIM-2026-000123) is public and counts per unit and year.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

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
    """The next reference number of `unit` in `year`; the counter row is locked until commit."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(unit=unit, year=year)
        counter = ReferenceCounter.objects.select_for_update().get(unit=unit, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{unit.kode.upper()}-{year}-{counter.last:06d}"
