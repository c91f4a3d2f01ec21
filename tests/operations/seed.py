"""Seed an instance for the backup tests: `python -m tests.operations.seed N` with DATABASE_URL
and LOKET_VAR_DIR pointing at it. It runs `migrate` first; then N cases of the test unit are submitted and finished (each sealed into an archive with its two
documents), and one more is left open; prints the references, one a line."""

from __future__ import annotations

import os
import sys


def main(count: int) -> None:
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
    for i in range(count):
        case = submit(service, email=f"pemohon{i}@gmail.com").case
        answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
        case.refresh_from_db()
        assert hasattr(case, "archive"), case.reference
        print(case.reference)
    print(submit(service, email="terbuka@gmail.com").case.reference)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
