"""CSV files that people open in a spreadsheet: UTF-8 with the byte-order mark spreadsheet programs
read it by, and no typed text a spreadsheet would run as a formula (a name typed as "=HYPERLINK(…)"
stays text). Used by every CSV download (the guest book, the mutu baku report)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@")


def formula_safe(text: str) -> str:
    """`text` as a cell a spreadsheet shows and never runs: a leading ' before a formula's start."""
    return "'" + text if text[:1] in FORMULA_START else text


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """The header, then the rows, as a CSV file's bytes; the cells are written as given."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
