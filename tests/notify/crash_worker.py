"""`loket worker --once` that stops dead at one point of a delivery, for tests/notify/test_crash.py.

    python -m tests.notify.crash_worker POINT SIGNAL_FILE

Runs the worker command as `loket worker --once` does, with one hook at POINT. There it writes
SIGNAL_FILE and waits: the test then kills the process with SIGKILL, so nothing after that
point runs (no `finally`, no rollback from Python; the database drops the connection). Points:

- `claimed`: the row is committed `sending`, the SMTP conversation has not begun;
- `accepted`: the relay answered "250 accepted" and the connection was closed, the outcome
  not yet committed;
- `recorded`: the outcome is committed, the task row not yet marked finished.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

POINTS = ("claimed", "accepted", "recorded")


def main(point: str, signal_file: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    import django

    django.setup()
    from django.core.mail import EmailMessage
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    def stop_here() -> None:
        Path(signal_file).write_text(point, encoding="utf-8")
        time.sleep(60)  # the test's SIGKILL comes long before
        sys.exit(f"crash_worker: nobody killed me at {point}")

    send = EmailMessage.send
    set_successful = DBTaskResult.set_successful

    def send_then_maybe_stop(self: EmailMessage, fail_silently: bool = False) -> int:
        if point == "claimed":
            stop_here()
        sent = send(self, fail_silently)
        if point == "accepted":
            stop_here()
        return sent

    def stop_before_marking_the_task(self: DBTaskResult, return_value: Any) -> None:
        if point == "recorded":
            stop_here()
        set_successful(self, return_value)

    EmailMessage.send = send_then_maybe_stop  # type: ignore[method-assign]
    DBTaskResult.set_successful = stop_before_marking_the_task  # type: ignore[method-assign]
    call_command("worker", "--once")
    sys.exit(f"crash_worker: the worker finished without reaching {point}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in POINTS:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
