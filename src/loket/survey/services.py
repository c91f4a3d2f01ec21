"""The survey's use cases: invite when a case ends, answer (by the mailed link or on the counter's
tablet), offer on the tablet.

Which endings get a survey: a case that ends **done** or **refused** (a refusal is a service the
requester received: the checks were made and the answer given). A case **withdrawn** by its
requester or **expired** waiting on them was not served to the end: no survey.

The link is a secret of the kind the outbox already knows: its token goes to `queue_mail` as the
`secret_link`, so the stored body holds the marker only and the token is erased once the mail is
sent; the database keeps the token's SHA-256. The token only lets its holder answer one survey,
once; a mail of the same case that is never sent loses it like any other one-time link
(`notify.services.erase_expired_secret_links`).

Settings (optional): LOKET_SURVEY_DAYS (30) how long a link stays open; LOKET_SURVEY_TABLET_MINUTES
(15) how long the counter's tablet shows an offered survey before it goes back to waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.cases.models import Case, Status
from loket.counter.models import Counter, QueueTicket
from loket.counter.models import Status as TicketStatus
from loket.counter.services import local_day
from loket.notify.services import queue_mail

from .ikm import FIELDS, SCALE, UNSUR
from .models import Invitation, Response, Tablet, Via

logger = logging.getLogger(__name__)

SURVEYED_ENDINGS = frozenset({Status.DONE, Status.REFUSED})
TOKEN_BYTES = 32
COMMENT_MAX = 2000
MAIL_TEMPLATE = "survei-kepuasan"


class SurveyError(Exception):
    """A survey that cannot be answered or offered; `message` says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unknown(SurveyError):
    pass


class Used(SurveyError):
    pass


class Expired(SurveyError):
    pass


class Invalid(SurveyError):
    def __init__(self, message: str, problems: dict[str, str]) -> None:
        super().__init__(message)
        self.problems = problems


def survey_days() -> int:
    return int(getattr(settings, "LOKET_SURVEY_DAYS", 30))


def tablet_minutes() -> int:
    return int(getattr(settings, "LOKET_SURVEY_TABLET_MINUTES", 15))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(token: str) -> str:
    return f"{settings.LOKET_BASE_URL}{reverse('survei:form', args=[token])}"


def _invitation_of(case: Case, now: dt.datetime) -> Invitation:
    """The case's invitation (locked for the caller's transaction), or a new one, not yet saved,
    when it has none: the caller saves it once with what it sets (`_save`)."""
    found = Invitation.objects.select_for_update().filter(case=case).first()
    if found is not None:
        return found
    return Invitation(
        case=case,
        digest=token_digest(secrets.token_urlsafe(TOKEN_BYTES)),  # nobody holds this token
        created_at=now,
        expires_at=now + dt.timedelta(days=survey_days()),
    )


def _save(invitation: Invitation, fields: list[str]) -> None:
    """Write `fields` of an invitation, or the whole row of one made just now (one INSERT)."""
    if invitation.pk is None:
        invitation.save()
    else:
        invitation.save(update_fields=fields)


def invite(case: Case, *, now: dt.datetime | None = None) -> Invitation | None:
    """Invite the requester of a case that has just ended to the survey. Called by
    `cases.services._end` inside the case's transaction; it never raises: its work runs in a
    savepoint, and whatever fails there is rolled back and logged, so a survey can never stop a
    case from closing.

    Effects, in order, for a case ended done or refused that has no answer and was not mailed yet:
    the invitation (made, or the one offered at the counter: a new token, valid LOKET_SURVEY_DAYS
    days from now), the mail `survei-kepuasan` with the link as the outbox's secret link, the
    audit entry `survey.invited`. Returns the invitation, or None when nothing was sent.
    """
    if case.status not in SURVEYED_ENDINGS:
        return None
    try:
        with transaction.atomic():
            return _invite(case, now or timezone.now())
    except Exception:  # a survey must never stop a case from closing
        logger.exception("Survey invitation for case %s failed; the case closes without one", case.pk)
        return None


