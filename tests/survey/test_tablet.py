"""The counter's tablet: staff at the counter offer the survey to the visitor just served; the
tablet (its secret address, no sign-in) shows it, takes one answer, then waits for the next; a
case answered at the counter is not asked again by mail when it ends. Seed 004 (KKP)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from loket.counter import intake
from loket.counter import services as counter_services
from loket.notify.models import OutboxMessage
from loket.survey import services
from loket.survey.models import Response, Tablet
from tests.counter.conftest import make_desk
from tests.factories import pdf_bytes, png_bytes
from tests.survey.helpers import SCORES

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(installed, settings):
    """A visitor served at Loket 1 of KKP and their request opened there (all at this moment, so
    that the ticket's day is today's)."""
    settings.LOKET_COUNTER_CLOSES_AT = "off"
    desk = make_desk()
    now = timezone.now()
    counter = desk.counters[0]
    entry = counter_services.record_guest(
        unit=desk.unit,
        service=desk.service,
        name="Hendra Gunawan",
        agency="Direktorat Jenderal Perikanan Tangkap",
        id_number="198709092012121008",
        phone="081234567890",
        actor=desk.front,
        arrived_at=now,
        now=now,
    )
    ticket = counter_services.issue_ticket(service=desk.service, entry=entry, actor=desk.front, now=now)
    counter_services.sign_in(counter, desk.helpdesk, now=now)
    counter_services.call_next(counter, desk.helpdesk, now=now)
    counter_services.start_serving(ticket.pk, counter, desk.helpdesk, now=now)
    opened = intake.open_request(
        ticket_id=ticket.pk,
        counter=counter,
        actor=desk.helpdesk,
        now=now,
        need="password",
        name="Hendra Gunawan",
        email="hendra.gunawan@kkp.go.id",
        nip="198709092012121008",
        phone="081234567890",
        files=[("surat-permohonan", "surat.pdf", pdf_bytes()), ("sk-pengangkatan", "sk.png", png_bytes())],
        originals_shown=["sk-pengangkatan"],
    )
    return desk, counter, opened.submitted.case


def test_the_tablet_shows_the_offered_survey_takes_one_answer_then_waits(client, served):
    desk, counter, case = served
    tablet = services.tablet_for(counter)
    device = client.__class__()
    address = reverse("survei:tablet", args=[tablet.token])
    waiting = device.get(address)
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.content.decode()
    assert "kewajaran biaya/tarif" not in waiting.content.decode()

    client.force_login(desk.helpdesk)
    page = client.get(reverse("console:counter_desk", args=[desk.unit.kode])).content.decode()
    assert "Tawarkan survei" in page and case.reference in page
    offered = client.post(reverse("console:survey_offer", args=[counter.pk]))
    assert offered.status_code == 302
    page = client.get(offered["Location"]).content.decode()
    assert f"sedang menampilkan survei untuk permohonan {case.reference}" in page

    shown = device.get(address).content.decode()
    assert "kewajaran biaya/tarif" in shown and 'name="undangan"' in shown
    invitation_id = case.survey_invitation.pk
    thanked = device.post(address, {**SCORES, "undangan": invitation_id})
    assert "Terima kasih" in thanked.content.decode()
    response = Response.objects.get(case=case)
    assert response.via == "tablet"
    # Back to waiting; the same survey cannot be answered twice from the tablet.
    assert "kewajaran biaya/tarif" not in device.get(address).content.decode()
    again = device.post(address, {**SCORES, "undangan": invitation_id})
    assert "tidak lagi ditampilkan" in again.content.decode()
    assert Response.objects.filter(case=case).count() == 1
    # Nothing left to offer at this counter; and when the case ends no mail asks again.
    assert services.offerable_case(counter) is None
    case.status = "done"
    assert services.invite(case) is None
    assert not OutboxMessage.objects.filter(case=case, template="survei-kepuasan").exists()


def test_only_the_staff_member_at_the_counter_may_offer(client, served):
    desk, counter, case = served
    client.force_login(desk.helpdesk2)
    assert client.post(reverse("console:survey_offer", args=[counter.pk])).status_code == 404
    assert client.get(reverse("console:survey_offer", args=[counter.pk])).status_code == 405
    assert services.offered_on(counter.pk) is None
    with pytest.raises(services.SurveyError):
        services.offer_at_counter(counter=counter, actor=desk.helpdesk2)
    # The desk page shows no tablet address to staff (an administrator's, as the boards').
    client.force_login(desk.helpdesk)
    page = client.get(reverse("console:counter_desk", args=[desk.unit.kode])).content.decode()
    assert "/survei/tablet/" not in page and not Tablet.objects.exists()


def test_a_wrong_tablet_address_is_a_plain_404(client, served):
    assert client.get(reverse("survei:tablet", args=["bukan-token"])).status_code == 404


def test_an_offer_goes_off_the_tablet_after_its_minutes(client, served, settings):
    desk, counter, case = served
    invitation = services.offer_at_counter(counter=counter, actor=desk.helpdesk)
    assert services.offered_on(counter.pk) == invitation
    later = invitation.offered_at + timezone.timedelta(minutes=services.tablet_minutes() + 1)
    assert services.offered_on(counter.pk, later) is None
