"""The `loket` console command: Django's management commands under the product's name.

`loket sop list` is `python -m django sop list` with the settings already chosen, so every
command (ours and Django's own: migrate, runserver, createsuperuser) is reachable from one name.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["loket", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
