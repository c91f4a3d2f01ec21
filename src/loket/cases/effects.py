"""What each `aksi` does when a case runs, beside moving it on: the checks a staff decision
needs, and the effects the system runs for the steps it completes.

Keyed by action name, never by SOP: a new SOP that uses these actions needs no code; a new action
adds an entry here (and in ACTIONS of the SOP model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from loket.directory.backends import get_backend
from loket.directory.credentials import credential_url, issue_credential_link
from loket.directory.models import Account
from loket.notify.services import queue_mail
from loket.sop.model import Sop

from .errors import Invalid
from .models import Need

if TYPE_CHECKING:
    from .models import Case, StepRun
    from .services import Decision


# -- decisions: what staff must give with an answer -------------------------------------------------


def _check_completeness(*, case: Case, sop: Sop, answer: str, note: str, decision: Decision) -> dict[str, Any]:
    known = {b.kode: b.nama for b in sop.berkas}
    missing = [kode for kode in decision.missing if kode in known]
    unknown = [kode for kode in decision.missing if kode not in known]
    if unknown:
        raise Invalid(_("Jenis berkas tidak dikenal: %(k)s.") % {"k": ", ".join(unknown)})
    if answer == "ya" and missing:
        raise Invalid(_("Berkas ditandai kurang tetapi jawaban 'lengkap'. Pilih salah satu."))
    if answer == "tidak" and not missing and not note.strip():
        raise Invalid(_("Tandai berkas yang kurang atau tulis catatan apa yang harus dilengkapi."))
    return {"kurang": missing}


def _check_validity(*, case: Case, sop: Sop, answer: str, note: str, decision: Decision) -> dict[str, Any]:
    if decision.account_id is not None:
        account = Account.objects.filter(pk=decision.account_id, unit=case.unit).first()
        if account is None:
            raise Invalid(_("Akun yang dipilih tidak ada di direktori unit ini."))
        case.account = account
    if decision.phone_confirmation.strip():
        case.phone_confirmation = decision.phone_confirmation.strip()
        case.email_confirmed_by_phone = decision.email_confirmed_by_phone
    elif decision.email_confirmed_by_phone:
        raise Invalid(_("Tulis catatan konfirmasi telepon sebelum memakai e-mail yang diketik pemohon."))
    case.save(update_fields=["account", "phone_confirmation", "email_confirmed_by_phone"])
    if answer == "ya" and case.account is None:
        raise Invalid(_("Pilih akun di direktori yang sesuai dengan permohonan sebelum menyatakan benar/valid."))
    if answer == "tidak" and not note.strip():
        raise Invalid(_("Tulis alasan penolakan; alasan ini dikirim kepada pemohon."))
    return {
        "akun": case.account.user_id if case.account else None,
        "konfirmasi_telepon": bool(case.phone_confirmation),
    }


DECISION_CHECKS: dict[str, Callable[..., dict[str, Any]]] = {
    "periksa-kelengkapan": _check_completeness,
    "periksa-keabsahan": _check_validity,
}


def check_decision(aksi: str, *, case: Case, sop: Sop, answer: str, note: str, decision: Decision) -> dict[str, Any]:
    check = DECISION_CHECKS.get(aksi)
    return check(case=case, sop=sop, answer=answer, note=note, decision=decision) if check else {}


# -- effects: what the system does for the steps it completes ---------------------------------------


def _account(case: Case) -> Account:
    if case.account is None:
        raise Invalid(_("Permohonan belum dikaitkan dengan akun di direktori."))
    return case.account


def _reset(case: Case, scratch: dict[str, Any]) -> dict[str, Any]:
    account = _account(case)
    password = get_backend().reset_password(account)
    scratch["link_token"] = issue_credential_link(case=case, account=account, password=password)
    scratch["user_id"] = get_backend().look_up_user_id(account)
    return {"password_sementara": True, "user_id_ditemukan": True}


def _look_up(case: Case, scratch: dict[str, Any]) -> dict[str, Any]:
    scratch["user_id"] = get_backend().look_up_user_id(_account(case))
    return {"user_id_ditemukan": True}


def reset_password(*, case: Case, scratch: dict[str, Any], **_kw: Any) -> dict[str, Any]:
    return _reset(case, scratch)


def look_up_user_id(*, case: Case, scratch: dict[str, Any], **_kw: Any) -> dict[str, Any]:
    return _look_up(case, scratch)


def reset_or_user_id(*, case: Case, scratch: dict[str, Any], **_kw: Any) -> dict[str, Any]:
    """Reset when the requester asked for a new password; look up the user ID otherwise."""
    return _reset(case, scratch) if case.need == Need.PASSWORD else _look_up(case, scratch)


def _delivery_address(case: Case) -> str:
    """The address on record in the directory, unless staff confirmed the typed one by phone."""
    if case.email_confirmed_by_phone:
        return case.requester_email
    return _account(case).email


def notify_result(*, case: Case, scratch: dict[str, Any], **_kw: Any) -> dict[str, Any]:
    """Deliver the result: a one-time link to the temporary password, or the user ID."""
    account = _account(case)
    to = _delivery_address(case)
    if case.need == Need.PASSWORD:
        token = scratch.get("link_token")
        if token is None:  # the reset ran in an earlier answer: issue a fresh password and link
            _reset(case, scratch)
            token = scratch["link_token"]
        queue_mail(
            to=to,
            template="hasil-password",
            context={
                "reference": case.reference,
                "name": account.name,
                "hours": settings.LOKET_LINK_HOURS,
                "unit_name": case.unit.nama,
            },
            case=case,
            secret_link=credential_url(token),
        )
    else:
        queue_mail(
            to=to,
            template="hasil-user-id",
            context={
                "reference": case.reference,
                "name": account.name,
                "user_id": scratch.get("user_id") or get_backend().look_up_user_id(account),
                "unit_name": case.unit.nama,
            },
            case=case,
        )
    return {"dikirim_ke": "alamat konfirmasi telepon" if case.email_confirmed_by_phone else "alamat di direktori"}


def status_url() -> str:
    """The portal's status page as linked from mail (the requester types their code there)."""
    return settings.LOKET_BASE_URL + reverse("portal:status")


