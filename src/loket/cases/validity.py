"""The validity check's view: the request as typed beside the directory record, field by field,
each marked match, mismatch, or not given. Pure reading; staff decide."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from loket.directory.models import Account
from loket.sop.model import Sop

from .models import Case


@dataclass(frozen=True)
class FieldCheck:
    label: str
    typed: str
    record: str
    match: bool | None  # None: the requester did not give it


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def compare(case: Case, account: Account | None, sop: Sop) -> list[FieldCheck]:
    if account is None:
        return []

    def check(label: str, typed: str, record: str) -> FieldCheck:
        return FieldCheck(label, typed, record, _same(typed, record) if typed else None)

    return [
        check(_("Nama"), case.requester_name, account.name),
        check(_("User ID"), case.requester_user_id, account.user_id),
        check(_("NIP"), case.requester_nip, account.nip),
        check(_("E-mail"), case.requester_email, account.email),
        check(_("Telepon"), case.requester_phone, account.phone),
        check(_("Instansi"), case.agency.name if case.agency else "", account.agency.name),
        # The role the requester said (its documents were asked for) against the record's; else
        # the record's role among those the SOP serves.
        FieldCheck(_("Peran"), case.requester_role, account.role, account.role == case.requester_role)
        if case.requester_role
        else FieldCheck(_("Peran"), ", ".join(sop.peran_akun), account.role, account.role in sop.peran_akun),
        FieldCheck(_("Akun aktif"), "", _("ya") if account.is_active else _("tidak"), account.is_active),
        FieldCheck(_("Nomor SK (bandingkan dengan SK terlampir)"), "", account.sk_number, None),
    ]


def candidates(case: Case) -> QuerySet[Account]:
    """Directory records that may be the requester's: same user ID, NIP or name in the unit."""
    q = Q(name__iexact=case.requester_name.strip())
    if case.requester_user_id:
        q |= Q(user_id__iexact=case.requester_user_id)
    if case.requester_nip:
        q |= Q(nip=case.requester_nip)
    return Account.objects.filter(q, unit=case.unit).select_related("agency")[:10]
