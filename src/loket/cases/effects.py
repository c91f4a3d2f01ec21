"""What actions do beside moving a case on: the checks of what staff give with an answer, and the
effects the system runs for the steps it completes (or that staff did by hand).

Each function serves one or more actions; `actions.REGISTRY` says which. Keyed by action, never
by SOP: a new SOP that uses these actions needs no code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from loket.directory.backends import backend_for
from loket.directory.credentials import credential_url, issue_credential_link
from loket.directory.models import Account
from loket.directory.passwords import password_problems
from loket.notify.services import queue_mail
from loket.sop.model import ACTIONS, Kegiatan

from .asked import asked_documents
from .context import EffectContext
from .errors import Invalid
from .models import Case, Need

# -- checks: what staff must give with an answer ---------------------------------------------------


def check_completeness(ctx: EffectContext, step: Kegiatan, answer: str, note: str) -> dict[str, Any]:
    known = {b.kode for b in ctx.sop.berkas_for(ctx.case.requester_role)}
    marked = list(ctx.decision.value("missing") or [])
    unknown = [kode for kode in marked if kode not in known]
    if unknown:
        raise Invalid(_("Jenis berkas tidak dikenal: %(k)s.") % {"k": ", ".join(unknown)}, {"missing": ""})
    if answer == "ya" and marked:
        raise Invalid(_("Berkas ditandai kurang tetapi jawaban 'lengkap'. Pilih salah satu."), {"missing": ""})
    if answer == "tidak" and not marked and not note.strip():
        raise Invalid(
            _("Tandai berkas yang kurang atau tulis catatan apa yang harus dilengkapi."), {f"note-{step.no}": ""}
        )
    ticked = _ticked(ctx.decision.value("kelengkapan"), len(step.kelengkapan))
    if answer == "ya" and len(ticked) < len(step.kelengkapan):
        unticked = [item for i, item in enumerate(step.kelengkapan) if i not in ticked]
        raise Invalid(
            _("Centang setiap butir kelengkapan yang sudah diperiksa sebelum menyatakan lengkap: %(items)s.")
            % {"items": "; ".join(unticked)},
            {"kelengkapan": ""},
        )
    return {"kurang": marked, **({"kelengkapan_dicentang": sorted(ticked)} if step.kelengkapan else {})}


def _ticked(raw: Any, count: int) -> set[int]:
    """The kelengkapan items ticked, by their index in the step's list (unknown indexes dropped)."""
    found: set[int] = set()
    for value in raw or []:
        try:
            index = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= index < count:
            found.add(index)
    return found


def check_validity(ctx: EffectContext, step: Kegiatan, answer: str, note: str) -> dict[str, Any]:
    case, values = ctx.case, ctx.decision.values
    by_hand = backend_for(case.unit).by_hand
    if values.get("account_id") is not None:
        account = Account.objects.filter(pk=values["account_id"], unit=case.unit).first()
        if account is None:
            raise Invalid(_("Akun yang dipilih tidak ada di direktori unit ini."), {"account_id": ""})
        _same_agency(case, account, "account_id")
        case.account = account
    # A user ID read in SPSE: only where the unit's accounts live there (elsewhere the account
    # must already be in Loket's directory, and registration is its own service).
    typed_user_id = (values.get("user_id") or "").strip() if by_hand else ""
    if case.account is None and typed_user_id and answer == "ya":
        case.account = _account_read_in_spse(ctx, typed_user_id)
    confirmation = (values.get("phone_confirmation") or "").strip()
    if confirmation:
        case.phone_confirmation = confirmation
        case.email_confirmed_by_phone = bool(values.get("email_confirmed_by_phone"))
    elif values.get("email_confirmed_by_phone"):
        raise Invalid(
            _("Tulis catatan konfirmasi telepon sebelum memakai e-mail yang diketik pemohon."),
            {"phone_confirmation": ""},
        )
    if answer == "ya" and case.account is None:
        message = (
            _("Pilih akun di direktori atau tulis user ID-nya di SPSE sebelum menyatakan benar/valid.")
            if by_hand
            else _("Pilih akun di direktori yang sesuai dengan permohonan sebelum menyatakan benar/valid.")
        )
        raise Invalid(message, {"account_id": ""})
    if answer == "tidak" and not note.strip():
        raise Invalid(_("Tulis alasan penolakan; alasan ini dikirim kepada pemohon."), {f"note-{step.no}": ""})
    return {
        "akun": case.account.user_id if case.account else None,
        "konfirmasi_telepon": bool(case.phone_confirmation),
    }


def _same_agency(case: Case, account: Account, field: str) -> None:
    """A case names its agency: its staff may tie it only to an account of that agency."""
    if case.agency_id is not None and account.agency_id != case.agency_id:
        raise Invalid(
            _("Akun %(user_id)s milik instansi lain (%(agency)s), bukan instansi permohonan ini.")
            % {"user_id": account.user_id, "agency": account.agency.name},
            {field: ""},
        )


