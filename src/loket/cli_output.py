"""Output shared by the `loket` commands: the plain text table their `list` subcommands print."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


def write_table(command: BaseCommand, header: list[str], rows: list[list[Any]]) -> None:
    """Columns padded to their widest cell, a rule under the header."""
    cells = [header] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        command.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            command.stdout.write("  ".join("-" * w for w in widths))
