"""`loket staff add|list` and `loket token create|revoke|list`, as an operator runs them."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from loket.staff.models import ApiToken
from loket.staff.services import authenticate_token

from .helpers import agency, staff

STRONG = "Loket-Kaltim-2026!"


def run(command: str, *args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command(command, *args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def test_staff_add_reads_the_password_from_stdin(installed):
    agency("kaltim", "Dinas PUPR")
    out, _ = run(
        "staff", "add", "siti", "--unit", "kaltim", "--role", "Admin Agency", "--agency", "Dinas PUPR",
        "--password-stdin", stdin=STRONG + "\n",
    )  # fmt: skip
    assert out.splitlines() == [
        "Pengguna siti dibuat.",
        "siti kini Admin Agency di unit kaltim untuk instansi Dinas PUPR.",
    ]
    assert authenticate(username="siti", password=STRONG) is not None


def test_staff_add_asks_the_password_twice(installed, monkeypatch):
    answers = iter(["Loket-Satu-2026!", "Loket-Dua-2026!", STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out, err = run("staff", "add", "budi", "--unit", "kkp", "--role", "Helpdesk", "--admin")
    assert "Kedua password tidak sama" in err
    assert "budi kini Helpdesk di unit kkp." in out
    user = get_user_model().objects.get(username="budi")
    assert user.check_password(STRONG) and user.is_staff


def test_staff_add_gives_up_after_three_weak_passwords(installed, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "password")
    with pytest.raises(CommandError, match="Password tidak diterima"):
        run("staff", "add", "budi", "--unit", "kkp", "--role", "Helpdesk")
    assert not get_user_model().objects.filter(username="budi").exists()


def test_staff_add_explains_what_is_missing(installed):
    with pytest.raises(CommandError, match=r"wajib menyebut instansinya \(--agency\)"):
        run("staff", "add", "siti", "--unit", "kaltim", "--role", "Admin Agency", "--password-stdin", stdin=STRONG)
    with pytest.raises(CommandError, match="Peran Kasir tidak dikenal"):
        run("staff", "add", "siti", "--unit", "kaltim", "--role", "Kasir", "--password-stdin", stdin=STRONG)


def test_staff_add_leaves_an_existing_users_password_alone(installed):
    staff("budi", "kkp", "Helpdesk")
    out, err = run(
        "staff", "add", "budi", "--unit", "kkp", "--role", "Front Office", "--password-stdin", stdin=STRONG
    )  # fmt: skip
    assert "passwordnya tidak diubah" in err
    assert out.strip() == "budi kini Front Office di unit kkp."
    assert not get_user_model().objects.get(username="budi").check_password(STRONG)


def test_staff_list_shows_roles_per_unit(installed):
    staff("aa-pupr", "kaltim", "Admin Agency", "Dinas PUPR")
    staff("budi", "kkp", "Helpdesk")
    lines = run("staff", "list", "--unit", "kaltim")[0].splitlines()
    assert lines[0].split() == ["unit", "pengguna", "peran", "instansi", "admin", "status"]
    assert [line.split()[:2] for line in lines[2:]] == [["kaltim", "aa-pupr"]]
    assert "Dinas PUPR" in lines[2]
    assert len(run("staff", "list")[0].splitlines()) == 4


def test_token_create_prints_the_token_once_alone_on_stdout(installed):
    budi = staff("budi", "kkp", "Helpdesk")
    out, err = run("token", "create", "budi")
    raw = out.strip()
    assert out == raw + "\n" and raw.startswith("lkt_")
    assert "tidak akan ditampilkan lagi" in err and raw not in err
    assert authenticate_token(raw) == budi
    listing = run("token", "list")[0]
    assert raw[:12] in listing and raw not in listing


def test_token_revoke_by_prefix(installed):
    staff("budi", "kkp", "Helpdesk")
    raw = run("token", "create", "budi")[0].strip()
    out, _ = run("token", "revoke", raw[:12])
    assert out.strip() == f"Token {raw[:12]} milik budi dicabut."
    assert authenticate_token(raw) is None
    with pytest.raises(CommandError, match="Tidak ada token aktif"):
        run("token", "revoke", raw[:12])


def test_token_create_refuses_an_unknown_user_and_warns_about_one_without_roles(installed, outsider):
    with pytest.raises(CommandError, match="Pengguna siapa tidak ada"):
        run("token", "create", "siapa")
    _, err = run("token", "create", "warga")
    assert "belum punya peran petugas" in err
    assert ApiToken.objects.filter(user=outsider).count() == 1
