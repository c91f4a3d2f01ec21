"""The outbox admin: read-only, no secret on any page, "kirim ulang" for failed mail."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command

from loket.audit.models import AuditEntry
from loket.notify.models import OutboxMessage
from loket.notify.services import queue_mail

LINK = "https://loket.example.go.id/kredensial/Zq9-rahasia-sekali/"
CHANGELIST = "/admin/notify/outboxmessage/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_mail() -> OutboxMessage:
    return queue_mail(
        to="siti@pupr.kaltimprov.go.id",
        template="hasil-password",
        context={"reference": "KALTIM-2026-000007", "name": "Siti Rahmawati", "hours": 24, "unit_name": "LPSE Kaltim"},
        secret_link=LINK,
    )


def fail(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )


def staff_with(*codenames: str):
    user = get_user_model().objects.create_user("operator", password="Rahasia-uji-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="notify", codename__in=codenames))
    return user


def test_the_list_and_the_page_show_the_mail_but_never_its_link(client, superuser, password_mail):
    client.force_login(superuser)
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "siti@pupr.kaltimprov.go.id" in page and "Password sementara" in page
    detail = client.get(f"{CHANGELIST}{password_mail.pk}/change/")
    assert detail.status_code == 200
    assert "[[TAUTAN-SEKALI-PAKAI]]" in detail.content.decode()
    for response in (listing, detail):
        assert "rahasia-sekali" not in response.content.decode()
        assert b'name="secret_link"' not in response.content


def test_nobody_can_add_or_delete_mail_in_the_admin(client, superuser, password_mail):
    client.force_login(superuser)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{password_mail.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboxMessage.objects.count() == 1


def test_an_outsider_is_sent_to_sign_in(client, outsider, password_mail):
    client.force_login(outsider)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_outbox_permission_is_refused(client, password_mail):
    client.force_login(staff_with())
    assert client.get(CHANGELIST).status_code == 403


def test_kirim_ulang_sends_a_failed_mail_again(client, superuser, password_mail, smtp_server):
    fail(password_mail)
    client.force_login(superuser)
    response = client.post(CHANGELIST, {"action": "resend", "_selected_action": [password_mail.pk]}, follow=True)
    assert "1 e-mail dimasukkan lagi ke antrean kirim." in response.content.decode()
    password_mail.refresh_from_db()
    assert (password_mail.status, password_mail.attempts, password_mail.last_error) == ("pending", 0, "")
    entry = AuditEntry.objects.get(action="mail.resent")
    assert (entry.actor, entry.detail["message"]) == (superuser, password_mail.pk)

    call_command("worker", "--once", stdout=io.StringIO())
    assert LINK in smtp_server.wait_for(1)[0].body
    password_mail.refresh_from_db()
    assert password_mail.status == "sent"


def test_kirim_ulang_cannot_send_a_credential_mail_whose_link_was_erased(client, superuser, password_mail):
    fail(password_mail)
    OutboxMessage.objects.filter(pk=password_mail.pk).update(secret_link="")  # as failing for good leaves it
    client.force_login(superuser)
    response = client.post(CHANGELIST, {"action": "resend", "_selected_action": [password_mail.pk]}, follow=True)
    page = response.content.decode()
    assert (
        "0 e-mail dimasukkan lagi" in page
        and "1 e-mail dilewati karena tautan atau kode rahasianya sudah dihapus" in page
    )
    password_mail.refresh_from_db()
    assert password_mail.status == "failed"
    assert not AuditEntry.objects.filter(action="mail.resent").exists()


def test_kirim_ulang_leaves_mail_that_did_not_fail_alone(client, superuser, password_mail):
    client.force_login(superuser)
    response = client.post(CHANGELIST, {"action": "resend", "_selected_action": [password_mail.pk]}, follow=True)
    assert "1 e-mail dilewati karena tidak berstatus gagal." in response.content.decode()
    assert not AuditEntry.objects.filter(action="mail.resent").exists()


def test_staff_who_may_only_view_the_outbox_cannot_resend(client, password_mail):
    fail(password_mail)
    client.force_login(staff_with("view_outboxmessage"))
    assert client.get(CHANGELIST).status_code == 200
    client.post(CHANGELIST, {"action": "resend", "_selected_action": [password_mail.pk]})
    password_mail.refresh_from_db()
    assert password_mail.status == "failed"
