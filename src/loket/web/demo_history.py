"""The demo's past: a few hundred requests of the last four months at the four built-in units,
run through the real services on a simulated clock, so that the mutu baku report, the
deviations and the survey have something true to show from the first `make demo`.

Why the real services and not rows written directly: every figure the reports show (working
minutes, due times, overdue steps) is then written by the same code, with the same working-minute
calendar, as in production; nothing here computes a number the product computes. The clock is
`django.utils.timezone.now`, moved forward by this module between one staff action and the next
(the services read it through that name only).

What happens to a request is drawn from a seeded random generator (the same demo every time):
most are done, about one in eight is refused at the validity check, one in ten first misses a
document and is completed by the requester a day or two later; about one staff step in five runs
past its mutu baku, some by far. Requests arrive at any hour and on weekends (the web form never
closes); staff act in working hours, so the calendar pauses over nights, weekends and holidays.
The mails these cases queued are marked sent (their one-time secrets erased, as the sender does),
so the demo's worker does not send four months of mail at start.

Nothing here names an SOP, a step or a lane: each installed reset SOP is driven by its own steps
(decisions by their `aksi`), by whoever holds each lane at its unit, and its deviations are
reviewed by a holder of its `pengawas`.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from loket.calendar.units import calendar_for
from loket.cases import services as case_services
from loket.cases.context import Decision, StepAnswer
from loket.cases.models import Case, Need, Status
from loket.catalog.models import SopVersion
from loket.catalog.selectors import latest_versions, parsed
from loket.directory.models import Account, Agency
from loket.notify.models import OutboxMessage
from loket.staff import rules
from loket.staff.models import StaffRole
from loket.units.models import Unit

DAYS_BACK = 120
SEED = 2026

# Made-up names of the accounts the history's requesters hold (20 per unit): common Indonesian
# given names and family names, combined by the generator.
GIVEN = [
    "Ahmad", "Sri", "Yusuf", "Nur", "Rizky", "Fitri", "Hendra", "Wulan", "Agus", "Lina",
    "Bambang", "Ratna", "Eko", "Indah", "Fajar", "Yuni", "Dedi", "Maya", "Joko", "Ani",
]  # fmt: skip
FAMILY = [
    "Saputra", "Wahyuni", "Hidayat", "Rahayu", "Nugroho", "Lestari", "Kurniawan", "Susanti",
    "Setiawan", "Handayani", "Pratama", "Permata", "Siregar", "Tanjung", "Latuconsina", "Pattimura",
]  # fmt: skip


CASES_PER_SOP = 70  # past requests of each installed reset SOP (the tests make fewer: `scale`)


class _Clock:
    def __init__(self) -> None:
        self.now = self.limit = timezone.now()  # the real now: nothing happens after it

    def advance(self, calendar: Any, minutes: int) -> bool:
        """Move on by `minutes` working minutes; False (and not moved) if that passes the real now."""
        later = calendar.add(self.now, minutes)
        if later >= self.limit:
            return False
        self.now = later
        return True


@contextmanager
def _simulated(clock: _Clock) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _accounts(unit: Unit, role: str, agencies: list[Agency], rng: random.Random) -> list[Account]:
    """Twenty directory accounts of `role` at `unit`, spread over `agencies` (kept if present)."""
    out = []
    for i in range(20):
        user_id = f"{role.split()[0].lower()}.riwayat{i + 1:02d}"
        nip = f"19{rng.randint(70, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}20{rng.randint(10, 23)}0{rng.randint(1, 2)}1{i:03d}"
        account, _ = Account.objects.get_or_create(
            unit=unit,
            user_id=user_id,
            defaults={
                "name": f"{GIVEN[i % len(GIVEN)]} {FAMILY[(i * 7) % len(FAMILY)]}",
                "nip": nip,
                "email": f"{user_id.replace('.', '-')}@instansi.example.go.id",
                "phone": "0813" + nip[-8:],
                "role": role,
                "agency": agencies[i % len(agencies)],
                "satker": "Sekretariat",
                "sk_number": f"800/{nip[-3:]}/{unit.kode.upper()}/2026",
            },
        )
        out.append(account)
    return out


def _late(rng: random.Random, standard: int | None) -> int:
    """Working minutes a staff member takes on a step of `standard` minutes: mostly within it,
    about one in five over, a few far over."""
    base = standard or 10
    roll = rng.random()
    if roll < 0.78:
        return max(1, round(base * rng.uniform(0.3, 1.0)))
    if roll < 0.95:
        return round(base * rng.uniform(1.1, 2.5))
    return round(base * rng.uniform(3, 12))


def _arrival(rng: random.Random, day: dt.date, zone: Any) -> dt.datetime:
    hour = rng.choices(range(6, 23), weights=[1, 3, 6, 8, 8, 7, 5, 6, 7, 6, 4, 3, 2, 2, 1, 1, 1])[0]
    local = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), zone)
    return local.astimezone(dt.UTC)


class _Holders:
    """The active holders of each lane at each unit, read once per history: the same user objects
    every time, so their roles are read once too (`rules.roles_of` keeps them on the user)."""

    def __init__(self) -> None:
        self._users: dict[tuple[int, str], list[Any]] = {}

    def of(self, unit_id: int, lane: str) -> list[Any]:
        if (unit_id, lane) not in self._users:
            roles = StaffRole.objects.filter(unit_id=unit_id, role=lane, user__is_active=True).select_related("user")
            self._users[(unit_id, lane)] = [role.user for role in roles.order_by("pk")]
        return self._users[(unit_id, lane)]

    def actor(self, case: Case, lane: str) -> Any:
        """A staff member who may act in `lane` on `case` (its unit, and its agency where the lane
        is agency-scoped): the first such holder, as the console would let them."""
        return next(user for user in self.of(case.unit_id, lane) if rules.can_act(user, case, lane))


def _decide(
    clock: _Clock,
    staff: _Holders,
    case: Case,
    run: Any,
    answer: str,
    rng: random.Random,
    note: str = "",
    **values: Any,
) -> None:
    """Staff answer the case's open step `run` after the working minutes they take on it."""
    calendar = calendar_for(case.unit)
    clock.now = calendar.add(max(clock.now, run.started_at), _late(rng, run.standard_minutes)) + dt.timedelta(
        seconds=rng.randint(1, 50)
    )
    step = parsed(case.sop).step(run.step)
    if step.aksi == "periksa-kelengkapan" and answer == "ya":
        values.setdefault("kelengkapan", list(range(len(step.kelengkapan))))
    case_services.decide(
        case_id=case.pk,
        actor=staff.actor(case, run.lane),
        version=case.version,
        decision=Decision(answers=[StepAnswer(run.step, answer, note)], values=values),
    )


