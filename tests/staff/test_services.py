"""Giving staff roles and API tokens: what is written, what is refused, what is never stored."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import authenticate, get_user_model

from loket.audit.models import AuditEntry
from loket.directory.models import Agency
from loket.staff import selectors
from loket.staff.errors import StaffError
from loket.staff.models import ApiToken, StaffRole
from loket.staff.services import add_staff_role, authenticate_token, create_api_token, revoke_api_token

from .helpers import agency

STRONG = "Loket-Kaltim-2026!"
User = get_user_model()


def roles(username):
    return [
        (r.unit.kode, r.role, r.agency.name if r.agency else None)
        for r in StaffRole.objects.filter(user__username=username)
    ]


def test_it_creates_the_user_and_the_role(installed, superuser):
    result = add_staff_role(actor=superuser, username="budi", unit="kkp", role="Helpdesk", password=STRONG)
    assert result.user_created
    assert roles("budi") == [("kkp", "Helpdesk", None)]
    user = User.objects.get(username="budi")
    assert not user.is_staff and not user.is_superuser
    assert authenticate(username="budi", password=STRONG) == user
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor__username", "detail"))
    assert entries == [
        ("staff.user_created", "admin-pusat", {"username": "budi", "admin": False}),
        ("staff.role_added", "admin-pusat", {"username": "budi", "unit": "kkp", "role": "Helpdesk", "agency": None}),
    ]
    assert STRONG not in str(entries)


def test_admin_agency_needs_a_registered_agency_of_the_unit(installed):
    agency("kaltim", "Dinas PUPR")
    agency("magelang", "Dinas Kesehatan")
    with pytest.raises(StaffError, match="wajib menyebut instansinya"):
        add_staff_role(actor=None, username="aa", unit="kaltim", role="Admin Agency", password=STRONG)
    with pytest.raises(StaffError, match="Dinas Kesehatan belum terdaftar di unit kaltim.*Dinas PUPR.*--create-agency"):
        add_staff_role(
            actor=None, username="aa", unit="kaltim", role="Admin Agency", agency="Dinas Kesehatan", password=STRONG
        )
    assert not User.objects.filter(username="aa").exists()
    add_staff_role(actor=None, username="aa", unit="kaltim", role="Admin Agency", agency="Dinas PUPR", password=STRONG)
    assert roles("aa") == [("kaltim", "Admin Agency", "Dinas PUPR")]


def test_create_agency_registers_it_in_that_unit(installed):
    add_staff_role(
        actor=None,
        username="aa",
        unit="sbt",
        role="admin agency",
        agency="Dinas Perhubungan",
        create_agency=True,
        password=STRONG,
    )
    assert roles("aa") == [("sbt", "Admin Agency", "Dinas Perhubungan")]
    assert list(Agency.objects.values_list("unit__kode", "name")) == [("sbt", "Dinas Perhubungan")]
    assert AuditEntry.objects.filter(action="directory.agency_created").count() == 1


def test_it_refuses_an_agency_for_a_role_that_is_not_agency_scoped(installed):
    agency("kkp", "Ditjen Perikanan Tangkap")
    # KKP's SOP scopes no lane to an agency (its Admin Agency is the requester).
    with pytest.raises(
        StaffError, match="Helpdesk berlaku untuk seluruh unit; unit kkp tidak punya peran per instansi"
    ):
        add_staff_role(
            actor=None, username="hd", unit="kkp", role="Helpdesk", agency="Ditjen Perikanan Tangkap", password=STRONG
        )
    agency("kaltim", "Dinas PUPR")
    with pytest.raises(StaffError, match="hanya disebut untuk peran Admin Agency"):
        add_staff_role(
            actor=None, username="kl", unit="kaltim", role="Kepala LPSE", agency="Dinas PUPR", password=STRONG
        )


def test_it_refuses_unknown_units_and_roles(installed):
    with pytest.raises(StaffError, match="Unit papua tidak dikenal"):
        add_staff_role(actor=None, username="x", unit="papua", role="Helpdesk", password=STRONG)
    with pytest.raises(
        StaffError, match="Peran Verifikator tidak dikenal di unit kkp.*Admin PPE, Front Office, Helpdesk"
    ):
        add_staff_role(actor=None, username="x", unit="kkp", role="Verifikator", password=STRONG)
    # A lane of another unit's SOP is no role here: kkp's Admin Agency is its requester.
    with pytest.raises(StaffError, match="Peran Admin Agency tidak dikenal di unit kkp"):
        add_staff_role(actor=None, username="x", unit="kkp", role="Admin Agency", password=STRONG)
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_weak_or_missing_password_and_writes_nothing(installed):
    with pytest.raises(StaffError, match="Password ditolak"):
        add_staff_role(actor=None, username="budi", unit="kkp", role="Helpdesk", password="12345678")
    with pytest.raises(StaffError, match="berikan password"):
        add_staff_role(actor=None, username="budi", unit="kkp", role="Helpdesk")
    assert not User.objects.filter(username="budi").exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_an_invalid_username(installed):
    with pytest.raises(StaffError):
        add_staff_role(actor=None, username="budi santoso!", unit="kkp", role="Helpdesk", password=STRONG)
    assert not User.objects.exists()


def test_an_existing_user_gets_a_second_role_and_keeps_their_password(installed):
    add_staff_role(actor=None, username="budi", unit="kkp", role="Helpdesk", password=STRONG)
    result = add_staff_role(actor=None, username="budi", unit="kkp", role="Admin PPE", admin=True)
    assert not result.user_created
    assert sorted(roles("budi")) == [("kkp", "Admin PPE", None), ("kkp", "Helpdesk", None)]
    user = User.objects.get(username="budi")
    assert user.is_staff and user.check_password(STRONG)


def test_it_refuses_the_same_role_twice(installed):
    add_staff_role(actor=None, username="budi", unit="kkp", role="Helpdesk", password=STRONG)
    with pytest.raises(StaffError, match="sudah berperan Helpdesk di unit kkp"):
        add_staff_role(actor=None, username="budi", unit="kkp", role="Helpdesk")
    assert StaffRole.objects.count() == 1


# --- tokens ---------------------------------------------------------------------------------------


@pytest.fixture
def budi(installed):
    return add_staff_role(actor=None, username="budi", unit="kkp", role="Helpdesk", password=STRONG).role.user


def test_a_token_is_stored_only_as_its_digest_and_prefix(budi):
    token, raw = create_api_token(actor=None, user=budi)
    assert raw.startswith("lkt_") and len(raw) == 44
    row = ApiToken.objects.get()
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert row.prefix == raw[:12] == token.prefix
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get()]
    assert raw not in stored
    assert raw not in str(list(AuditEntry.objects.values_list("detail", flat=True)))
    assert AuditEntry.objects.filter(action="token.created", detail__prefix=row.prefix).exists()


def test_a_token_authenticates_its_user_and_records_use_once_a_minute(budi):
    _, raw = create_api_token(actor=None, user=budi)
    assert authenticate_token(raw) == budi
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    assert authenticate_token(raw) == budi
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - dt.timedelta(seconds=61))
    authenticate_token(raw)
    assert ApiToken.objects.get().last_used_at >= first  # written again, to now


def test_it_refuses_wrong_revoked_and_inactive_tokens(budi):
    _, raw = create_api_token(actor=None, user=budi)
    assert authenticate_token(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert authenticate_token("") is None
    assert authenticate_token("Bearer " + raw) is None
    budi.is_active = False
    budi.save(update_fields=["is_active"])
    assert authenticate_token(raw) is None
    budi.is_active = True
    budi.save(update_fields=["is_active"])
    revoke_api_token(actor=None, token_id=selectors.live_token_named(raw[:12]).pk)
    assert authenticate_token(raw) is None
    assert ApiToken.objects.get().last_used_at is None  # never counted as a use


def test_revoking_names_a_live_token_by_prefix_or_whole(budi):
    (_, first), (_, second) = create_api_token(actor=None, user=budi), create_api_token(actor=None, user=budi)
    revoke_api_token(actor=None, token_id=selectors.live_token_named(first[:12]).pk)
    revoke_api_token(actor=None, token_id=selectors.live_token_named(second).pk)
    assert ApiToken.objects.filter(revoked_at=None).count() == 0
    with pytest.raises(StaffError, match="Tidak ada token aktif"):
        selectors.live_token_named(first[:12])
    assert AuditEntry.objects.filter(action="token.revoked").count() == 2
    before = ApiToken.objects.get(prefix=first[:12]).revoked_at
    revoke_api_token(actor=None, token_id=ApiToken.objects.get(prefix=first[:12]).pk)  # again: no change
    assert ApiToken.objects.get(prefix=first[:12]).revoked_at == before
    assert AuditEntry.objects.filter(action="token.revoked").count() == 2


def test_it_refuses_a_token_for_an_inactive_user(budi):
    budi.is_active = False
    budi.save(update_fields=["is_active"])
    with pytest.raises(StaffError, match="tidak aktif"):
        create_api_token(actor=None, user=budi)
    assert not ApiToken.objects.exists()
