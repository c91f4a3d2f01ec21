"""The use cases of a request: submit, supply documents, decide, withdraw, expire.

Each is one transaction: load, ask the engine, write the steps (StepRun: the audit trail of the
SOP), run the effects of the steps the system completes, queue mail in the outbox. Portal,
console, API and CLI call these functions and nothing else to change a case.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket import engine
from loket.audit.services import audit_entry, log_action, log_actions
from loket.calendar.units import calendar_for
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.deviations.services import LATE_REASON, LATE_REASON_PREFIX, record_deviations
from loket.directory.backends import backend_for
from loket.directory.models import Agency
from loket.directory.nip import normalise_nip
from loket.notify.services import queue_mail
from loket.staff import rules
from loket.survey.services import invite as invite_to_survey
from loket.tallies.services import count_runs

from . import effects
from .actions import REGISTRY
from .codes import new_tracking_code, next_reference, tracking_digest
from .context import Decision, EffectContext, StepAnswer
from .errors import Conflict, Invalid, NotAllowed, NotFound
from .models import Case, Channel, Need, Status, StepRun
from .offer import agency_required
from .selectors import case_by_tracking_code, facts_of
from .storage import store_documents
from .uploads import CheckedFile, UploadRejected, check_files

Upload = tuple[str, str, bytes]  # (berkas kode, file name, content)


@dataclass(frozen=True)
class Submitted:
    case: Case
    tracking_code: str  # shown once to the requester and mailed; only its digest is stored


# -- submit -----------------------------------------------------------------------------------


@transaction.atomic
def submit_request(
    *,
    sop_version: SopVersion,
    channel: str,
    need: str,
    name: str,
    email: str,
    user_id: str = "",
    nip: str = "",
    phone: str = "",
    agency_id: int | None = None,
    role: str = "",
    files: list[Upload],
    actor: Any = None,
    at: dt.datetime | None = None,
    earlier: dict[str, EarlierStep] | None = None,
    handed_in: dict[str, Any] | None = None,
) -> Submitted:
    """A requester hands in a request (step 1 of the SOP).

    `role`: the role of `peran_akun` the requester holds, which decides the documents asked of
    them (`Sop.berkas_for`); when not given, the directory record's role if it is one of them, or
    the SOP's only role. An SOP whose documents differ by role needs it (`requester_role`).

    `at`: when they handed it in, if before now (at the counter: when they signed the guest
    book); `earlier`: the steps already done before the request was written down, by action
    (open_case); `handed_in`: what staff saw of the documents handed in, kept on step 1 (e.g. the
    originals shown at the counter).

    Effects, in order: documents checked (all or nothing); Case written with its reference and
    the digest of a new tracking code; the directory record looked up by user ID or NIP; step 1
    recorded as done by the requester and the steps the system answers after it (e.g. the channel
    decision); the next step opened with its due time; documents stored with their SHA-256; mail
    `diterima` queued to the typed address; audit entry.
    """
    sop = parsed(sop_version)
    problems = {
        **_identity_problems(name=name, email=email, user_id=user_id, nip=nip, need=need, channel=channel),
        **text_problems(phone=phone),
    }
    unit = sop_version.unit
    account = None
    if not problems.keys() & {"user_id", "nip"}:
        account = backend_for(unit).find(unit=unit, user_id=user_id.strip() or None, nip=nip.strip() or None)
    agency = None
    if agency_id is None and agency_required(unit):
        problems["agency"] = _("Pilih instansi Anda.")
    if agency_id is not None:
        if account is not None and account.agency_id == agency_id and account.unit_id == unit.pk:
            agency = account.agency  # read with the account: no look-up of its own
        else:
            agency = Agency.objects.filter(pk=agency_id, unit=unit).first()
        if agency is None:
            problems["agency"] = _("Instansi yang dipilih tidak terdaftar di unit ini.")
    role = requester_role(sop, role, account, problems)
    checked = checked_documents(sop, files, problems, role=role)
    if problems:
        raise Invalid(_("Permohonan belum dapat diajukan. Periksa isian yang ditandai."), problems)

    return open_case(
        sop_version=sop_version,
        channel=channel,
        need=need,
        requester={
            "requester_user_id": user_id.strip(),
            "requester_nip": normalise_nip(nip),
            "requester_name": name.strip(),
            "requester_email": email.strip(),
            "requester_phone": phone.strip(),
            "requester_role": role,
        },
        agency=agency or (account.agency if account else None),
        account=account,
        checked=checked,
        actor=actor,
        at=at,
        earlier=earlier,
        handed_in=handed_in,
    )


@dataclass(frozen=True)
class EarlierStep:
    """A step done before its request was written down (at the counter: the guest book, the
    ticket, the call), recorded with its real times and who did it."""

    finished_at: dt.datetime
    actor: Any = None
    detail: dict[str, Any] | None = None


def open_case(
    *,
    sop_version: SopVersion,
    channel: str,
    need: str,
    requester: dict[str, str],
    agency: Agency | None,
    checked: list,  # type: ignore[type-arg]
    actor: Any = None,
    account: Any = None,
    before_steps: Callable[[Case], None] | None = None,
    at: dt.datetime | None = None,
    earlier: dict[str, EarlierStep] | None = None,
    handed_in: dict[str, Any] | None = None,
) -> Submitted:
    """Write a checked request as a case at step 1 of its SOP (the rest of `submit_request`, also
    the registration's): the Case with its reference and the digest of a new tracking code; what
    belongs beside it (`before_steps`, e.g. the candidate of a registration); the documents with
    their SHA-256; step 1 done by the requester and the steps the system answers after it; the
    next step opened with its due time; mail `diterima` to the requester; audit entries.
    `at`, `earlier`, `handed_in`: as for `submit_request` (`_record_earlier`)."""
    sop = parsed(sop_version)
    now = at or timezone.now()
    unit = sop_version.unit
    code = new_tracking_code()
    case = Case(
        unit=unit,
        sop=sop_version,
        reference=next_reference(unit=unit, year=timezone.localtime(now, zoneinfo.ZoneInfo(unit.zona_waktu)).year),
        tracking_digest=tracking_digest(code),
        channel=channel,
        need=need,
        agency=agency,
        account=account,
        **requester,
    )
    first = engine.start(sop)
    advance = engine.advance(sop, first.no, None, facts_of(case), by="pemohon")
    # Where nothing runs between step 1 and the step the case then waits at (no effect, no
    # ending), the case is written once, already at that step; otherwise it is written first
    # for the effects to see, and moved on by _apply.
    at_once = advance.waiting is not None and not any(_runs_effect(move) for move in advance.moves)
    if at_once:
        _settle(case, advance, now)
    case.save()
    if before_steps is not None:
        before_steps(case)
    store_documents(case, checked, step=first.no)
    run = StepRun(
        case=case,
        step=first.no,
        aksi=first.aksi,
        lane=first.pelaksana,
        by=StepRun.By.REQUESTER,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        started_at=now,
        finished_at=now,
        standard_minutes=first.waktu,
        detail={"berkas": sorted({c.kode for c in checked}), "kanal": channel, **(handed_in or {})},
        answer=advance.moves[0].answer,
    )
    ctx = EffectContext(case=case, sop=sop, actor=actor)
    _apply(ctx, advance, run, now=now, audit={"channel": channel, "documents": len(checked)}, settled=at_once)
    if earlier:
        _record_earlier(ctx, earlier)
    queue_mail(
        to=case.requester_email,
        template="diterima",
        context={
            "reference": case.reference,
            "tracking_code": code,
            "unit_name": unit.nama,
            "service_name": sop.nama,
            "status_url": effects.status_url(),
        },
        case=case,
    )
    _end_change(ctx)
    return Submitted(case, code)


def _record_earlier(ctx: EffectContext, earlier: dict[str, EarlierStep]) -> None:
    """Close, one after another, the steps the case opens at whose action `earlier` holds, each
    with its real end and who did it (staff steps measured in working minutes against their
    standard, like any step), the next step opened when the previous one ended. Stops at the
    first step of another action: that one waits for staff as usual."""
    case, sop = ctx.case, ctx.sop
    while not case.is_closed and case.current_step is not None:
        step = sop.step(case.current_step)
        done = earlier.get(step.aksi)
        if done is None:
            break
        run = _open_run(case, ctx)
        finished = max(done.finished_at, run.started_at)
        if done.detail:
            run.detail = {**run.detail, **done.detail}
        _finish(run, case=case, answer="lanjut", actor=done.actor, note="", now=finished, ctx=ctx)
        facts = facts_of(case)
        advance = engine.advance(sop, step.no, None, facts, by=engine.by_of(step, facts))
        _apply(ctx, advance, run, now=finished)


def requester_role(sop: Any, role: str, account: Any, problems: dict[str, str]) -> str:
    """The role of `peran_akun` a request is made in: the one given (a problem when it is not one
    of them), else the directory record's when it is one, else the SOP's only role; "" when none
    is known, a problem where the SOP's documents differ by role (`Sop.roles_differ`)."""
    role = role.strip()
    roles = list(sop.peran_akun)
    if role:
        if role not in roles:
            problems["role"] = _("Peran %(role)s tidak dilayani SOP ini; pilih salah satu: %(roles)s.") % {
                "role": role,
                "roles": ", ".join(roles),
            }
        return role
    if account is not None and account.role in roles:
        return str(account.role)
    if len(roles) == 1:
        return str(roles[0])
    if sop.roles_differ:
        problems["role"] = _("Pilih peran Anda: %(roles)s. Berkas yang diminta bergantung pada peran.") % {
            "roles": ", ".join(roles)
        }
    return ""


def checked_documents(sop: Any, files: list[Upload], problems: dict[str, str], *, role: str = "") -> list[CheckedFile]:
    """The request's files checked (uploads.check_files), with a problem added for each document
    the SOP requires of `role` (`Sop.berkas_for`) that is missing, for each file refused and for a
    document of another role; empty when any is refused."""
    given = {kode for kode, _name, _content in files}
    asked = sop.berkas_for(role)
    # While the role is not known (its own problem), no role's own document is demanded.
    unknown = not role and len(sop.peran_akun) > 1
    for berkas in asked:
        if berkas.wajib and berkas.kode not in given and not (unknown and berkas.peran):
            problems[berkas.kode] = _("%(nama)s wajib dilampirkan.") % {"nama": berkas.nama}
    asked_kodes = {b.kode for b in asked}
    others = {b.kode: b for b in sop.berkas if b.kode not in asked_kodes}
    for kode in sorted(given & others.keys()):
        problems[kode] = _("%(nama)s bukan berkas untuk peran %(role)s; lampirkan berkas yang sesuai peran Anda.") % {
            "nama": others[kode].nama,
            "role": role,
        }
    if given & others.keys():
        return []
    try:
        return check_files(files, allowed_kodes=asked_kodes)
    except UploadRejected as exc:
        problems.update(exc.problems)
        return []


def _identity_problems(*, name: str, email: str, user_id: str, nip: str, need: str, channel: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = _("Nama wajib diisi.")
    try:
        validate_email(email.strip())
    except ValidationError:
        problems["email"] = _("Alamat e-mail tidak valid.")
    if not user_id.strip() and not nip.strip():
        problems["user_id"] = _("Isi user ID atau NIP Anda (salah satu).")
    nip_digits = normalise_nip(nip)
    if nip_digits and (len(nip_digits) != 18 or not nip_digits.isdigit()):
        problems["nip"] = _("NIP terdiri dari 18 angka.")
    if need not in Need.values:
        problems["need"] = _("Pilih kebutuhan: password baru atau informasi user ID.")
    if channel not in Channel.values:
        problems["channel"] = _("Kanal permohonan tidak dikenal.")
    # A control character is the one problem worth naming in a field that holds one.
    problems.update(text_problems(name=name, email=email, user_id=user_id, nip=nip))
    return problems


# Characters no typed field may hold: C0 and C1 controls, DEL, lone surrogates (PostgreSQL
# refuses NUL and surrogates outright), and the bidirectional overrides that make a name read
# differently on screen than it is stored. Notes (a textarea) may hold tabs and line breaks.
_LINE_BREAKS = frozenset("\t\n\r")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    for ch in text:
        if multiline and ch in _LINE_BREAKS:
            continue
        if ch in _BIDI or unicodedata.category(ch) in {"Cc", "Cs"}:
            return True
    return False


def text_problems(*, multiline: frozenset[str] = frozenset(), **fields: str) -> dict[str, str]:
    """A problem for each typed field holding a control character (`multiline` fields may hold
    tabs and line breaks). The API checks every form field with it before anything is looked up
    (`api.public`), the portal's notes with it as a form validator."""
    return {
        field: _("Isian ini memuat karakter kontrol yang tidak diizinkan (misalnya NUL). Ketik ulang isinya.")
        for field, text in fields.items()
        if text and has_control_characters(text, multiline=field in multiline)
    }


# -- moving a case on ---------------------------------------------------------------------------


def _apply(
    ctx: EffectContext,
    advance: engine.Advance,
    answered: StepRun,
    *,
    now: dt.datetime,
    audit: dict[str, Any] | None = None,
    answered_done: bool = False,
    settled: bool = False,
) -> None:
    """Run the effect of the answered step if it has one (a system action a person did by hand,
    or a staff action with an effect), record the system's moves after it (running their
    effects), then open the step the case now waits at, or close the case. Every completed step
    writes its action's audit event (`audit`: more detail for the answered step's).
    `answered_done`: the answered step's effect and audit already ran (a gate held the case).
    `answered` not yet written (the requester's step 1) is written with the others; `settled`:
    the case was written already at the step it now waits at (open_case).

    Nothing is written here but what the effects write: the new steps, their tallies and the
    case wait in `ctx` for the change's end (`_write_change`); an effect knows its step by
    `ctx.step_run.step`, never by its row."""
    case = ctx.case
    if not answered_done:
        _completed(ctx, advance.moves[0], answered, **(audit or {}))
    if answered.pk is None and not any(run is answered for run in ctx.unwritten):
        ctx.unwritten.append(answered)
        ctx.finished.append(answered)
    for move in advance.moves[1:]:
        run = StepRun(
            case=case,
            step=move.step.no,
            aksi=move.step.aksi,
            lane=move.step.pelaksana,
            by=StepRun.By.SYSTEM,
            on_behalf_of=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
            started_at=now,
            finished_at=now,
            standard_minutes=move.step.waktu,
            working_minutes=0,
            answer=move.answer,
        )
        _completed(ctx, move, run)
        ctx.unwritten.append(run)
        ctx.finished.append(run)
    if not settled:
        _settle(case, advance, now)
        ctx.case_changed = True
    waiting = advance.waiting
    ctx.open_run = None
    if waiting is not None:
        ctx.open_run = StepRun(
            case=case,
            step=waiting.no,
            aksi=waiting.aksi,
            lane=waiting.pelaksana,
            by=StepRun.By.REQUESTER if case.status == Status.WAITING else StepRun.By.STAFF,
            started_at=now,
            due_at=case.current_due_at,
            standard_minutes=waiting.waktu,
        )
        ctx.unwritten.append(ctx.open_run)


def _write_change(ctx: EffectContext) -> None:
    """Write what the change gathered: its new steps in one insert, the deviations of the steps
    a person closed (they refer to their step's row), the tallies of every finished step in one
    statement per tally, and the case row once."""
    ctx.steps_written()
    for run, reason in ctx.closed:
        record_deviations(run, case=ctx.case, now=run.finished_at or timezone.now(), reason=reason)
    if ctx.finished:
        count_runs(ctx.finished, ctx.case)  # the reports' tallies (loket.tallies)
    if ctx.case_changed:
        ctx.case.save()
    ctx.closed, ctx.finished, ctx.case_changed = [], [], False


def _settle(case: Case, advance: engine.Advance, now: dt.datetime) -> None:
    """Move `case` (in memory; the caller writes it) to where `advance` leaves it: waiting at its
    next step with that step's due time, or ended."""
    waiting = advance.waiting
    if waiting is None:
        _end(case, status=Status.REFUSED if advance.outcome == "ditolak" else Status.DONE, now=now)
    else:
        by = engine.by_of(waiting, facts_of(case))
        case.status = Status.WAITING if by == "pemohon" else Status.OPEN
        case.current_step = waiting.no
        case.current_lane = waiting.pelaksana
        case.current_due_at = engine.due_at(waiting, now, calendar_for(case.unit).add)
    case.version += 1


def _runs_effect(move: engine.Move) -> bool:
    """Whether completing `move` runs its action's effect: a system action (the engine says
    when), or a staff action with an effect."""
    action = REGISTRY[move.step.aksi]
    return action.effect is not None and (bool(move.effect) or move.by == "staf")


def _completed(ctx: EffectContext, move: engine.Move, run: StepRun, **detail: Any) -> None:
    """A step is done: run its action's effect (never writing a secret to the step) and write
    the action's audit event."""
    action = REGISTRY[move.step.aksi]
    if _runs_effect(move):
        assert action.effect is not None
        ctx.step_run = run
        run.detail = {**run.detail, **action.effect(ctx)}
        if run.pk is not None:
            run.save(update_fields=["detail"])
    ctx.audit.append(
        audit_entry(
            action.audit,
            actor=ctx.actor,
            case=ctx.case,
            step=move.step.no,
            answer=move.answer,
            by=run.by,
            **detail,
        )
    )


def _end_change(ctx: EffectContext) -> None:
    """End a change: write what it gathered (`_write_change`), its steps' audit entries in one
    statement, and seal the file, once, after every step is recorded (the one place that seals:
    an SOP may record steps after its archive step)."""
    _write_change(ctx)
    log_actions(ctx.audit)
    ctx.audit = []
    if ctx.seal:
        from .archive import seal_case

        seal_case(ctx.case)


def _hold(ctx: EffectContext, step: Any) -> None:
    """The case waits on the gate of `step` (its `tunggu`): in no lane's queue, no step open, so
    no staff minutes run until `pass_gate`."""
    case = ctx.case
    case.status = Status.TRAINING
    case.current_step = step.no
    case.current_lane = ""
    case.current_due_at = None
    case.version += 1
    ctx.case_changed = True


@transaction.atomic
def pass_gate(*, case_id: int, gate: str, actor: Any, values: dict[str, Any] | None = None) -> Case:
    """The event a held case waited on happened (e.g. its candidate attended training): the case
    goes on from the held step as if it had just been answered, on `actor`'s authority. `values`
    reach the effects that run (e.g. the password set by hand in SPSE).

    Effects, in order: case locked; it must wait on `gate`; the actor may act in the held step's
    lane; the steps after it run (their effects: the result mail, the archive seal), the next
    step is opened or the case closed; audit entries."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("unit", "sop", "account").filter(pk=case_id).first()
    )
    if case is None or not rules.can_view(actor, case):
        raise NotFound(_("Permohonan tidak ditemukan."))
    sop = parsed(case.sop)
    step = sop.step(case.current_step) if case.current_step else None
    if case.status != Status.TRAINING or step is None or step.tunggu != gate:
        raise Conflict(_("Permohonan %(ref)s tidak sedang menunggu hal ini.") % {"ref": case.reference})
    if not rules.can_act(actor, case, step.pelaksana):
        raise NotAllowed(_("Langkah ini dikerjakan oleh %(lane)s; Anda tidak berwenang.") % {"lane": step.pelaksana})
    held = case.steps.filter(step=step.no, finished_at__isnull=False).order_by("-id").first()
    assert held is not None, "a held case has its held step recorded"
    now = timezone.now()
    ctx = EffectContext(case=case, sop=sop, actor=actor, decision=Decision(answers=[], values=values or {}))
    advance = engine.advance(sop, step.no, held.answer or None, facts_of(case), by="staf")
    _apply(ctx, advance, held, now=now, answered_done=True)
    _end_change(ctx)
    log_action("case.gate_passed", actor=actor, case=case, step=step.no, gate=gate)
    return case


def _open_run(case: Case, ctx: EffectContext | None = None) -> StepRun:
    """The step the case waits at: the one this change opened (`ctx`), else its open row."""
    run = ctx.open_run if ctx is not None and ctx.open_run is not None else None
    if run is None:
        run = case.steps.filter(finished_at__isnull=True).order_by("-id").first()
    if run is None or run.step != case.current_step:
        raise Conflict(_("Permohonan ini tidak sedang menunggu langkah tersebut. Muat ulang halaman."))
    return run


def _finish(
    run: StepRun,
    *,
    case: Case,
    answer: str,
    actor: Any,
    note: str,
    now: dt.datetime,
    reason: str = "",
    ctx: EffectContext | None = None,
) -> None:
    """Close `run`; its deviations from the mutu baku are recorded with it (loket.deviations;
    `reason`: the executor's reason for a late step, given with the answer) and its tallies
    counted: at once, or with `ctx` when the change ends (a step this change opened is inserted
    then, already closed)."""
    run.finished_at = now
    run.answer = answer
    run.note = note
    if getattr(actor, "is_authenticated", False):
        run.actor = actor
    if run.by == StepRun.By.STAFF:
        run.working_minutes = calendar_for(case.unit).between(run.started_at, now)
    if ctx is None:
        run.save()
        count_runs([run], case)  # the reports' tallies (loket.tallies)
        record_deviations(run, case=case, now=now, reason=reason)
        return
    if run.pk is not None:
        run.save()
    if ctx.open_run is run:
        ctx.open_run = None
    ctx.finished.append(run)
    ctx.closed.append((run, reason))


# -- decide ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    case: Case
    applied: list[int]  # the step numbers answered, in order


@transaction.atomic
def decide(*, case_id: int, actor: Any, version: int, decision: Decision) -> Decided:
    """A staff member answers the step(s) the case waits at: one or more consecutive steps of their
    lane (each recorded as its own step), as seen at `version`.

    Effects, in order: the case row locked; version checked (a stale one raises Conflict, so a
    double click or two staff at once advance the case once); scope checked; per answered step:
    the data it needs checked (missing documents, the directory record, a reason), the step
    closed with actor, answer, note and working minutes, the steps the system completes after it
    recorded as done by the system on the actor's authority with their effects (reset, link,
    mail, archive seal), the next step opened with its due time; audit entry.
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "sop", "account", "password_claimed_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not rules.can_view(actor, case):
        raise NotFound(_("Permohonan tidak ditemukan."))
    if case.version != version:
        raise Conflict(_("Permohonan ini sudah diproses atau diubah oleh petugas lain. Muat ulang halaman."))
    if case.status == Status.TRAINING:
        raise Conflict(_("Permohonan ini menunggu pemilik akun mengikuti pelatihan; tidak ada langkah untuk dijawab."))
    if not decision.answers:
        raise Invalid(_("Belum ada jawaban yang dipilih."))
    typed = {f"note-{a.step}": a.note for a in decision.answers} | {
        name: value for name, value in decision.values.items() if isinstance(value, str)
    }
    problems = text_problems(
        multiline=frozenset(
            n for n in typed if n.startswith(("note-", LATE_REASON_PREFIX)) or n == "phone_confirmation"
        ),
        **typed,
    )
    if problems:
        raise Invalid(_("Isian memuat karakter kontrol yang tidak diizinkan. Ketik ulang isinya."), problems)
    sop = parsed(case.sop)
    now = timezone.now()
    facts = facts_of(case)
    ctx = EffectContext(case=case, sop=sop, actor=actor, decision=decision)
    applied: list[int] = []
    for given in decision.answers:
        if case.is_closed or case.current_step != given.step:
            if not applied:
                raise Conflict(
                    _("Permohonan ini tidak sedang menunggu langkah %(no)s. Muat ulang halaman.") % {"no": given.step}
                )
            break  # an earlier answer took the case elsewhere; later ones no longer apply
        step = sop.step(given.step)
        if engine.by_of(step, facts) != "staf":
            raise Invalid(_("Langkah %(no)s bukan langkah petugas.") % {"no": step.no})
        if not rules.can_act(actor, case, step.pelaksana):
            raise NotAllowed(
                _("Langkah ini dikerjakan oleh %(lane)s; Anda tidak berwenang.") % {"lane": step.pelaksana}
            )
        if given.answer not in engine.allowed_answers(step):
            raise Invalid(
                _("Jawaban untuk langkah %(no)s harus salah satu dari: %(allowed)s.")
                % {
                    "no": step.no,
                    "allowed": ", ".join(engine.allowed_answers(step)),
                }
            )
        if facts.assisted and REGISTRY[step.aksi].spec.sets_password:
            use_password_claim(case, actor, now)
        run = _open_run(case, ctx)
        check = REGISTRY[step.aksi].check
        if check is not None:
            ctx.step_run = run
            run.detail = {**run.detail, **check(ctx, step, given.answer, given.note)}
        reason = decision.value(LATE_REASON.format(no=step.no)) or ""
        _finish(
            run, case=case, answer=given.answer, actor=actor, note=given.note.strip(), now=now, reason=reason, ctx=ctx
        )
        applied.append(step.no)
        if step.tunggu:
            _completed(ctx, engine.Move(step, given.answer, "staf"), run)
            _hold(ctx, step)
            break  # the case waits on the gate (pass_gate), outside every lane
        advance = engine.advance(sop, step.no, given.answer, facts, by="staf")
        _apply(ctx, advance, run, now=now)
    ctx.audit.append(audit_entry("case.decided", actor=actor, case=case, steps=applied))
    _end_change(ctx)
    return Decided(case, applied)


# -- a password set by hand in SPSE ------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordClaim:
    """Who holds a case's password step: `mine` when it is the asking staff member."""

    mine: bool
    holder: Any
    since: dt.datetime
    until: dt.datetime


def _claim_of(case: Case, now: dt.datetime) -> tuple[Any, dt.datetime] | None:
    if case.password_claimed_by_id is None or case.password_claimed_at is None:
        return None
    if now - case.password_claimed_at >= dt.timedelta(minutes=settings.LOKET_PASSWORD_CLAIM_MINUTES):
        return None  # lapsed
    return case.password_claimed_by, case.password_claimed_at


@transaction.atomic
def claim_password_step(*, case_id: int, actor: Any) -> PasswordClaim:
    """Before a staff member is shown a password to set in SPSE: they hold the case's password
    step for LOKET_PASSWORD_CLAIM_MINUTES, unless another staff member holds it now (then that
    claim is returned and nothing changes). Two staff can so never set two different passwords
    for one request. Effects: the case row locked; the claim written (renewed for its holder);
    audit `case.password_claimed` when a new holder takes it."""
    case = Case.objects.select_for_update(of=("self",)).select_related("password_claimed_by").get(pk=case_id)
    now = timezone.now()
    held = _claim_of(case, now)
    minutes = dt.timedelta(minutes=settings.LOKET_PASSWORD_CLAIM_MINUTES)
    if held is not None and held[0] != actor:
        return PasswordClaim(mine=False, holder=held[0], since=held[1], until=held[1] + minutes)
    if held is None:
        log_action("case.password_claimed", actor=actor, case=case)
    Case.objects.filter(pk=case.pk).update(password_claimed_by=actor, password_claimed_at=now)
    return PasswordClaim(mine=True, holder=actor, since=now, until=now + minutes)


def use_password_claim(case: Case, actor: Any, now: dt.datetime) -> None:
    """A staff member is about to record a password they set in SPSE for `case` (locked by the
    caller, who saves it): refused while another staff member holds the claim; the claim ends."""
    _check_password_claim(case, actor, now)
    case.password_claimed_by, case.password_claimed_at = None, None


def _check_password_claim(case: Case, actor: Any, now: dt.datetime) -> None:
    held = _claim_of(case, now)
    if held is not None and held[0] != actor:
        raise Conflict(
            _(
                "%(user)s sedang mengatur password permohonan ini di SPSE (sejak %(time)s). Jangan atur "
                "password lain di SPSE; muat ulang halaman setelah ia menyimpan."
            )
            % {"user": held[0].get_username(), "time": timezone.localtime(held[1], _zone(case)).strftime("%H:%M")}
        )


def _zone(case: Case) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(case.unit.zona_waktu)


# -- requester's own steps -----------------------------------------------------------------------


@transaction.atomic
def supply_documents(*, tracking_code: str, files: list[Upload], note: str = "", actor: Any = None) -> Case:
    """The requester hands in what was missing (their `lengkapi-berkas` step), on the status page
    or the API: the case their tracking code opens (`supply_case_documents`)."""
    case = case_by_tracking_code(tracking_code, lock=True)
    return supply_case_documents(case, files=files, note=note, actor=actor)


def supply_case_documents(
    case: Case, *, files: list[Upload], note: str = "", actor: Any = None, channel: str = ""
) -> Case:
    """The requester's `lengkapi-berkas` step for `case` (locked by the caller, inside its
    transaction), wherever it was found (a tracking code; a reply by mail, `channel` "email").

    Effects, in order: it must be waiting on the requester; documents checked (all or nothing)
    and stored; the step closed; the case moves on (back to the completeness check); audit entry."""
    if case.status != Status.WAITING:
        raise Conflict(_("Permohonan ini tidak sedang menunggu kelengkapan berkas dari Anda."))
    sop = parsed(case.sop)
    if problems := text_problems(note=note, multiline=frozenset({"note"})):
        raise Invalid(_("Berkas belum dapat diterima. Periksa isian yang ditandai."), problems)
    if not files:
        raise Invalid(_("Lampirkan berkas yang diminta."), {"files": _("Belum ada berkas yang dilampirkan.")})
    try:
        checked = check_files(files, allowed_kodes={b.kode for b in sop.berkas_for(case.requester_role)})
    except UploadRejected as exc:
        raise Invalid(_("Berkas belum dapat diterima. Periksa isian yang ditandai."), exc.problems) from exc
    now = timezone.now()
    run = _open_run(case)
    store_documents(case, checked, step=run.step)
    run.detail = {
        **run.detail,
        "berkas": sorted({c.kode for c in checked}),
        **({"kanal": channel} if channel else {}),
    }
    _finish(run, case=case, answer="lanjut", actor=actor, note=note.strip(), now=now)
    advance = engine.advance(sop, run.step, None, facts_of(case), by="pemohon")
    ctx = EffectContext(case=case, sop=sop, actor=actor)
    _apply(ctx, advance, run, now=now, audit={"documents": len(checked), **({"channel": channel} if channel else {})})
    _end_change(ctx)
    return case


def _end(case: Case, *, status: str, now: dt.datetime) -> None:
    """Mark `case` ended (the caller saves it): no step waits any more."""
    case.status = status
    case.current_step = None
    case.current_lane = ""
    case.current_due_at = None
    case.closed_at = now
    invite_to_survey(case, now=now)  # done or refused only; never raises (loket.survey.services)


def _close(case: Case, *, status: str, answer: str, note: str, now: dt.datetime, template: str) -> None:
    run = case.steps.filter(finished_at__isnull=True).order_by("-id").first()
    if run is not None:
        _finish(run, case=case, answer=answer, actor=None, note=note, now=now)
    _end(case, status=status, now=now)
    case.outcome_note = note
    case.version += 1
    case.save()
    queue_mail(
        to=case.requester_email,
        template=template,
        context={"reference": case.reference, "unit_name": case.unit.nama},
        case=case,
    )


@transaction.atomic
def withdraw_request(*, tracking_code: str, reason: str = "") -> Case:
    """The requester withdraws an open request. Effects: the open step closed as `dibatalkan`,
    the case closed as withdrawn, mail `dibatalkan`, audit entry."""
    case = case_by_tracking_code(tracking_code, lock=True)
    if case.is_closed:
        raise Conflict(_("Permohonan ini sudah selesai dan tidak dapat dibatalkan."))
    _close(
        case,
        status=Status.WITHDRAWN,
        answer="dibatalkan",
        note=reason.strip(),
        now=timezone.now(),
        template="dibatalkan",
    )
    log_action("case.withdrawn", case=case)
    return case


def expire_stale_cases(*, now: dt.datetime | None = None) -> int:
    """Close every case that has waited on its requester longer than LOKET_REQUESTER_WAIT_DAYS.
    Run by the worker. Effects per case (own transaction): step closed as `kedaluwarsa`, case
    expired, mail `kedaluwarsa`, audit entry."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.LOKET_REQUESTER_WAIT_DAYS)
    stale = StepRun.objects.filter(
        finished_at__isnull=True, by=StepRun.By.REQUESTER, started_at__lt=limit, case__status=Status.WAITING
    ).values_list("case_id", flat=True)
    count = 0
    for case_id in list(stale):
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case_id)
            if case.status != Status.WAITING:
                continue
            note = _("Berkas tidak dilengkapi dalam %(days)s hari.") % {"days": settings.LOKET_REQUESTER_WAIT_DAYS}
            _close(case, status=Status.EXPIRED, answer="kedaluwarsa", note=note, now=now, template="kedaluwarsa")
            log_action("case.expired", case=case)
            count += 1
    return count


__all__ = [
    "Conflict",
    "Decided",
    "Decision",
    "Invalid",
    "NotAllowed",
    "PasswordClaim",
    "NotFound",
    "StepAnswer",
    "Submitted",
    "claim_password_step",
    "decide",
    "expire_stale_cases",
    "checked_documents",
    "open_case",
    "pass_gate",
    "requester_role",
    "use_password_claim",
    "facts_of",
    "submit_request",
    "supply_case_documents",
    "supply_documents",
    "withdraw_request",
]