REFUSALS = [
    "Nama pada SK berbeda dengan data akun SPSE.",
    "SK penunjukan sudah tidak berlaku.",
    "NIP pada surat permohonan tidak sesuai dengan data kepegawaian.",
]
MISSING_NOTES = [
    "SK penunjukan tidak terbaca.",
    "Surat permohonan belum ditandatangani.",
    "Salinan KTP tidak dilampirkan.",
]


def _one_case(
    clock: _Clock, staff: _Holders, version: SopVersion, account: Account, at: dt.datetime, rng: random.Random
) -> Case:
    """One request, handed in at `at`, driven by its SOP to its end: each staff step answered by a
    holder of its lane (a decision "ya", once in a while "tidak": a document missing at the
    completeness check, a refusal at the validity check; any other step "lanjut"), the
    requester supplying what was missing a day or two later."""
    sop = parsed(version)
    role = account.role if account.role in sop.peran_akun else sop.peran_akun[0]
    docs = [b.kode for b in sop.berkas_for(role) if b.wajib]
    clock.now = at
    submitted = case_services.submit_request(
        sop_version=version,
        channel=rng.choice(["web", "web", "web", "email"]),
        need=rng.choice([Need.PASSWORD, Need.PASSWORD, Need.PASSWORD, Need.USER_ID]),
        name=account.name,
        email=account.email,
        user_id=account.user_id,
        nip=account.nip,
        agency_id=account.agency_id,
        role=role,
        files=[(kode, f"{kode}.pdf", _pdf()) for kode in docs],
    )
    case = submitted.case
    missing_once = rng.random() < 0.1
    refuse = rng.random() < 0.12
    for _ in range(3 * len(sop.kegiatan)):  # a bound: no SOP path repeats a step more than twice here
        case.refresh_from_db()
        if case.is_closed:
            break
        if case.status == Status.WAITING:  # the requester completes the file
            clock.now += dt.timedelta(hours=rng.randint(20, 60))
            case_services.supply_documents(
                tracking_code=submitted.tracking_code, files=[(k, f"{k}.pdf", _pdf()) for k in docs[-1:]]
            )
            continue
        run = case.steps.filter(finished_at=None).order_by("-id").first()
        assert run is not None, case.reference
        step = sop.step(run.step)
        if step.keputusan is None:
            _decide(clock, staff, case, run, "lanjut", rng)
        elif step.aksi == "periksa-kelengkapan" and missing_once:
            missing_once = False
            _decide(clock, staff, case, run, "tidak", rng, rng.choice(MISSING_NOTES), missing=docs[-1:])
        elif step.aksi == "periksa-keabsahan" and refuse:
            _decide(clock, staff, case, run, "tidak", rng, rng.choice(REFUSALS))
        else:
            _decide(clock, staff, case, run, "ya", rng)
    return case