def _account_read_in_spse(ctx: EffectContext, user_id: str) -> Account:
    """The account a user ID staff read in SPSE names: the mirror's record when it has one (of
    the case's agency), else a record made from the request. A new record's only address is the
    one the requester typed, so staff must have confirmed it by phone."""
    case, values = ctx.case, ctx.decision.values
    existing = Account.objects.filter(unit=case.unit, user_id__iexact=user_id).select_related("agency").first()
    if existing is not None:
        _same_agency(case, existing, "user_id")
        return existing
    if not (values.get("phone_confirmation") or "").strip() or not values.get("email_confirmed_by_phone"):
        raise Invalid(
            _(
                "Akun ini belum ada di direktori Loket: hasil hanya dapat dikirim ke e-mail yang diketik "
                "pemohon. Konfirmasikan e-mail itu melalui telepon dan catat konfirmasinya."
            ),
            {"phone_confirmation": ""},
        )
    if case.agency is None:
        raise Invalid(_("Permohonan ini tidak menyebut instansi; akun tidak dapat dicatat."), {"user_id": ""})
    return backend_for(case.unit).create(
        unit=case.unit,
        user_id=user_id,
        name=case.requester_name,
        email=case.requester_email,
        role=ctx.sop.peran_akun[0],
        agency=case.agency,
        nip=case.requester_nip,
        phone=case.requester_phone,
    )


def check_manual_reset(ctx: EffectContext, step: Kegiatan, answer: str, note: str) -> dict[str, Any]:
    """A password set by hand in SPSE: it meets SPSE's rule and staff confirm it is set."""
    if not _sets_password(ctx, step):
        return {}
    password = ctx.decision.value("temporary_password") or ""
    problems = password_problems(password)
    if problems:
        raise Invalid(" ".join(problems), {"temporary_password": ""})
    if not ctx.decision.value("password_set_in_spse"):
        raise Invalid(
            _("Centang bahwa password sementara sudah diatur di SPSE sebelum menyimpan."),
            {"password_set_in_spse": ""},
        )
    return {"diatur_di_spse": True}


def check_task(ctx: EffectContext, step: Kegiatan, answer: str, note: str) -> dict[str, Any]:
    """A manual task that is also a decision (e.g. an approval): a 'no' says why."""
    if step.keputusan is not None and answer == "tidak" and not note.strip():
        raise Invalid(_("Tulis alasan jawaban 'Tidak' pada catatan langkah ini."), {f"note-{step.no}": ""})
    return {}


# -- effects: what the system does for the steps it completes --------------------------------------


def _account(ctx: EffectContext) -> Account:
    if ctx.case.account is None:
        raise Invalid(_("Permohonan belum dikaitkan dengan akun di direktori."))
    return ctx.case.account


def _sets_password(ctx: EffectContext, step: Kegiatan) -> bool:
    sets = ACTIONS[step.aksi].sets_password
    return sets == "always" or (sets == "when-asked" and ctx.case.need == Need.PASSWORD)


def _reset(ctx: EffectContext) -> dict[str, Any]:
    account = _account(ctx)
    backend = backend_for(ctx.case.unit)
    given = ctx.decision.value("temporary_password") if backend.by_hand else None
    if backend.by_hand and not given:
        raise Invalid(_("Password sementara yang diatur di SPSE belum diisi."), {"temporary_password": ""})
    password = backend.reset_password(account, password=given)
    ctx.link_token = issue_credential_link(case=ctx.case, account=account, password=password)
    ctx.user_id = backend.look_up_user_id(account)
    return {"password_sementara": True, "user_id_ditemukan": True, "diatur_manual": backend.by_hand}


def _look_up(ctx: EffectContext) -> dict[str, Any]:
    ctx.user_id = backend_for(ctx.case.unit).look_up_user_id(_account(ctx))
    return {"user_id_ditemukan": True}


def reset_password(ctx: EffectContext) -> dict[str, Any]:
    return _reset(ctx)


def look_up_user_id(ctx: EffectContext) -> dict[str, Any]:
    return _look_up(ctx)


def reset_or_user_id(ctx: EffectContext) -> dict[str, Any]:
    """Reset when the requester asked for a new password; look up the user ID otherwise."""
    return _reset(ctx) if ctx.case.need == Need.PASSWORD else _look_up(ctx)


def _delivery_address(ctx: EffectContext) -> str:
    """The address on record in the directory, unless staff confirmed the typed one by phone."""
    if ctx.case.email_confirmed_by_phone:
        return ctx.case.requester_email
    return _account(ctx).email


