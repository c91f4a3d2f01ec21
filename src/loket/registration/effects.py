"""What the registration's actions do when a case of `layanan: registrasi-akun` runs them: the
head of the unit's reply letter with the disposition (`terima-disposisi`), and the new account
(`buat-akun`: its check, then its creation, inactive while a `tunggu` gate holds it).

Keyed by action, never by SOP: `cases.actions.REGISTRY` names these functions. A case without a
registration (a disposition in a reset SOP) is only recorded.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases.context import EffectContext
from loket.cases.errors import Invalid
from loket.cases.models import Case
from loket.cases.storage import store_made
from loket.directory.backends import backend_for
from loket.directory.models import Account, Agency
from loket.notify.services import queue_mail
from loket.sop.model import Kegiatan

from . import letters
from .letters import agency_name
from .models import Registration
from .user_ids import propose_user_id, user_id_problems

REPLY_LETTER = "surat-jawaban"  # the kode of the reply letter among a case's documents


def registration_of(case: Case) -> Registration | None:
    return Registration.objects.filter(case=case).first()


def local_today(case: Case) -> dt.date:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(case.unit.zona_waktu)).date()


# -- terima-disposisi: receipt, reply letter, disposition --------------------------------------------


def answer_and_dispose(ctx: EffectContext) -> dict[str, Any]:
    """The reply letter to the head of the agency, numbered from the unit's counter, kept among
    the case's documents and mailed to the head with the letter attached. The disposition itself
    is the case moving on to the next lane."""
    case = ctx.case
    registration = registration_of(case)
    if registration is None:
        return {}
    assert ctx.step_run is not None
    today = local_today(case)
    number = letters.take_number(case.unit, today)
    note = (ctx.decision.value("letter_note") or "").strip()
    pdf = letters.reply_letter_pdf(registration, number=number, date=today, note=note)
    name = "surat-jawaban-" + re.sub(r"[^A-Za-z0-9]+", "-", number).strip("-").lower() + ".pdf"
    doc = store_made(
        case, kode=REPLY_LETTER, name=name, content=pdf, content_type="application/pdf", step=ctx.step_run.step
    )
    registration.letter_number = number
    registration.save(update_fields=["letter_number"])
    queue_mail(
        to=case.requester_email,
        template="surat-jawaban",
        context={
            "reference": case.reference,
            "name": case.requester_name,
            "number": number,
            "candidate": registration.candidate_name,
            "unit_name": case.unit.nama,
        },
        case=case,
        attachments=[{"document": doc.pk}],
    )
    return {"nomor_surat": number, "surat_sha256": doc.sha256}


def letter_preview(case: Case) -> tuple[str, bytes] | None:
    """The reply letter as the head of the unit would send it now (the number it would take), to
    look at before submitting; None for a case without a registration."""
    registration = registration_of(case)
    if registration is None:
        return None
    today = local_today(case)
    number = letters.peek_number(case.unit, today)
    return number, letters.reply_letter_pdf(registration, number=number, date=today)


# -- buat-akun: the new account ----------------------------------------------------------------------


def proposed_user_id(case: Case) -> str:
    """The user ID Loket proposes for the candidate by the unit's rule (LetterSettings)."""
    registration = registration_of(case)
    if registration is None:
        return ""
    return propose_user_id(
        unit=case.unit,
        pattern=letters.config_for(case.unit).user_id_pattern,
        candidate_name=registration.candidate_name,
        agency_name=agency_name(registration),
        nip=registration.candidate_nip,
    )


def existing_account_at(unit: Any, nip: str, role: str) -> Account | None:
    """An account the holder of `nip` already has at `unit` in `role`."""
    return Account.objects.filter(unit=unit, nip=nip, role=role).order_by("id").first() if nip else None


def existing_account(registration: Registration, role: str) -> Account | None:
    return existing_account_at(registration.case.unit, registration.candidate_nip, role)


def check_new_account(ctx: EffectContext, step: Kegiatan, answer: str, note: str) -> dict[str, Any]:
    """The account to create: not a second account of the candidate in this unit and role; the
    agency confirmed (one the request named that the unit did not list becomes one of its
    agencies); a user ID that is free (the unit's proposal unless staff changed it; where the
    accounts live in SPSE, the one staff created there)."""
    case = ctx.case
    registration = registration_of(case)
    if registration is None:
        raise Invalid(_("Permohonan ini bukan permohonan akun baru; akun tidak dapat dibuat dari sini."))
    role = ctx.sop.peran_akun[0]
    held = existing_account(registration, role)
    if held is not None:
        raise Invalid(
            _(
                "%(name)s (NIP %(nip)s) sudah memiliki akun %(role)s di unit ini: %(user_id)s. Akun kedua tidak "
                "dibuat; bila pemiliknya lupa password, gunakan layanan pemulihan akun."
            )
            % {
                "name": registration.candidate_name,
                "nip": registration.candidate_nip,
                "role": role,
                "user_id": held.user_id,
            },
            {"new_user_id": ""},
        )
    by_hand = backend_for(case.unit).by_hand
    typed = (ctx.decision.value("new_user_id") or "").strip()
    if by_hand and not typed:
        raise Invalid(_("Tulis user ID akun yang dibuat di SPSE."), {"new_user_id": ""})
    user_id = typed or proposed_user_id(case)
    problems = user_id_problems(case.unit, user_id)
    if problems:
        raise Invalid(" ".join(problems), {"new_user_id": ""})
    new_agency = False
    if case.agency_id is None:
        case.agency, new_agency = Agency.objects.get_or_create(unit=case.unit, name=registration.new_agency_name)
        case.save(update_fields=["agency"])
    ctx.user_id = user_id
    return {"user_id": user_id, "instansi_baru": new_agency}


def create_account(ctx: EffectContext) -> dict[str, Any]:
    """Create the checked account: inactive while the step's gate (`tunggu`) holds the case."""
    case = ctx.case
    registration = registration_of(case)
    assert registration is not None and ctx.user_id and ctx.step_run is not None and case.agency is not None
    gated = bool(ctx.sop.step(ctx.step_run.step).tunggu)
    account = backend_for(case.unit).create(
        unit=case.unit,
        user_id=ctx.user_id,
        name=registration.candidate_name,
        email=registration.candidate_email,
        role=ctx.sop.peran_akun[0],
        agency=case.agency,
        nip=registration.candidate_nip,
        phone=registration.candidate_phone,
        sk_number=registration.sk_number,
        active=not gated,
    )
    case.account = account
    case.save(update_fields=["account"])
    now = timezone.now()
    if gated:
        registration.waiting_since = now
    else:
        registration.activated_at = now
    registration.save(update_fields=["waiting_since", "activated_at"])
    return {"akun": account.user_id, "aktif": not gated}