Hook = Callable[[Case, random.Random, _Clock], None]

# Why a step ran late, as executors write it; what a head writes back when it does not do.
LATE_REASONS = [
    "Menunggu konfirmasi telepon dari pemohon yang tidak dapat dihubungi.",
    "Bersamaan dengan layanan tatap muka di loket; antrean sedang penuh.",
    "Jaringan SPSE terganggu pada jam tersebut.",
    "Petugas sedang mengikuti rapat koordinasi pengadaan.",
    "Berkas SK perlu dicocokkan dengan arsip kepegawaian instansi.",
]
RETURN_NOTES = ["Sebutkan jam gangguan dan nomor tiket laporan ke LKPP.", "Alasan terlalu umum; uraikan kendalanya."]


COMMENTS = [
    "Pelayanan cepat, terima kasih.",
    "Mohon informasi status permohonan dikirim juga lewat WhatsApp.",
    "Petugas ramah dan jelas menjelaskan berkas yang kurang.",
    "Proses verifikasi agak lama, tetapi hasilnya sesuai.",
    "",
    "",
]


def answer_for_the_past(case: Case, rng: random.Random, clock: _Clock) -> None:
    """What follows an ended case: the requester answers the survey one time in three (scores
    mostly 3 and 4, the waiting time the weakest element), and its deviations are answered for
    (`_answer_deviations`)."""
    _answer_survey(case, rng, clock)
    _answer_deviations(case, rng, clock)


def _answer_survey(case: Case, rng: random.Random, clock: _Clock) -> None:
    from loket.survey import services as survey
    from loket.survey.ikm import FIELDS

    mail = OutboxMessage.objects.filter(case=case, template="survei-kepuasan").exclude(secret_link="").first()
    if mail is None or rng.random() > 0.35 or not clock.advance(calendar_for(case.unit), rng.randint(10, 600)):
        return
    token = mail.secret_link.rstrip("/").rsplit("/", 1)[1]
    refused = case.status == Status.REFUSED
    scores = {}
    for i, name in enumerate(FIELDS):
        weights = [1, 4, 10, 8] if refused else ([1, 3, 12, 9] if i == 2 else [0, 1, 9, 14])
        scores[name] = str(rng.choices([1, 2, 3, 4], weights=weights)[0])
    survey.submit_response(token=token, answers=survey.read_answers({**scores, "comment": rng.choice(COMMENTS)}))