def mask_address(address: str) -> str:
    """An e-mail address as a requester is shown it: `s***@pu.kaltimprov.go.id`."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def notify_result(ctx: EffectContext) -> dict[str, Any]:
    """Deliver the result: a one-time link to the temporary password (a reset, or a new account),
    or the user ID; then a copy without the secret to each lane the step names (`tembusan`)."""
    case = ctx.case
    account = _account(ctx)
    backend = backend_for(case.unit)
    to = _delivery_address(ctx)
    if case.need in {Need.PASSWORD, Need.NEW_ACCOUNT}:
        if ctx.link_token is None:
            if backend.by_hand and not ctx.decision.value("temporary_password"):
                raise Invalid(_("Password sementara belum diatur di SPSE untuk permohonan ini."))
            _reset(ctx)  # a new account, or a reset of an earlier answer: a fresh password and link
        queue_mail(
            to=to,
            template="akun-dibuat" if case.need == Need.NEW_ACCOUNT else "hasil-password",
            context={
                "reference": case.reference,
                "name": account.name,
                "user_id": account.user_id,
                "hours": settings.LOKET_LINK_HOURS,
                "unit_name": case.unit.nama,
                "in_spse": backend.by_hand,
            },
            case=case,
            secret_link=credential_url(ctx.link_token or ""),
        )
    else:
        queue_mail(
            to=to,
            template="hasil-user-id",
            context={
                "reference": case.reference,
                "name": account.name,
                "user_id": ctx.user_id or backend.look_up_user_id(account),
                "unit_name": case.unit.nama,
            },
            case=case,
        )
    copied = _copies(ctx, account, to)
    return {
        "dikirim_ke": "alamat konfirmasi telepon" if case.email_confirmed_by_phone else "alamat di direktori",
        "alamat": mask_address(to),
        **({"tembusan": copied} if copied else {}),
    }


def copy_recipients(case: Case, lane: str) -> list[str]:
    """Who gets the copy for `lane`: the staff who completed a step of that lane on this case,
    else everyone holding it at the unit (of the case's agency, in an agency-scoped lane)."""
    from django.contrib.auth import get_user_model

    from loket.staff.models import StaffRole

    users = get_user_model().objects.filter(
        pk__in=case.steps.filter(lane=lane, by="staf", actor__isnull=False).values("actor")
    )
    if not users.exists():
        roles = StaffRole.objects.filter(unit=case.unit, role=lane)
        if case.agency_id:
            roles = roles.filter(Q(agency__isnull=True) | Q(agency=case.agency_id))
        users = get_user_model().objects.filter(pk__in=roles.values("user"), is_active=True)
    return sorted({u.email for u in users if u.email})


def _copies(ctx: EffectContext, account: Account, to: str) -> int:
    """The copy (tembusan) of the result to the step's lanes: what was done, never the secret."""
    assert ctx.step_run is not None
    lanes = ctx.sop.step(ctx.step_run.step).tembusan
    if lanes:
        ctx.steps_written()  # copy_recipients reads who acted in each lane
    sent = 0
    for lane in lanes:
        for address in copy_recipients(ctx.case, lane):
            queue_mail(
                to=address,
                template="tembusan-hasil",
                context={
                    "reference": ctx.case.reference,
                    "lane": lane,
                    "name": account.name,
                    "user_id": account.user_id,
                    "agency": account.agency.name,
                    "new_account": ctx.case.need == Need.NEW_ACCOUNT,
                    "address": mask_address(to),
                    "unit_name": ctx.case.unit.nama,
                },
                case=ctx.case,
            )
            sent += 1
    return sent


def status_url() -> str:
    """The portal's status page as linked from mail (the requester types their code there)."""
    return settings.LOKET_BASE_URL + reverse("portal:status")


def ask_for_documents(ctx: EffectContext) -> dict[str, Any]:
    """Tell the requester which documents are missing (from the last completeness check; all of
    them when staff named none and wrote only a note)."""
    case = ctx.case
    ctx.steps_written()
    runs = list(case.steps.order_by("id"))
    asked = asked_documents(ctx.sop, runs, zone=case.unit.zona_waktu, role=case.requester_role)
    queue_mail(
        to=case.requester_email,
        template="minta-kelengkapan",
        context={
            "reference": case.reference,
            "missing": [b.nama for b in asked.berkas] if asked.named else [],
            "note": asked.note,
            "supply_url": status_url(),
            "unit_name": case.unit.nama,
            "days": settings.LOKET_REQUESTER_WAIT_DAYS,
        },
        case=case,
    )
    return {"kurang": [b.kode for b in asked.berkas] if asked.named else []}


def refuse(ctx: EffectContext) -> dict[str, Any]:
    """Tell the requester the request is refused, with the reason staff wrote."""
    case = ctx.case
    # The reason is the note of the staff answer that led here (the same note the requester view
    # shows), not whichever staff note came last.
    ctx.steps_written()
    decided = case.steps.filter(by="staf", finished_at__isnull=False).order_by("-id").first()
    # Mail to requesters is Indonesian whatever language the deciding staff member reads.
    with translation.override(settings.LANGUAGE_CODE):
        reason = (decided.note if decided else "") or _("Berkas permohonan tidak sesuai dengan data akun.")
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


def hand_over(ctx: EffectContext) -> dict[str, Any]:
    """The file goes to the next lane: nothing to do but record it."""
    return {}


def archive(ctx: EffectContext) -> dict[str, Any]:
    """Seal the file once every step of this change is recorded (services._end_change)."""
    ctx.seal = True
    return {"disegel": True}
