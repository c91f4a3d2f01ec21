"""`loket token create|revoke|list`: a staff member's API tokens.

A new token is printed once, alone on stdout (so `TOKEN=$(loket token create budi)` works);
only its SHA-256 and its first 12 characters (the prefix that names it) are stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loket.cli_output import write_table
from loket.staff import selectors
from loket.staff.errors import StaffError
from loket.staff.services import create_api_token, revoke_api_token


class Command(BaseCommand):
    help = "Buat, cabut, atau daftar token API petugas."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("create", help="buat token baru (ditampilkan sekali saja)", called_from_command_line=True)
        p.add_argument("username")
        p = sub.add_parser("revoke", help="cabut token menurut awalannya", called_from_command_line=True)
        p.add_argument("prefix", metavar="AWALAN")
        p = sub.add_parser(
            "list", help="daftar token (awalan, pemilik, dipakai, dicabut)", called_from_command_line=True
        )
        p.add_argument("username", nargs="?")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "do_" + opts["action"])(**opts)
        except StaffError as exc:
            raise CommandError(str(exc)) from exc

    def do_create(self, username: str, **_opts: Any) -> None:
        user = selectors.user_named(username)
        token, raw = create_api_token(actor=None, user=user)
        if not selectors.staff_roles().filter(user=user).exists():
            self.stderr.write(
                _("Perhatian: %(u)s belum punya peran petugas; tokennya belum membuka apa pun.") % {"u": username}
            )
        self.stderr.write(
            _("Token API %(p)s untuk %(u)s. Simpan sekarang: token ini tidak akan ditampilkan lagi.")
            % {"p": token.prefix, "u": username}
        )
        self.stdout.write(raw)

    def do_revoke(self, prefix: str, **_opts: Any) -> None:
        token = revoke_api_token(actor=None, token_id=selectors.live_token_named(prefix).pk)
        self.stdout.write(_("Token %(p)s milik %(u)s dicabut.") % {"p": token.prefix, "u": token.user.get_username()})

    def do_list(self, username: str | None, **_opts: Any) -> None:
        def when(value: Any) -> str:
            return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""

        rows = [
            [t.prefix, t.user.get_username(), when(t.created_at), when(t.last_used_at), when(t.revoked_at)]
            for t in selectors.api_tokens(username=username)
        ]
        if not rows:
            self.stdout.write(_("Belum ada token."))
            return
        write_table(self, [_("awalan"), _("pengguna"), _("dibuat"), _("terakhir dipakai"), _("dicabut")], rows)