def _invite(case: Case, now: dt.datetime) -> Invitation | None:
    invitation = _invitation_of(case, now)
    if invitation.mailed_at is not None or invitation.used_at is not None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.digest = token_digest(token)
    invitation.expires_at = now + dt.timedelta(days=survey_days())
    invitation.mailed_at = now
    _save(invitation, ["digest", "expires_at", "mailed_at"])
    queue_mail(
        to=case.requester_email,
        template=MAIL_TEMPLATE,
        context={
            "reference": case.reference,
            "unit_name": case.unit.nama,
            "days": survey_days(),
        },
        case=case,
        secret_link=survey_url(token),
    )
    log_action("survey.invited", case=case)
    return invitation


# -- answering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """What the respondent chose: a score 1..4 per element (field name), and the comment."""

    scores: dict[str, int]
    comment: str


def read_answers(data: Any) -> Answers:
    """The answers in a submitted form (`data`: a QueryDict or a dict of strings). Raises Invalid
    with a problem per element left unanswered or answered off the scale, and for a comment too
    long; the caller shows the form again with what was chosen."""
    problems: dict[str, str] = {}
    scores: dict[str, int] = {}
    for unsur in UNSUR:
        raw = str(data.get(unsur.field) or "").strip()
        if raw.isdigit() and int(raw) in SCALE:
            scores[unsur.field] = int(raw)
        elif raw:
            problems[unsur.field] = _("Pilih salah satu dari empat jawaban.")
        else:
            problems[unsur.field] = _("Pertanyaan ini belum dijawab.")
    comment = str(data.get("comment") or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX:
        problems["comment"] = _("Saran dan masukan paling banyak %(n)s karakter (sekarang %(len)s).") % {
            "n": COMMENT_MAX,
            "len": len(comment),
        }
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in comment):
        problems["comment"] = _("Saran dan masukan berisi karakter yang tidak dapat disimpan.")
    if problems:
        unanswered = sum(1 for name in FIELDS if name in problems)
        message = (
            _("%(n)s dari 9 pertanyaan belum dijawab. Jawaban Anda yang lain tetap tersimpan di formulir ini.")
            % {"n": unanswered}
            if unanswered
            else _("Periksa isian yang ditandai.")
        )
        raise Invalid(message, problems)
    return Answers(scores, comment)


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("case", "case__unit", "case__sop").filter(digest=token_digest(token)).first()
    )


def check_open(invitation: Invitation, now: dt.datetime | None = None) -> None:
    """Raise Used or Expired when the invitation can no longer be answered."""
    now = now or timezone.now()
    if invitation.used_at is not None:
        raise Used(_("Survei untuk permohonan ini sudah diisi. Terima kasih atas penilaian Anda."))
    if invitation.expires_at <= now:
        raise Expired(_("Masa pengisian survei untuk permohonan ini sudah berakhir. Terima kasih atas perhatian Anda."))


def _record(invitation_id: int, answers: Answers, *, via: str, now: dt.datetime) -> Response:
    """Write the answer of a locked, open invitation: the Response row, the invitation used, the
    audit entry. A second answer of the same case is refused by the database (one-to-one on the
    case) and reported as Used."""
    invitation = Invitation.objects.select_for_update().select_related("case").get(pk=invitation_id)
    check_open(invitation, now)
    case = invitation.case
    try:
        with transaction.atomic():
            response = Response.objects.create(
                invitation=invitation,
                case=case,
                unit_id=case.unit_id,
                sop_id=case.sop_id,
                sop_kode=case.sop.kode,
                channel=case.channel,
                via=via,
                submitted_at=now,
                comment=answers.comment,
                **answers.scores,
            )
    except IntegrityError as exc:
        raise Used(_("Survei untuk permohonan ini sudah diisi. Terima kasih atas penilaian Anda.")) from exc
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    log_action("survey.answered", case=case, via=via)
    return response


