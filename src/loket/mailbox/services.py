"""Reading a unit's mailbox: each new mail becomes a request, completes a case, is answered with
what to send, or is recorded as ignored or for staff. See docs/mailbox.md.

One mail is handled in one transaction: its InboundMail row (keyed by the mail's Message-ID,
unique per mailbox) is written together with whatever the mail caused (the case, the supplied
documents, the reply queued in the outbox). Only after that commit is the mail moved to the
processed folder. A poller killed in between leaves the mail in the inbox with its row already
written: the next poll finds the row and only moves the mail, so no request is made twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import services as case_services
from loket.cases.asked import asked_documents, for_whom
from loket.cases.errors import Invalid
from loket.cases.models import Case, Channel, Need, Status
from loket.catalog.models import SopVersion
from loket.catalog.selectors import latest_versions, parsed
from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from loket.notify.services import message_id_of, queue_mail

from .models import InboundMail, Mailbox

logger = logging.getLogger(__name__)

Upload = tuple[str, str, bytes]

TEMPLATE_FIX = "kotak-masuk-berkas-kurang"


def max_attempts() -> int:
    """How many polls may fail on one mail before it is moved to the failed folder."""
    return int(getattr(settings, "LOKET_MAILBOX_MAX_ATTEMPTS", 3))


def batch_size() -> int:
    return int(getattr(settings, "LOKET_MAILBOX_BATCH", 50))


def imap_timeout() -> float:
    return float(getattr(settings, "LOKET_MAILBOX_TIMEOUT", 30))


# -- one mail, as read ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class Incoming:
    """What the poller needs of one mail, independent of the IMAP library."""

    message_id: str
    from_address: str
    subject: str
    headers: dict[str, list[str]]  # lower-cased names
    content_type: str
    attachments: list[Attachment]
    text: str = ""
    sent_at: dt.datetime | None = None
    from_name: str = ""  # the display name of From, when the mail gives one
    arrived_at: dt.datetime | None = None  # when the mailbox received it (IMAP INTERNALDATE)

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower()) or [""]
        return " ".join(v.strip() for v in values).strip()


def display_name(name: str) -> str:
    """A From display name fit to greet by: its printable text, quotes and spaces tidied, at most
    100 characters; "" when it is only an address."""
    text = " ".join("".join(c for c in name if c.isprintable()).replace('"', " ").split())[:100]
    return "" if "@" in text else text


def incoming_from(msg: Any, *, arrived_at: dt.datetime | None = None) -> Incoming:
    """An imap-tools MailMessage as an Incoming (`arrived_at`: its INTERNALDATE, internal_date)."""
    obj: Message = msg.obj
    headers = {name.lower(): [str(v) for v in values] for name, values in msg.headers.items()}
    message_id = (headers.get("message-id") or [""])[0].strip()
    if not message_id:
        # No Message-ID: the content itself names the mail, so a rerun still finds it.
        message_id = f"<sha256-{hashlib.sha256(obj.as_bytes()).hexdigest()}@loket.invalid>"
    sent_at = msg.date if isinstance(msg.date, dt.datetime) and msg.date.year > 1900 else None
    if sent_at is not None and timezone.is_naive(sent_at):
        sent_at = None
    return Incoming(
        message_id=message_id[:255],
        from_address=parseaddr(msg.from_ or "")[1] or (msg.from_ or ""),
        subject=msg.subject or "",
        headers=headers,
        content_type=obj.get_content_type(),
        attachments=[
            Attachment(att.filename or "lampiran", att.content_type or "", att.payload or b"")
            for att in msg.attachments
        ],
        text=msg.text or "",
        sent_at=sent_at,
        from_name=display_name(msg.from_values.name if msg.from_values else ""),
        arrived_at=arrived_at,
    )


_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def internal_date(box: Any, uid: str) -> dt.datetime | None:
    """When the server received mail `uid` of the selected folder (IMAP INTERNALDATE, which
    imap-tools does not fetch), or None when the server does not say."""
    try:
        _status, data = box.client.uid("FETCH", str(uid), "(INTERNALDATE)")
    except Exception:  # the mail is still read; its Date header stands in
        return None
    for item in data or []:
        raw = item[0] if isinstance(item, tuple) else item
        found = _INTERNALDATE.search(raw if isinstance(raw, bytes) else b"")
        if found is None:
            continue
        day, month, year, hh, mm, ss, sign, oh, om = (g.decode() for g in found.groups())
        if month.lower() not in _MONTHS:
            return None
        offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
        try:
            return dt.datetime(
                int(year),
                _MONTHS.index(month.lower()) + 1,
                int(day),
                int(hh),
                int(mm),
                int(ss),
                tzinfo=dt.timezone(offset),
            )
        except ValueError:
            return None
    return None


# A mail's arrival is believed at most this far back (a wrong clock, a mail resent from an archive).
ARRIVAL_WINDOW = dt.timedelta(days=7)


def arrival(mail: Incoming, now: dt.datetime | None = None) -> dt.datetime:
    """When the requester's mail reached the unit, the start of the case it opens: the server's
    INTERNALDATE, else the mail's Date header, else now; never later than now and never earlier
    than ARRIVAL_WINDOW before it."""
    now = now or timezone.now()
    when = mail.arrived_at or mail.sent_at or now
    return min(now, max(when, now - ARRIVAL_WINDOW))


# -- what kind of mail ------------------------------------------------------------------------

_VACATION = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|autoreply|auto:|out of (the )?office|"
    r"balasan otomatis|jawaban otomatis|otomatis:|sedang cuti|(sedang )?di luar kantor|vacation|"
    r"abwesenheit|absence|away from)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(ed|able)|delivery status notification|mail delivery (failed|failure)|"
    r"returned mail|failure notice|surel tidak terkirim)",
    re.IGNORECASE,
)


def auto_reply_reason(mail: Incoming) -> str:
    """Why `mail` is an automatic reply or list mail (empty when it is not)."""
    auto = mail.header("auto-submitted").lower()
    if auto and auto != "no":
        return _("Balasan otomatis (Auto-Submitted: %(v)s).") % {"v": auto}
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in mail.headers:
            return _("Balasan otomatis (header %(h)s).") % {"h": name}
    precedence = mail.header("precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return _("E-mail massal (Precedence: %(v)s).") % {"v": precedence}
    if "list-id" in mail.headers or "list-unsubscribe" in mail.headers:
        return _("E-mail milis (List-Id).")
    if _VACATION.search(mail.subject):
        return _("Balasan otomatis (perihal: %(s)s).") % {"s": mail.subject[:80]}
    return ""


def bounce_reason(mail: Incoming) -> str:
    """Why `mail` is a delivery report (empty when it is not)."""
    if mail.content_type == "multipart/report":
        return _("Laporan pengiriman (multipart/report).")
    local = mail.from_address.partition("@")[0].lower()
    if local in {"mailer-daemon", "postmaster", "mail-daemon"}:
        return _("Laporan pengiriman dari %(a)s.") % {"a": mail.from_address}
    if mail.header("return-path") == "<>" and _BOUNCE_SUBJECT.search(mail.subject):
        return _("Laporan pengiriman (perihal: %(s)s).") % {"s": mail.subject[:80]}
    return ""


# -- words ------------------------------------------------------------------------------------

_STOP = frozenset(
    [
        "dan",
        "atau",
        "yang",
        "untuk",
        "dari",
        "pada",
        "di",
        "ke",
        "dengan",
        "sebagai",
        "the",
        "of",
        "and",
        "for",
        "re",
        "fw",
        "fwd",
        "fwd:",
        "permohonan",
        "mohon",
        "surel",
        "email",
        "e-mail",
        "lampiran",
        "berkas",
        "pdf",
        "jpg",
        "jpeg",
        "png",
        "scan",
    ]
)


def words(text: str) -> set[str]:
    """The lower-case words of `text` (letters and digits), without accents or common words."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return {w for w in re.split(r"[^a-z0-9]+", plain) if len(w) >= 2 and w not in _STOP}


