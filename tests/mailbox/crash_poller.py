"""`loket mailbox poll --once` that stops dead after the first mail's commit, before the mail is
moved, for tests/mailbox/test_crash.py.

    python -m tests.mailbox.crash_poller SIGNAL_FILE

At that point it writes SIGNAL_FILE and waits for the test's SIGKILL: nothing after it runs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def main(signal_file: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from loket.mailbox import services

    def stop_here(row: Any) -> None:
        Path(signal_file).write_text(row.message_id, encoding="utf-8")
        time.sleep(60)  # the test's SIGKILL comes long before
        sys.exit("crash_poller: nobody killed me")

    services.after_commit = stop_here  # type: ignore[assignment]
    call_command("mailbox", "poll", "--once")
    sys.exit("crash_poller: the poller finished without handling a mail")


if __name__ == "__main__":
    main(sys.argv[1])
