"""Writing units: from the built-in units file, or one at a time."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from loket.sop.load import read_yaml

from .models import Unit

UNITS_FILE = Path(__file__).resolve().parent.parent / "sop" / "units.yaml"


@transaction.atomic
def load_units_file(*, path: Path = UNITS_FILE) -> list[Unit]:
    """Create or update every unit named in the units file. Effects: Unit rows written."""
    result = []
    for row in read_yaml(path.read_text(encoding="utf-8")):
        unit, _ = Unit.objects.update_or_create(
            kode=row["kode"],
            defaults={
                "nama": row["nama"],
                "zona_waktu": row["zona_waktu"],
                "jam_kerja": row.get("jam_kerja", "08:00-16:00"),
            },
        )
        unit.full_clean()
        result.append(unit)
    return result
