"""What staff do with the mail the poller left for them (the console's mailbox screen): choose the
service of a mail whose subject named none, record that a mail was reviewed, and check the
mailbox now. One service function per action, keyword-only, the acting user explicit; each
writes its change and its audit entry in one transaction. Scope (who may call them for a unit)
is the view's, by `loket.mailbox.lanes.may_see`.

No mail body is kept in the database (docs/mailbox.md), so choosing a service reads the mail
again from the IMAP folder the poller moved it to, found by its Message-ID header.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.cases.models import Need
from loket.catalog.models import SopVersion

from . import services
from .models import InboundMail, Mailbox

OPEN_STATUSES = (InboundMail.Status.NEEDS_SERVICE, InboundMail.Status.NEEDS_REVIEW)
NEEDS = (Need.PASSWORD, Need.USER_ID)
NOTE_MAX = 500


class ReviewError(Exception):
    """An action that cannot be done, with the sentence to show staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def service_choices(unit: Any) -> list[SopVersion]:
    """The services staff may choose for a mail: the unit's installed reset SOPs, newest versions."""
    return services.reset_versions(unit)


def _open_mail(mailbox: Mailbox, mail_id: int, statuses: tuple[str, ...], *, lock: bool = False) -> InboundMail:
    rows = InboundMail.objects.filter(mailbox=mailbox, pk=mail_id)
    if lock:
        rows = rows.select_for_update()
    row = rows.first()
    if row is None:
        raise ReviewError(_("E-mail itu tidak ada di kotak surat unit ini."))
    if row.status not in statuses or row.reviewed_at is not None:
        raise ReviewError(
            _("E-mail dari %(sender)s sudah ditangani (%(status)s); tidak ada yang diubah.")
            % {"sender": row.from_address, "status": row.get_status_display()}
        )
    return row


def read_again(mailbox: Mailbox, row: InboundMail) -> services.Incoming:
    """The mail of `row`, read again over IMAP from the folder it was moved to (or the inbox when
    the poller had not moved it yet), found by its Message-ID. Raises ReviewError when it is
    gone or the mailbox cannot be read."""
    from imap_tools import AND, H

    folders = list(dict.fromkeys([row.moved_to or mailbox.processed_folder, mailbox.inbox_folder]))
    try:
        with services.connect(mailbox) as box:
            for folder in folders:
                if not box.folder.exists(folder):
                    continue
                box.folder.set(folder)
                if row.message_id.startswith("<sha256-"):
                    found = box.fetch(mark_seen=False, bulk=True)  # named by its content: read them all
                else:
                    found = box.fetch(AND(header=H("Message-ID", row.message_id)), mark_seen=False)
                for msg in found:
                    mail = services.incoming_from(msg)
                    if mail.message_id == row.message_id:
                        mail.arrived_at = services.internal_date(box, msg.uid)
                        return mail
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}".replace(mailbox.get_password() or "\x00", "***")[:300]
        raise ReviewError(_("Kotak surat tidak dapat dibaca, coba lagi nanti (%(error)s).") % {"error": error}) from exc
    raise ReviewError(
        _(
            "E-mail dari %(sender)s (perihal “%(subject)s”) tidak ditemukan lagi di folder %(folders)s "
            "kotak surat: mungkin sudah dipindahkan atau dihapus di server. Minta pemohon mengirimnya "
            "ulang, lalu tandai e-mail ini sudah ditinjau."
        )
        % {"sender": row.from_address, "subject": row.subject, "folders": ", ".join(folders)}
    )


def choose_service(*, mailbox: Mailbox, mail_id: int, version_id: int, need: str, actor: Any) -> InboundMail:
    """Staff choose the service (and the need) of a mail that waited as NEEDS_SERVICE.

    Effects, in order: the mail read again from its IMAP folder (outside the transaction; nothing
    is written when it is gone); then in one transaction: the row locked and checked to be still
    waiting, the new-request path of the poller run with the chosen SOP version
    (`services.new_request`: the case opened with its `diterima` mail, or the answer saying what
    to send queued in the outbox), the row updated (status REQUEST or ANSWERED, its case, the
    attachments' documents, who chose and when), and the audit entry `mail.service_chosen`.
    """
    row = _open_mail(mailbox, mail_id, (InboundMail.Status.NEEDS_SERVICE,))
    version = next((v for v in service_choices(mailbox.unit) if v.pk == version_id), None)
    if version is None:
        raise ReviewError(_("Pilih salah satu layanan reset akun unit ini."))
    if need not in NEEDS:
        raise ReviewError(_("Pilih kebutuhan: password baru atau user ID saja."))
    mail = read_again(mailbox, row)
    with transaction.atomic():
        row = _open_mail(mailbox, mail_id, (InboundMail.Status.NEEDS_SERVICE,), lock=True)
        outcome = services.new_request(mailbox, mail, version=version, need=need)
        now = timezone.now()
        row.status = outcome.status
        row.reason = outcome.reason
        row.case = outcome.case
        row.attachments = services.attachment_list(mail, outcome.kodes)
        row.processed_at = now
        row.reviewed_by = actor
        row.reviewed_at = now
        row.review_note = (
            _("Layanan dipilih: %(service)s (%(need)s).") % {"service": version.nama, "need": Need(need).label}
        )[:NOTE_MAX]
        row.save(
            update_fields=[
                "status",
                "reason",
                "case",
                "attachments",
                "processed_at",
                "reviewed_by",
                "reviewed_at",
                "review_note",
            ]
        )
        log_action(
            "mail.service_chosen",
            actor=actor,
            case=outcome.case,
            mail=row.pk,
            unit=mailbox.unit.kode,
            sop=version.kode,
            versi=version.versi,
            need=need,
            status=row.status,
        )
    return row


def mark_reviewed(*, mailbox: Mailbox, mail_id: int, note: str, actor: Any) -> InboundMail:
    """Staff record that they looked at a mail left for them (NEEDS_REVIEW, or NEEDS_SERVICE that
    is no request), with a short note; it leaves the screen's "Perlu tindakan".

    Effects, in one transaction: the row locked and checked to be still open, reviewed_by,
    reviewed_at and review_note written, and the audit entry `mail.reviewed`.
    """
    note = " ".join(note.split())
    if not note:
        raise ReviewError(_("Tulis catatan singkat: apa yang sudah dilakukan dengan e-mail ini."))
    if len(note) > NOTE_MAX:
        raise ReviewError(_("Catatan paling panjang %(n)s karakter.") % {"n": NOTE_MAX})
    with transaction.atomic():
        row = _open_mail(mailbox, mail_id, OPEN_STATUSES, lock=True)
        row.reviewed_by = actor
        row.reviewed_at = timezone.now()
        row.review_note = note
        row.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        log_action(
            "mail.reviewed",
            actor=actor,
            case=row.case,
            mail=row.pk,
            unit=mailbox.unit.kode,
            status=row.status,
            note=note,
        )
    return row


def check_now(*, mailbox: Mailbox, actor: Any) -> services.PollResult:
    """Staff poll the unit's mailbox now (the failed mails are tried again with the rest).

    Effects, in order: `services.poll_mailbox` (each mail in its own transaction, as the worker's
    poll), then the audit entry `mailbox.checked` with the poll's counts.
    """
    result = services.poll_mailbox(mailbox)
    log_action(
        "mailbox.checked",
        actor=actor,
        unit=mailbox.unit.kode,
        read=result.read,
        failed=result.failed,
        statuses=dict(result.statuses),
        error=result.error,
    )
    return result
