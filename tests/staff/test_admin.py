"""The staff admin: roles per unit, the roles inline on a user, tokens seen and revoked only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loket.audit.models import AuditEntry
from loket.staff.models import ApiToken, StaffRole
from loket.staff.services import authenticate_token, create_api_token
from loket.units.models import Unit

from .helpers import agency, staff


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_staff_roles_are_listed_and_filtered_by_unit_and_role(installed, admin_client):
    staff("aa-pupr", "kaltim", "Admin Agency", "Dinas PUPR")
    staff("helpdesk-kkp", "kkp", "Helpdesk")
    url = reverse("admin:staff_staffrole_changelist")
    kaltim = Unit.objects.get(kode="kaltim")
    page = admin_client.get(url, {"unit__id__exact": kaltim.pk}).content.decode()
    assert "aa-pupr" in page and "helpdesk-kkp" not in page
    page = admin_client.get(url, {"role": "Helpdesk"}).content.decode()
    assert "helpdesk-kkp" in page and "aa-pupr" not in page


def test_adding_a_role_checks_the_agency_and_is_audited(installed, admin_client, outsider):
    url = reverse("admin:staff_staffrole_add")
    kaltim = Unit.objects.get(kode="kaltim")
    form = {"user": outsider.pk, "unit": kaltim.pk, "role": "Admin Agency", "agency": ""}
    response = admin_client.post(url, form)
    assert response.status_code == 200
    assert "Peran Admin Agency wajib menyebut instansinya." in response.content.decode()
    other_unit = agency("magelang", "Dinas PUPR")
    response = admin_client.post(url, {**form, "agency": other_unit.pk})
    assert "bukan instansi unit ini" in response.content.decode()
    assert not StaffRole.objects.exists()

    response = admin_client.post(url, {**form, "agency": agency("kaltim", "Dinas PUPR").pk})
    assert response.status_code == 302
    assert [(r.user, r.role, r.agency.name) for r in StaffRole.objects.all()] == [
        (outsider, "Admin Agency", "Dinas PUPR")
    ]
    assert AuditEntry.objects.filter(action="staff.role_added", actor__username="admin-pusat").count() == 1


def test_the_user_page_shows_their_roles(installed, admin_client):
    user = staff("aa-pupr", "kaltim", "Admin Agency", "Dinas PUPR")
    page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert "Peran petugas (unit, lajur, instansi)" in page
    assert 'name="staff_roles-0-role"' in page and "Dinas PUPR" in page


def test_roles_changed_on_the_user_page_are_saved_and_audited(installed, admin_client):
    user = staff("aa-pupr", "kaltim", "Admin Agency", "Dinas PUPR")
    old = StaffRole.objects.get()
    form = {
        "username": "aa-pupr",
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "08:00:00",
        "staff_roles-TOTAL_FORMS": "2",
        "staff_roles-INITIAL_FORMS": "1",
        "staff_roles-MIN_NUM_FORMS": "0",
        "staff_roles-MAX_NUM_FORMS": "1000",
        "staff_roles-0-id": old.pk,
        "staff_roles-0-user": user.pk,
        "staff_roles-0-unit": old.unit_id,
        "staff_roles-0-role": "Admin Agency",
        "staff_roles-0-agency": old.agency_id,
        "staff_roles-0-DELETE": "on",
        "staff_roles-1-user": user.pk,
        "staff_roles-1-unit": Unit.objects.get(kode="kkp").pk,
        "staff_roles-1-role": "Helpdesk",
        "staff_roles-1-agency": "",
    }
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert [(r.unit.kode, r.role, r.agency) for r in StaffRole.objects.filter(user=user)] == [("kkp", "Helpdesk", None)]
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "detail__unit", "detail__role"))
    assert actions == [("staff.role_removed", "kaltim", "Admin Agency"), ("staff.role_added", "kkp", "Helpdesk")]


def test_tokens_cannot_be_added_edited_or_deleted_in_the_admin(installed, admin_client):
    user = staff("helpdesk-kkp", "kkp", "Helpdesk")
    token, _ = create_api_token(actor=None, user=user)
    assert admin_client.get(reverse("admin:staff_apitoken_add")).status_code == 403
    response = admin_client.post(reverse("admin:staff_apitoken_change", args=[token.pk]), {"prefix": "lkt_xxxxxxxx"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:staff_apitoken_delete", args=[token.pk])).status_code == 403
    page = admin_client.get(reverse("admin:staff_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in page and token.digest not in page


def test_the_revoke_action_revokes_and_audits(installed, admin_client):
    user = staff("helpdesk-kkp", "kkp", "Helpdesk")
    (_, raw), (kept, kept_raw) = create_api_token(actor=None, user=user), create_api_token(actor=None, user=user)
    target = ApiToken.objects.exclude(pk=kept.pk).get()
    response = admin_client.post(
        reverse("admin:staff_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [target.pk]},
        follow=True,
    )
    assert "1 token dicabut." in response.content.decode()
    assert authenticate_token(raw) is None
    assert authenticate_token(kept_raw) == user
    assert list(AuditEntry.objects.filter(action="token.revoked").values_list("detail__prefix", flat=True)) == [
        target.prefix
    ]


def test_an_outsider_is_turned_away_from_the_staff_admin(installed, client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("admin:staff_staffrole_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