def ask_for_documents(*, case: Case, sop: Sop, **_kw: Any) -> dict[str, Any]:
    """Tell the requester which documents are missing (from the last completeness check)."""
    check = case.steps.filter(aksi="periksa-kelengkapan", finished_at__isnull=False).order_by("-id").first()
    marked = check.detail.get("kurang", []) if check else []
    names = {b.kode: b.nama for b in sop.berkas}
    queue_mail(
        to=case.requester_email,
        template="minta-kelengkapan",
        context={
            "reference": case.reference,
            "missing": [names[k] for k in marked if k in names],
            "note": check.note if check else "",
            "supply_url": status_url(),
            "unit_name": case.unit.nama,
            "days": settings.LOKET_REQUESTER_WAIT_DAYS,
        },
        case=case,
    )
    return {"kurang": list(marked)}


def refuse(*, case: Case, **_kw: Any) -> dict[str, Any]:
    """Tell the requester the request is refused, with the reason staff wrote."""
    decided = case.steps.filter(by="staf", finished_at__isnull=False).exclude(note="").order_by("-id").first()
    # Mail to requesters is Indonesian whatever language the deciding staff member reads.
    with translation.override(settings.LANGUAGE_CODE):
        reason = decided.note if decided else _("Berkas permohonan tidak sesuai dengan data akun.")
        what_to_do = _("Anda dapat mengajukan permohonan baru dengan berkas yang benar, atau menghubungi unit kami.")
    case.outcome_note = reason
    case.save(update_fields=["outcome_note"])
    queue_mail(
        to=case.requester_email,
        template="ditolak",
        context={
            "reference": case.reference,
            "reason": reason,
            "unit_name": case.unit.nama,
            "what_to_do": what_to_do,
        },
        case=case,
    )
    return {"alasan_dikirim": True}


def hand_over(**_kw: Any) -> dict[str, Any]:
    """The file goes to the next lane: nothing to do but record it."""
    return {}


def archive(*, scratch: dict[str, Any], **_kw: Any) -> dict[str, Any]:
    """Seal the file once this answer's steps are all recorded (see services._apply)."""
    scratch["seal"] = True
    return {"disegel": True}


EFFECTS: dict[str, Callable[..., dict[str, Any]]] = {
    "reset-password": reset_password,
    "cari-user-id": look_up_user_id,
    "reset-atau-user-id": reset_or_user_id,
    "beri-tahu-hasil": notify_result,
    "minta-kelengkapan": ask_for_documents,
    "tolak": refuse,
    "teruskan": hand_over,
    "arsipkan": archive,
}


def run(name: str, *, case: Case, sop: Sop, step_run: StepRun, actor: Any, scratch: dict[str, Any]) -> dict[str, Any]:
    """Run the effect of action `name`; returns what to record on the step (never a secret)."""
    return EFFECTS[name](case=case, sop=sop, step_run=step_run, actor=actor, scratch=scratch)