@transaction.atomic
def submit_response(*, token: str, answers: Answers, now: dt.datetime | None = None) -> Response:
    """The requester answers by the mailed link. Raises Unknown (no such link), Used, Expired.
    Effects: see `_record` (the response, the invitation used, audit `survey.answered`)."""
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Unknown(_("Tautan survei tidak dikenal."))
    return _record(invitation.pk, answers, via=Via.LINK, now=now or timezone.now())


# -- the counter's tablet ---------------------------------------------------------------------


def tablet_for(counter: Any) -> Tablet:
    """The counter's tablet (made on first use: the desk page shows its address to the admin)."""
    return Tablet.objects.get_or_create(counter=counter)[0]


def offerable_case(counter: Any, now: dt.datetime | None = None) -> Case | None:
    """The case the counter's staff may offer the survey for: the newest case opened from a ticket
    this counter served and finished today, not withdrawn or expired, with no answer yet."""
    ticket = (
        QueueTicket.objects.filter(
            counter=counter, status=TicketStatus.DONE, case__isnull=False, day=local_day(counter.unit, now)
        )
        .exclude(case__status__in=[Status.WITHDRAWN, Status.EXPIRED])
        .exclude(case__survey_response__isnull=False)
        .select_related("case")
        .order_by("-done_at", "-id")
        .first()
    )
    return ticket.case if ticket is not None else None


@transaction.atomic
def offer_at_counter(*, counter: Any, actor: Any, now: dt.datetime | None = None) -> Invitation:
    """Staff at `counter` offer the survey on its tablet to the visitor just served
    (`offerable_case`). The case may still be under way: the visitor judges the service they had
    at the counter, and when the case later ends no mail asks again if they answered here.

    Effects: the case's invitation (made if none) is marked offered at this counter now, so its
    tablet shows it for LOKET_SURVEY_TABLET_MINUTES; audit entry `survey.offered`. Raises
    SurveyError when the user does not staff the counter or no case is waiting for a survey."""
    now = now or timezone.now()
    counter = Counter.objects.select_for_update().select_related("unit").get(pk=counter.pk)
    if counter.staffed_by_id != getattr(actor, "pk", None):
        raise SurveyError(_("Anda tidak sedang menjaga %(counter)s.") % {"counter": counter.name})
    case = offerable_case(counter, now)
    if case is None:
        raise SurveyError(_("Belum ada pemohon yang selesai dilayani di loket ini hari ini tanpa mengisi survei."))
    invitation = _invitation_of(case, now)
    check_open(invitation, now)
    invitation.offered_counter = counter
    invitation.offered_at = now
    _save(invitation, ["offered_counter", "offered_at"])
    log_action("survey.offered", actor=actor, case=case, counter=counter.name)
    return invitation


def offered_on(counter_id: int, now: dt.datetime | None = None) -> Invitation | None:
    """The survey the counter's tablet shows now: the newest offer at the counter within the last
    LOKET_SURVEY_TABLET_MINUTES that is still open; None: the tablet waits."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.filter(
            offered_counter_id=counter_id, offered_at__gt=now - dt.timedelta(minutes=tablet_minutes())
        )
        .select_related("case", "case__unit", "case__sop")
        .order_by("-offered_at", "-id")
        .first()
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        return None
    return invitation


@transaction.atomic
def submit_at_tablet(
    *, tablet: Tablet, invitation_id: int, answers: Answers, now: dt.datetime | None = None
) -> Response:
    """The visitor answers on the counter's tablet: only the survey the tablet shows now (the form
    names it; an offer replaced meanwhile is refused as Unknown). Effects: see `_record`."""
    now = now or timezone.now()
    shown = offered_on(tablet.counter_id, now)
    if shown is None or shown.pk != invitation_id:
        raise Unknown(_("Survei ini tidak lagi ditampilkan di tablet. Silakan minta petugas menawarkannya lagi."))
    return _record(shown.pk, answers, via=Via.TABLET, now=now)
