"""Who is invited when a case ends, the link as the outbox keeps it, one answer per case (the
database refuses a second), and a survey that fails never stops a case from closing."""

from __future__ import annotations

import hashlib

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from loket.audit.models import AuditEntry
from loket.cases.models import Status
from loket.notify.models import LINK_MARKER, OutboxMessage
from loket.notify.tasks import deliver
from loket.survey import services
from loket.survey.models import Invitation, Response
from tests.survey.helpers import SCORES, ended, survey_link

pytestmark = pytest.mark.django_db


def answers(**changes: str) -> services.Answers:
    return services.read_answers({**SCORES, **changes})


@pytest.mark.parametrize("how", ["done", "refused"])
def test_a_case_served_to_its_end_invites_its_requester_once(service, how):
    case = ended(service, how, email="siti.rahma@gmail.com")
    assert case.status == {"done": Status.DONE, "refused": Status.REFUSED}[how]
    mail = OutboxMessage.objects.get(case=case, template="survei-kepuasan")
    assert mail.to == "siti.rahma@gmail.com"
    # The stored body holds the marker; the link waits apart and is erased once sent.
    assert LINK_MARKER in mail.body and "/survei/" not in mail.body
    token = mail.secret_link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(case=case)
    assert invitation.digest == hashlib.sha256(token.encode()).hexdigest()
    assert (invitation.expires_at - invitation.created_at).days == 30
    assert AuditEntry.objects.filter(action="survey.invited", case=case).count() == 1
    deliver(mail.pk)
    mail.refresh_from_db()
    assert (mail.status, mail.secret_link) == (OutboxMessage.Status.SENT, "")
    # Nothing sends a second invitation for the same case.
    assert services.invite(case) is None
    assert OutboxMessage.objects.filter(case=case, template="survei-kepuasan").count() == 1


@pytest.mark.parametrize("how", ["withdrawn", "expired"])
def test_a_case_withdrawn_or_expired_gets_no_survey(service, how):
    case = ended(service, how)
    assert case.status == {"withdrawn": Status.WITHDRAWN, "expired": Status.EXPIRED}[how]
    assert not Invitation.objects.filter(case=case).exists()
    assert not OutboxMessage.objects.filter(case=case, template="survei-kepuasan").exists()


def test_a_survey_that_fails_never_stops_the_case_from_closing(service, settings):
    settings.LOKET_SURVEY_DAYS = 10**9  # the expiry date overflows: the invitation cannot be made
    case = ended(service, "done")
    assert case.status == Status.DONE and case.closed_at is not None
    assert not Invitation.objects.filter(case=case).exists()
    assert OutboxMessage.objects.filter(case=case, template="hasil-password").exists()


def test_the_survey_once_per_case(service):
    case = ended(service, "done")
    token = survey_link(case).rstrip("/").rsplit("/", 1)[1]
    response = services.submit_response(token=token, answers=answers(comment="Cepat, terima kasih"))
    assert (response.case, response.unit, response.sop_kode, response.via) == (case, case.unit, case.sop.kode, "tautan")
    assert response.scores() == [int(SCORES[f]) for f in SCORES]
    with pytest.raises(services.Used):
        services.submit_response(token=token, answers=answers())
    assert Response.objects.filter(case=case).count() == 1
    # The database itself refuses a second answer of the case, whatever path it came by.
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            invitation=response.invitation,
            case=case,
            unit=case.unit,
            sop=case.sop,
            sop_kode=case.sop.kode,
            channel=case.channel,
            via="tablet",
            submitted_at=timezone.now(),
            **{f: 3 for f in SCORES},
        )


def test_the_database_keeps_every_score_on_the_scale(service):
    case = ended(service, "done")
    invitation = Invitation.objects.get(case=case)
    for bad in (0, 5):
        with pytest.raises(IntegrityError), transaction.atomic():
            Response.objects.create(
                invitation=invitation,
                case=case,
                unit=case.unit,
                sop=case.sop,
                sop_kode=case.sop.kode,
                channel=case.channel,
                via="tautan",
                submitted_at=timezone.now(),
                **{**{f: 3 for f in SCORES}, "sarana": bad},
            )


def test_it_says_which_questions_are_unanswered():
    with pytest.raises(services.Invalid) as caught:
        services.read_answers({"persyaratan": "4", "prosedur": "9", "comment": "x" * 2001})
    problems = caught.value.problems
    assert set(problems) == {*(set(SCORES) - {"persyaratan"}), "comment"}
    assert problems["prosedur"] == "Pilih salah satu dari empat jawaban."
    assert problems["waktu"] == "Pertanyaan ini belum dijawab."
    assert caught.value.message.startswith("8 dari 9 pertanyaan belum dijawab.")


def test_an_expired_link_is_refused(service):
    case = ended(service, "done")
    token = survey_link(case).rstrip("/").rsplit("/", 1)[1]
    Invitation.objects.filter(case=case).update(expires_at=timezone.now())
    with pytest.raises(services.Expired):
        services.submit_response(token=token, answers=answers())
    assert not Response.objects.exists()
