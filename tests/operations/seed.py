"""Seed an instance for the backup tests: `python -m tests.operations.seed N [PDF_BYTES]` with
DATABASE_URL and LOKET_VAR_DIR pointing at it. It runs `migrate` first; then N cases of the test unit are submitted and finished (each sealed into an archive with its two
documents), and one more is left open; prints the references, one a line. With PDF_BYTES, each
case's PDF is one of about that size and of its own (random metadata), as scanned letters are."""

from __future__ import annotations

import os
import sys


def padded_pdf(size: int) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Keywords": os.urandom(max(size - 500, 2) // 2).hex()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main(count: int, pdf_bytes: int = 0) -> None:
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
        files = None
        if pdf_bytes:
            first = service.berkas[0].kode
            files = service.files(**{first: (f"{first}.pdf", padded_pdf(pdf_bytes))})
        case = submit(service, email=f"pemohon{i}@gmail.com", files=files).case
        answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
        case.refresh_from_db()
        assert hasattr(case, "archive"), case.reference
        print(case.reference)
    print(submit(service, email="terbuka@gmail.com").case.reference)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
