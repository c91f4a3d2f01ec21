"""Mails that greet by name (issue 11, point 7): every mail about a case that goes to the
requester opens with "Yth. <the name they typed>,", and one to the account holder's address on
record with the holder's name; only a reader the case does not name is greeted "Bapak/Ibu".
Through the real path: a request handed in (tests/sop_factory.py), staff deciding through the
case service, the worker sending over SMTP to a real server (tests/fixtures_smtp.py)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from loket.notify.models import OutboxMessage
from loket.notify.services import queue_mail
from tests.cases.test_services import answer_run
from tests.fixtures_smtp import smtp_server
from tests.sop_factory import make_service, submit

__all__ = ["smtp_server"]

pytestmark = pytest.mark.django_db

NAME = "Siti Rahmawati"  # typed by the requester; the directory's record says Rina Kartika


@pytest.fixture
def service(db):
    return make_service()


def send_all() -> None:
    call_command("worker", "--once", stdout=io.StringIO())


def received(server, message: OutboxMessage):
    """The mail as the SMTP server got it, found by the Message-ID the outbox gave it."""
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT, message.last_error
    found = [m for m in server.messages if str(m.message["Message-ID"]).strip() == message.message_id]
    assert len(found) == 1
    return found[0]


def opening(body: str) -> str:
    return body.lstrip("\n").split("\n", 1)[0]


def test_the_receipt_greets_the_requester_by_the_name_they_typed(service, smtp_server):
    case = submit(service, name=NAME).case
    send_all()
    smtp_server.wait_for(1)
    mail = received(smtp_server, OutboxMessage.objects.get(case=case, template="diterima"))
    assert mail.envelope_to == ["pemohon.baru@gmail.com"]
    assert opening(mail.body) == f"Yth. {NAME},"
    assert "Bapak/Ibu" not in mail.body


def test_the_request_to_complete_documents_and_the_refusal_greet_by_name(service, smtp_server):
    asked = submit(service, name=NAME).case
    answer_run(asked, service.verifier, [(2, "tidak", "SK buram")], missing=["sk-penunjukan"])
    refused = submit(service, name="Budi Santoso").case
    answer_run(refused, service.verifier, [(2, "ya", ""), (5, "tidak", "NIP pada SK berbeda")])
    send_all()
    smtp_server.wait_for(4)
    complete = received(smtp_server, OutboxMessage.objects.get(case=asked, template="minta-kelengkapan"))
    assert opening(complete.body) == f"Yth. {NAME},"
    assert "SK penunjukan sebagai pejabat pengadaan" in complete.body
    no = received(smtp_server, OutboxMessage.objects.get(case=refused, template="ditolak"))
    assert opening(no.body) == "Yth. Budi Santoso,"
    assert "NIP pada SK berbeda" in no.body


def test_a_name_typed_with_spaces_around_it_is_greeted_cleanly(service, smtp_server):
    case = submit(service, name="  Siti Rahmawati ").case
    send_all()
    smtp_server.wait_for(1)
    mail = received(smtp_server, OutboxMessage.objects.get(case=case, template="diterima"))
    assert opening(mail.body) == "Yth. Siti Rahmawati,"


def test_a_mail_of_the_case_greets_whoever_the_case_names_at_that_address_else_bapak_ibu(service, smtp_server):
    case = submit(service, name=NAME).case
    context = {
        "reference": case.reference,
        "tracking_code": "",
        "unit_name": service.unit.nama,
        "service_name": service.sop.nama,
        "status_url": "http://testserver/permohonan/status/",
    }
    # To the holder's address on record (any case of letters): the holder's name.
    holder = queue_mail(to=service.account.email.upper(), template="diterima", context=context, case=case)
    # To an address the case does not name: no name to greet.
    stranger = queue_mail(to="sekretariat@uji.go.id", template="diterima", context=context, case=case)
    send_all()
    smtp_server.wait_for(3)
    assert opening(received(smtp_server, holder).body) == f"Yth. {service.account.name},"
    assert opening(received(smtp_server, stranger).body) == "Yth. Bapak/Ibu,"