def _answer_deviations(case: Case, rng: random.Random, clock: _Clock) -> None:
    """The deviations of an ended case, as a unit answers for them: three in four answered by
    their executor within a few working days, most of those reviewed by the unit's head, who
    accepts nine in ten and returns the rest with a note (then answered again)."""
    from loket.deviations import services as deviations

    pengawas = parsed(case.sop).pengawas
    heads = StaffRole.objects.filter(unit=case.unit, role=pengawas or "", user__is_active=True).select_related("user")
    head = next((r.user for r in heads.order_by("pk")), None)
    calendar = calendar_for(case.unit)
    for deviation in case.deviations.select_related("executor").order_by("pk"):
        if rng.random() > 0.75 or not clock.advance(calendar, rng.randint(30, 3 * 480)):
            continue
        deviation = deviations.answer_deviation(
            deviation_id=deviation.pk,
            actor=deviation.executor,
            version=deviation.version,
            reason=rng.choice(LATE_REASONS),
        )
        if head is None or rng.random() > 0.85 or not clock.advance(calendar, rng.randint(30, 2 * 480)):
            continue
        accept = rng.random() < 0.9
        deviation = deviations.review_deviation(
            deviation_id=deviation.pk,
            actor=head,
            version=deviation.version,
            accept=accept,
            note="" if accept else rng.choice(RETURN_NOTES),
        )
        if not accept and clock.advance(calendar, rng.randint(30, 480)):
            deviations.answer_deviation(
                deviation_id=deviation.pk,
                actor=deviation.executor,
                version=deviation.version,
                reason=rng.choice(LATE_REASONS) + " Gangguan dilaporkan ke LKPP pada hari yang sama.",
            )


def _latest_reset_sops() -> list[SopVersion]:
    """The newest installed version of each reset SOP (a registration waits on training and a
    reply letter, which the history does not play)."""
    return list(latest_versions().filter(layanan="reset-akun").order_by("kode"))


def seed_history(*, after_case: Hook | None = None, scale: float = 1.0) -> int:
    """The history, once: nothing happens when the demo already has a case older than a day.
    `after_case` runs for each ended case on the same simulated clock (the deviations' answers,
    the survey); `scale` shrinks the numbers (the tests make a tenth). Returns the number of cases
    made."""
    real_now = timezone.now()
    if Case.objects.filter(created_at__lt=real_now - dt.timedelta(days=1)).exists():
        return 0
    rng = random.Random(SEED)
    clock = _Clock()
    staff = _Holders()
    made = 0
    first_mail = (OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    with _simulated(clock):
        for version in _latest_reset_sops():
            unit = version.unit
            zone = zoneinfo.ZoneInfo(unit.zona_waktu)
            # The requesters' agencies: those an agency's staff serve (else the unit's first two).
            held = StaffRole.objects.filter(unit=unit, agency__isnull=False).values("agency")
            agency_rows = list(Agency.objects.filter(pk__in=held).order_by("name")) or list(
                Agency.objects.filter(unit=unit).order_by("name")[:2]
            )
            accounts = _accounts(unit, parsed(version).peran_akun[0], agency_rows, rng)
            days = [real_now.date() - dt.timedelta(days=d) for d in range(DAYS_BACK, 1, -1)]
            arrivals = sorted(
                _arrival(rng, day, zone)
                for day in rng.choices(
                    days,
                    weights=[1 if day.weekday() >= 5 else 5 for day in days],
                    k=max(1, round(CASES_PER_SOP * scale)),
                )
            )
            for at in arrivals:
                with transaction.atomic():
                    case = _one_case(clock, staff, version, rng.choice(accounts), at, rng)
                    if after_case is not None and case.status in (Status.DONE, Status.REFUSED):
                        after_case(case, rng, clock)
                made += 1
    past = OutboxMessage.objects.filter(id__gte=first_mail, created_at__lt=real_now - dt.timedelta(days=1))
    sent = set(past.values_list("pk", flat=True))
    past.update(status=OutboxMessage.Status.SENT, secret_link="", secret_code="")
    _forget_send_tasks(sent)
    return made


def _forget_send_tasks(sent: set[int]) -> None:
    """Drop the queued send tasks of the mails just marked sent: the worker would find each one
    sent and do nothing, hundreds of times, at the demo's start."""
    from django.apps import apps

    if not sent or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    from loket.notify.tasks import send_outbox_message

    queued = DBTaskResult.objects.filter(task_path=send_outbox_message.module_path, status="READY")
    stale = [pk for pk, call in queued.values_list("pk", "args_kwargs") if (call.get("args") or [None])[0] in sent]
    DBTaskResult.objects.filter(pk__in=stale).delete()
