"""`loket demo`: the demo's sign-in (an administrator) and where to go. Refuses outside debug mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ADMIN = "admin"
DEMO_PASSWORD = "Loket-demo-2026!"


class Command(BaseCommand):
    help = "Siapkan akun administrator demo dan cetak alamat serta cara masuk."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, url: str, **opts: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("`loket demo` hanya untuk mode demo (LOKET_DEBUG=1): kata sandinya tercetak di sini")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_ADMIN, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Loket demo siap.",
                    f"  Katalog SOP:  {url}/sop/",
                    f"  Admin:        {url}/admin/  (masuk: {DEMO_ADMIN} / {DEMO_PASSWORD})",
                    f"  Pasang SOP:   {url}/admin/catalog/sopversion/add/",
                    "  Berhenti:     Ctrl+C",
                    "",
                ]
            )
        )