# -- threading --------------------------------------------------------------------------------

_MSGID = re.compile(r"<[^<>\s]+>")


def thread_case(unit: Any, mail: Incoming) -> tuple[Case | None, str]:
    """The case `mail` replies to, and how it was found: first by In-Reply-To/References against
    the Message-IDs of the mail Loket sent for the unit's cases, then by a reference number of
    the unit in the subject (`[KKP-2026-000123]` or without brackets)."""
    ids = _MSGID.findall(f"{mail.header('in-reply-to')} {mail.header('references')}")
    if ids:
        sent = (
            OutboxMessage.objects.filter(message_id__in=ids, case__unit=unit)
            .select_related("case")
            .order_by("-pk")
            .first()
        )
        if sent is not None and sent.case is not None:
            return sent.case, "header"
    pattern = re.compile(rf"(?<![A-Z0-9-])({re.escape(unit.kode.upper())}-\d{{4}}-\d{{6}})(?![0-9])")
    found = pattern.search(mail.subject.upper())
    if found:
        case = Case.objects.filter(unit=unit, reference=found.group(1)).first()
        if case is not None:
            return case, "subject"
    return None, ""


# -- recognising the service and the documents ------------------------------------------------


def recognise_service(unit: Any, subject: str) -> SopVersion | None:
    """The unit's SOP whose words (name, kode, service, account roles) the subject names, counting
    only the words that tell the unit's SOPs apart; None when none or several fit equally."""
    versions = list(latest_versions().filter(unit=unit))
    if not versions:
        return None
    vocab = {}
    for version in versions:
        sop = parsed(version)
        tokens = words(version.nama) | words(version.kode) | words(version.layanan)
        for role in getattr(sop, "peran_akun", ()) or ():
            tokens |= words(str(role))
        vocab[version.pk] = tokens - words(unit.kode)
    common = set.intersection(*vocab.values()) if len(versions) > 1 else set()
    said = words(subject)
    scores = {v.pk: len((vocab[v.pk] - common) & said) for v in versions}
    best = max(scores.values())
    winners = [v for v in versions if scores[v.pk] == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def need_of(mail: Incoming) -> str:
    text = f"{mail.subject}\n{mail.text[:2000]}".lower()
    if re.search(r"user[\s_-]?id", text) and "password" not in text and "kata sandi" not in text:
        return Need.USER_ID
    return Need.PASSWORD


def map_attachments(attachments: list[Attachment], berkas: list[Any]) -> tuple[list[Upload], list[str]]:
    """Each attachment given the document kode its file name names (the document's kode or name
    words); those the names leave open, in the order of the mail, to the documents still open,
    in the SOP's order, when they are as many. Returns the uploads and, when that is unclear, the
    problems to tell the sender."""
    vocab = {b.kode: words(b.kode.replace("-", " ")) | words(b.nama) for b in berkas}
    chosen: dict[int, str] = {}
    for i, att in enumerate(attachments):
        stem = att.filename.rsplit(".", 1)[0]
        said = words(stem.replace("_", " "))
        scores = {kode: len(tokens & said) for kode, tokens in vocab.items()}
        best = max(scores.values(), default=0)
        winners = [k for k, s in scores.items() if s == best]
        if best > 0 and len(winners) == 1 and winners[0] not in chosen.values():
            chosen[i] = winners[0]
    open_atts = [i for i in range(len(attachments)) if i not in chosen]
    open_kodes = [b.kode for b in berkas if b.kode not in chosen.values()]
    problems: list[str] = []
    if open_atts and len(open_atts) == len(open_kodes):
        chosen.update(zip(open_atts, open_kodes, strict=True))
    elif open_atts:
        names = ", ".join(attachments[i].filename for i in open_atts)
        problems.append(
            _("Lampiran %(names)s tidak dapat kami kenali sebagai dokumen yang diminta.") % {"names": names}
        )
    uploads = [(chosen[i], attachments[i].filename, attachments[i].payload) for i in sorted(chosen)]
    return uploads, problems


# -- handling one mail ------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    reason: str = ""
    case: Case | None = None
    kodes: dict[str, str] = field(default_factory=dict)  # file name -> document kode


def _same_address(a: str, b: str) -> bool:
    return bool(a) and a.strip().casefold() == (b or "").strip().casefold()


def _problem_lines(sop: Any, problems: dict[str, str]) -> list[str]:
    names = {b.kode: b.nama for b in sop.berkas}
    return [
        f"{names[key]}: {text}" if key in names and names[key] not in text else text for key, text in problems.items()
    ]


def _document_lines(berkas: list[Any]) -> list[str]:
    """What to send, one line a document; a document of some roles only names them ("untuk PP")
    where the sender's role is not known and every role's documents are listed."""
    roles = for_whom(berkas)
    return [
        f"{b.nama}{roles.get(b.kode, '')}{f' ({b.keterangan})' if getattr(b, 'keterangan', None) else ''}"
        for b in berkas
    ]


def _role_of(account: Any, sop: Any) -> str:
    """The sender's role where their directory record holds one the SOP serves, else ""."""
    return str(account.role) if account is not None and account.role in sop.peran_akun else ""


def answered_id(mail: Incoming) -> str:
    """The Message-ID a mail answering `mail` names in In-Reply-To: its own, unless the mail had
    none (then Loket named it by its content, an ID no client knows)."""
    return "" if mail.message_id.endswith("@loket.invalid>") else mail.message_id


def _ask(
    mail: Incoming,
    *,
    unit: Any,
    sop: Any,
    problems: list[str],
    berkas: list[Any],
    case: Case | None,
    service_name: str = "",
    documents: list[str] | None = None,
    account: Any = None,
) -> None:
    """Reply to the sender with what was wrong and what to send (threaded when there is a case).
    `service_name` and `documents` replace the SOP's name and its documents' lines when the
    answer names several services (sop is then None). The greeting names, on a case, whom the
    case knows at that address (notify.services._addressee); else the directory `account` the
    address belongs to; else the mail's display name; else "Bapak/Ibu"."""
    name = account.name if account is not None and account.name else mail.from_name
    example = f"{berkas[0].kode}.pdf" if berkas else "dokumen.pdf"
    queue_mail(
        to=mail.from_address,
        template=TEMPLATE_FIX,
        case=case,
        in_reply_to=answered_id(mail),
        context={
            "reference": case.reference if case else "",
            "mail_subject": mail.subject[:200],
            "service_name": service_name or sop.nama,
            "problems": problems,
            "documents": _document_lines(berkas) if documents is None else documents,
            "example": example,
            "unit_name": unit.nama,
            **({} if case is not None else {"name": name}),
        },
    )


def supply_documents_for_case(*, case_id: int, files: list[Upload], note: str = "", actor: Any = None) -> Case:
    """The requester's "lengkapi berkas" step for a case found by its mail thread instead of by
    a tracking code (`cases.services.supply_case_documents`, channel `email`)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("unit", "sop").get(pk=case_id)
    try:
        return case_services.supply_case_documents(case, files=files, note=note, actor=actor, channel=Channel.EMAIL)
    except case_services.Conflict as exc:
        raise Invalid(exc.message) from exc


def _reply(mailbox: Mailbox, mail: Incoming, case: Case, how: str) -> Outcome:
    unit = mailbox.unit
    if not (
        _same_address(mail.from_address, case.requester_email)
        or (case.account is not None and _same_address(mail.from_address, case.account.email))
    ):
        return Outcome(
            InboundMail.Status.NEEDS_REVIEW,
            _("Membalas permohonan %(ref)s, tetapi dari alamat lain daripada pemohonnya.") % {"ref": case.reference},
            case,
        )
    if not mail.attachments:
        return Outcome(InboundMail.Status.REPLY, _("Balasan tanpa lampiran; dibaca petugas."), case)
    if case.status != Status.WAITING:
        return Outcome(
            InboundMail.Status.NEEDS_REVIEW,
            _("Balasan berlampiran, tetapi permohonan %(ref)s tidak sedang menunggu berkas.") % {"ref": case.reference},
            case,
        )
    sop = parsed(case.sop)
    asked = asked_documents(sop, list(case.steps.order_by("id")), zone=unit.zona_waktu, role=case.requester_role)
    uploads, problems = map_attachments(mail.attachments, list(asked.berkas))
    if not problems:
        try:
            with transaction.atomic():
                supply_documents_for_case(case_id=case.pk, files=uploads)
        except Invalid as exc:
            problems = _problem_lines(sop, exc.problems) or [exc.message]
    if problems:
        _ask(mail, unit=unit, sop=sop, problems=problems, berkas=list(asked.berkas), case=case)
        return Outcome(InboundMail.Status.ANSWERED, "; ".join(problems), case)
    kodes = {name: kode for kode, name, _content in uploads}
    note = _("Berkas diterima (%(how)s).") % {"how": _("utas e-mail") if how == "header" else _("nomor pada perihal")}
    return Outcome(InboundMail.Status.SUPPLIED, note, case, kodes)


RESET_SERVICE = "reset-akun"  # the `layanan` of the SOPs a mail may start (sop.model.LAYANAN)
AUTO_ANSWER_PAUSE = dt.timedelta(hours=24)


def reset_versions(unit: Any) -> list[SopVersion]:
    """The unit's installed reset SOPs (newest versions): the services a mail may start."""
    return [v for v in latest_versions().filter(unit=unit) if v.layanan == RESET_SERVICE]


def _answer_without_attachments(mailbox: Mailbox, mail: Incoming) -> Outcome:
    """A new mail without attachments, not a reply to a case. From an address of an account in
    the unit's directory: answered with what to send for the service its subject names, else for
    every reset service of the unit (at most once a day per address: no mail ping-pong). From any
    other address: no answer (an unknown sender is often spam with a forged address, and an answer
    would be backscatter), left for staff."""
    unit = mailbox.unit
    left = _("E-mail tanpa lampiran dan tidak membalas permohonan mana pun.")
    senders = list(Account.objects.filter(unit=unit, email__iexact=mail.from_address.strip(), is_active=True)[:2])
    if not senders:
        return Outcome(
            InboundMail.Status.NEEDS_REVIEW,
            left + " " + _("Pengirim tidak terdaftar di direktori unit; tidak dijawab otomatis."),
        )
    recent = InboundMail.objects.filter(
        mailbox=mailbox,
        from_address__iexact=mail.from_address.strip(),
        status=InboundMail.Status.ANSWERED,
        case__isnull=True,
        processed_at__gte=timezone.now() - AUTO_ANSWER_PAUSE,
    ).exists()
    if recent:
        return Outcome(
            InboundMail.Status.NEEDS_REVIEW,
            left + " " + _("Pengirim sudah dijawab otomatis dalam 24 jam terakhir; tidak dijawab lagi."),
        )
    versions = reset_versions(unit)
    recognised = recognise_service(unit, mail.subject)
    if recognised is not None and recognised.layanan == RESET_SERVICE:
        versions = [recognised]
    if not versions:
        return Outcome(InboundMail.Status.NEEDS_REVIEW, left + " " + _("Unit ini tidak punya layanan reset akun."))
    sops = [parsed(v) for v in versions]
    # The documents of the sender's role where one account holds the address (Sop.berkas_for).
    sender = senders[0] if len(senders) == 1 else None
    asked = [sop.berkas_for(_role_of(sender, sop)) for sop in sops]
    problem = _("E-mail Anda tidak berlampiran.")
    if len(sops) == 1:
        _ask(mail, unit=unit, sop=sops[0], problems=[problem], berkas=asked[0], case=None, account=sender)
    else:
        documents = [
            f"{sop.nama}: {line}" for sop, berkas in zip(sops, asked, strict=True) for line in _document_lines(berkas)
        ]
        _ask(
            mail,
            unit=unit,
            sop=None,
            problems=[problem],
            berkas=asked[0],
            case=None,
            service_name=f" {_('atau')} ".join(sop.nama for sop in sops),
            documents=documents,
            account=sender,
        )
    return Outcome(InboundMail.Status.ANSWERED, _("Tanpa lampiran; dijawab dengan berkas yang perlu dikirim."))


def new_request(
    mailbox: Mailbox, mail: Incoming, *, version: SopVersion | None = None, need: str | None = None
) -> Outcome:
    """A new mail (not a reply to a case): a request of the service its subject names, or of
    `version` when staff chose it for the mail (loket.mailbox.review), with `need` when given."""
    unit = mailbox.unit
    if not mail.attachments:
        return _answer_without_attachments(mailbox, mail)
    accounts = list(Account.objects.filter(unit=unit, email__iexact=mail.from_address.strip(), is_active=True)[:2])
    if len(accounts) != 1:
        reason = (
            _("Alamat pengirim tidak terdaftar pada akun mana pun di direktori unit.")
            if not accounts
            else _("Alamat pengirim terdaftar pada lebih dari satu akun; petugas memilihnya.")
        )
        return Outcome(InboundMail.Status.NEEDS_REVIEW, reason)
    account = accounts[0]
    if version is None:
        version = recognise_service(unit, mail.subject)
    if version is None:
        return Outcome(
            InboundMail.Status.NEEDS_SERVICE,
            _("Layanan tidak dapat dikenali dari perihal; petugas memilihkan layanannya."),
        )
    sop = parsed(version)
    role = _role_of(account, sop)
    berkas = sop.berkas_for(role)
    uploads, problems = map_attachments(mail.attachments, berkas)
    if not problems:
        try:
            with transaction.atomic():
                submitted = case_services.submit_request(
                    sop_version=version,
                    channel=Channel.EMAIL,
                    need=need or need_of(mail),
                    name=account.name,
                    email=mail.from_address.strip(),
                    user_id=account.user_id,
                    agency_id=account.agency_id,
                    role=role,
                    files=uploads,
                    at=arrival(mail),
                )
        except Invalid as exc:
            problems = _problem_lines(sop, exc.problems) or [exc.message]
        else:
            # The case's first mail (the receipt) answers the requester's mail, in its thread.
            OutboxMessage.objects.filter(case=submitted.case, in_reply_to="").update(
                in_reply_to=message_id_of(answered_id(mail))
            )
            kodes = {name: kode for kode, name, _content in uploads}
            return Outcome(InboundMail.Status.REQUEST, _("Permohonan dibuat."), submitted.case, kodes)
    _ask(mail, unit=unit, sop=sop, problems=problems, berkas=berkas, case=None, account=account)
    return Outcome(InboundMail.Status.ANSWERED, "; ".join(problems))


def classify(mailbox: Mailbox, mail: Incoming) -> Outcome:
    """What `mail` is and what it caused (inside the caller's transaction)."""
    if why := bounce_reason(mail):
        return Outcome(InboundMail.Status.IGNORED, why)
    if why := auto_reply_reason(mail):
        return Outcome(InboundMail.Status.IGNORED, why)
    case, how = thread_case(mailbox.unit, mail)
    if case is not None:
        return _reply(mailbox, mail, case, how)
    return new_request(mailbox, mail)


def attachment_list(mail: Incoming, kodes: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": a.filename, "content_type": a.content_type, "size": len(a.payload), "kode": kodes.get(a.filename, "")}
        for a in mail.attachments
    ]


@transaction.atomic
def handle(mailbox: Mailbox, mail: Incoming) -> InboundMail:
    """Handle one mail in one transaction: its row (new, or the failed row of an earlier try) with
    what it caused. Raises IntegrityError when another poller wrote the row meanwhile."""
    row = InboundMail.objects.select_for_update().filter(
        mailbox=mailbox, message_id=mail.message_id
    ).first() or InboundMail(mailbox=mailbox, message_id=mail.message_id)
    outcome = classify(mailbox, mail)
    row.from_address = mail.from_address[:320]
    row.subject = mail.subject[:500]
    row.sent_at = mail.sent_at
    row.status = outcome.status
    row.reason = outcome.reason
    row.case = outcome.case
    row.attachments = attachment_list(mail, outcome.kodes)
    row.attempts += 1
    row.last_error = ""
    row.processed_at = timezone.now()
    row.save()
    return row


def record_failure(mailbox: Mailbox, mail: Incoming, exc: BaseException) -> InboundMail:
    """The mail could not be handled: its row says why and how often (nothing else was written)."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        row = InboundMail.objects.select_for_update().filter(mailbox=mailbox, message_id=mail.message_id).first()
        if row is None:
            row = InboundMail(mailbox=mailbox, message_id=mail.message_id)
        row.from_address = mail.from_address[:320]
        row.subject = mail.subject[:500]
        row.sent_at = mail.sent_at
        row.status = InboundMail.Status.FAILED
        row.reason = _("Gagal diproses; dicoba lagi pada pemeriksaan berikutnya.")
        row.attachments = attachment_list(mail, {})
        row.attempts += 1
        row.last_error = error
        if row.attempts >= max_attempts():
            row.reason = _("Gagal diproses %(n)s kali; dipindahkan ke folder gagal.") % {"n": row.attempts}
        row.save()
    logger.warning("Inbound mail %s (%s) failed: %s", mail.message_id, mailbox.unit.kode, error)
    return row


# -- polling ----------------------------------------------------------------------------------


@dataclass
class PollResult:
    mailbox: Mailbox
    read: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    moved: int = 0
    seconds: float = 0.0
    error: str = ""

    def summary(self) -> str:
        labels = dict(InboundMail.Status.choices)
        parts = ", ".join(f"{n} {labels[s]}" for s, n in sorted(self.statuses.items()))
        line = _("Kotak masuk %(unit)s: %(read)s e-mail dibaca%(parts)s; %(failed)s gagal; %(sec).2f detik.") % {
            "unit": self.mailbox.unit.kode,
            "read": self.read,
            "parts": f" ({parts})" if parts else "",
            "failed": self.failed,
            "sec": self.seconds,
        }
        return line + (f" {_('Galat')}: {self.error}" if self.error else "")


def connect(mailbox: Mailbox) -> Any:
    """A signed-in imap-tools mailbox on the inbox folder."""
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    kind = {
        Mailbox.Security.SSL: MailBox,
        Mailbox.Security.STARTTLS: MailBoxStartTls,
        Mailbox.Security.NONE: MailBoxUnencrypted,
    }[Mailbox.Security(mailbox.security)]
    box = kind(mailbox.host, mailbox.port, timeout=imap_timeout())
    return box.login(mailbox.username, mailbox.get_password(), initial_folder=mailbox.inbox_folder)


def _ensure_folders(box: Any, mailbox: Mailbox) -> None:
    for name in (mailbox.processed_folder, mailbox.failed_folder):
        if not box.folder.exists(name):
            box.folder.create(name)


def after_commit(row: InboundMail) -> None:
    """Called after a mail's transaction committed and before the mail is moved (a seam for the
    crash tests; it does nothing)."""


def _move(box: Any, uid: str, folder: str, row: InboundMail | None) -> None:
    box.move(uid, folder)
    if row is not None:
        InboundMail.objects.filter(pk=row.pk).update(moved_to=folder)


def poll_mailbox(mailbox: Mailbox) -> PollResult:
    """Read up to LOKET_MAILBOX_BATCH mails from the inbox folder and handle each (see module
    docstring). A mail already handled (the poller died before moving it) is only moved; a mail
    that fails stays in the inbox for the next poll until it failed LOKET_MAILBOX_MAX_ATTEMPTS
    times, then goes to the failed folder."""
    result = PollResult(mailbox)
    started = time.monotonic()
    try:
        with connect(mailbox) as box:
            _ensure_folders(box, mailbox)
            box.folder.set(mailbox.inbox_folder)
            for msg in box.fetch(mark_seen=False, limit=batch_size(), bulk=True):
                result.read += 1
                mail = incoming_from(msg, arrived_at=internal_date(box, msg.uid))
                row = InboundMail.objects.filter(mailbox=mailbox, message_id=mail.message_id).first()
                if row is not None and row.done:
                    _move(box, msg.uid, mailbox.processed_folder, row)  # handled before a crash
                    result.moved += 1
                    continue
                try:
                    row = handle(mailbox, mail)
                except IntegrityError:
                    continue  # another poller took it meanwhile
                except Exception as exc:  # the mail is left with the reason, and retried
                    row = record_failure(mailbox, mail, exc)
                    result.failed += 1
                    if row.attempts >= max_attempts():
                        _move(box, msg.uid, mailbox.failed_folder, row)
                    continue
                result.statuses[row.status] += 1
                after_commit(row)
                _move(box, msg.uid, mailbox.processed_folder, row)
                result.moved += 1
        mailbox.last_error = ""
    except Exception as exc:  # the server, the network, the sign-in
        result.error = f"{type(exc).__name__}: {exc}".replace(mailbox.get_password() or "\x00", "***")[:1000]
        mailbox.last_error = result.error
        logger.warning("Mailbox of %s could not be read: %s", mailbox.unit.kode, result.error)
    result.seconds = time.monotonic() - started
    mailbox.last_polled_at = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=mailbox.last_polled_at, last_error=mailbox.last_error)
    return result


def poll_all(unit: str | None = None) -> list[PollResult]:
    """Poll every enabled mailbox (or the one of `unit`). A periodic job for the worker."""
    boxes = Mailbox.objects.filter(enabled=True).select_related("unit").order_by("unit__kode")
    if unit:
        boxes = boxes.filter(unit__kode=unit)
    return [poll_mailbox(box) for box in boxes]
