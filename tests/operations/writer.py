"""A busy instance for the backup tests: `python -m tests.operations.writer STOP_FILE` with
DATABASE_URL and LOKET_VAR_DIR pointing at it. It runs `migrate` and sets up the test unit, prints
"ready", then until STOP_FILE exists submits a case and decides the one submitted before it (so
the previous one is sealed into an archive), printing each reference as its change commits:
another process writing rows and files while `loket backup` runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(stop: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
    from tests.cases.test_services import answer_run
    from tests.sop_factory import make_service, submit

    service = make_service()
    print("ready", flush=True)
    waiting = None
    i = 0
    while not stop.exists():
        case = submit(service, email=f"sibuk{i}@gmail.com").case
        print(f"submitted {case.reference}", flush=True)
        if waiting is not None:
            answer_run(waiting, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
            print(f"sealed {waiting.reference}", flush=True)
        waiting = case
        i += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]))
