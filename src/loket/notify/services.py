"""Queue mail into the outbox, in the caller's transaction; resend what failed.

A mail is rendered when it is queued, from a Django template at
`notify/templates/notify/mail/<template>.txt` whose first line is `Subjek: ...`, then a blank
line, then the plain-text body. Secrets never reach the stored body: the one-time link and the
requester's tracking code are rendered as markers (LINK_MARKER, CODE_MARKER), kept aside in
`secret_link` / `secret_code` until the mail is sent, and erased then (see tasks.deliver).

The templates go through a second Django template engine, configured like the project's own
but with autoescaping off (the mail is plain text, so "&" must stay "&") and with unknown
variables made loud, so that a caller that forgets a context key fails in its own transaction
instead of sending a mail with a hole in it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context, Engine, engines
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from loket.audit.services import log_action

from .models import CODE_MARKER, LINK_MARKER, OutboxMessage
from .tasks import new_message_id, send_outbox_message

_MISSING = "\x00missing:%s\x00"
_MISSING_RE = re.compile("\x00missing:(.*?)\x00")
SUBJECT_PREFIX = "Subjek:"


class MailTemplateError(ValueError):
    """A mail template, or the context given to it, cannot make a complete mail."""


@functools.cache
def mail_engine() -> Engine:
    """The project's template lookup (DIRS first, then apps), for plain text and strict."""
    base: Engine = engines["django"].engine  # type: ignore[attr-defined]
    return Engine(dirs=base.dirs, app_dirs=base.app_dirs, autoescape=False, string_if_invalid=_MISSING)


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of `template` rendered with `context`.

    Raises MailTemplateError when the template is not shaped `Subjek: ...`, blank line, body, or
    when it uses a variable the context does not give.
    """
    text = mail_engine().get_template(f"notify/mail/{template}.txt").render(Context(context, autoescape=False))
    missing = sorted(set(_MISSING_RE.findall(text)))
    if missing:
        raise MailTemplateError(f"mail template {template!r} needs context {', '.join(missing)}")
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    if len(lines) < 3 or not lines[0].startswith(SUBJECT_PREFIX) or lines[1]:
        raise MailTemplateError(f"mail template {template!r} must start with 'Subjek: ...' and a blank line")
    subject = lines[0][len(SUBJECT_PREFIX) :].strip()
    # Template tags on lines of their own leave blank runs behind; one blank line is a paragraph.
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines[2:]).strip("\n")) + "\n"
    return subject, body


_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")


def message_id_of(value: str) -> str:
    """The one `<left@right>` Message-ID in a header value, or "" (nothing else goes into a
    header Loket writes: no line break, no second value)."""
    found = _MESSAGE_ID.findall(value or "")
    return found[0] if len(found) == 1 and len(found[0]) <= 255 else ""


def _addressee(case: Any, to: str) -> str:
    """The name a mail about `case` greets its reader by: the requester or the account holder
    whose address it goes to; "" (the template says "Bapak/Ibu") for anyone else."""
    same = to.strip().casefold()
    if same == (case.requester_email or "").strip().casefold():
        return str(case.requester_name or "")
    account = getattr(case, "account", None)
    if account is not None and same == (account.email or "").strip().casefold():
        return str(account.name or "")
    return ""


def queue_mail(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    case: Any = None,
    secret_link: str = "",
    attachments: list[dict[str, Any]] | None = None,
    in_reply_to: str = "",
) -> OutboxMessage:
    """Render `template` and put the mail in the outbox, to be sent by the worker.

    Call it inside the transaction of the change the mail tells about. Effects, in order:
    1. an OutboxMessage row (pending, with the Message-ID every attempt will carry) whose body
       holds LINK_MARKER where `{{ link }}` stands and CODE_MARKER where `{{ tracking_code }}`
       stands; the real values wait in secret_link / secret_code until the mail is sent (or fails
       for good);
    2. the task `send_outbox_message(id)`: with the database task backend its row is written in
       this same transaction (a rollback leaves neither); with any other backend it is enqueued
       on commit, so that no mail leaves for a change that was rolled back.

    The link must come through `secret_link`, never through `context`. `attachments` (see
    OutboxMessage.attachments) never carry a secret either. `in_reply_to`: the Message-ID of the
    mail (not Loket's) this one answers, e.g. the requester's mail read from the mailbox; the
    mail then carries In-Reply-To and References naming it (tasks._thread_headers).
    """
    validate_email(to)
    if "link" in context:
        raise MailTemplateError("pass the one-time link as secret_link, not in the context")
    values = dict(context)
    # Whom the greeting names, unless the caller said: "" reads "Bapak/Ibu" in the template.
    values.setdefault("name", _addressee(case, to) if case is not None else "")
    if secret_link:
        values["link"] = LINK_MARKER
    secret_code = str(values.get("tracking_code") or "")
    if secret_code:
        values["tracking_code"] = CODE_MARKER
    subject, body = render_mail(template, values)
    if secret_link and LINK_MARKER not in body:
        raise MailTemplateError(f"mail template {template!r} has no {{{{ link }}}} for the secret link")
    if LINK_MARKER in subject or CODE_MARKER in subject:
        raise MailTemplateError(f"mail template {template!r} puts a secret in the subject")
    # The row and its task together; inside the caller's transaction without a savepoint of its
    # own (two statements less per mail): a refused mail is refused above, before any write.
    with transaction.atomic(savepoint=False):
        message = OutboxMessage.objects.create(
            to=to,
            template=template,
            subject=subject,
            body=body,
            case=case,
            secret_link=secret_link,
            secret_code=secret_code if CODE_MARKER in body else "",
            message_id=new_message_id(),
            attachments=attachments or [],
            in_reply_to=message_id_of(in_reply_to),
        )
        _enqueue(message)
    return message


def _enqueue(message: OutboxMessage) -> None:
    if isinstance(send_outbox_message.get_backend(), DatabaseBackend):
        send_outbox_message.enqueue(message.pk)
    else:
        transaction.on_commit(lambda: send_outbox_message.enqueue(message.pk))


@transaction.atomic
def resend_messages(*, messages: Iterable[OutboxMessage], actor: Any) -> int:
    """Give failed mails another round of attempts. Returns how many were put back.

    Effects, per failed message: status back to pending with attempts and error cleared, a new
    send task, an audit entry `mail.resent`. Messages that are not failed are left alone, and so
    are failed ones whose one-time link or tracking code was erased (`secret_erased`: a mail
    that failed for good loses its secret; staff issue a new one through the case).
    """
    count = 0
    for message in messages:
        locked = OutboxMessage.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None or locked.status != OutboxMessage.Status.FAILED or locked.secret_erased:
            continue
        locked.status = OutboxMessage.Status.PENDING
        locked.attempts = 0
        locked.last_error = ""
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        _enqueue(locked)
        log_action("mail.resent", actor=actor, case=locked.case, message=locked.pk, template=locked.template)
        count += 1
    return count


def erase_expired_secret_links(*, now: Any = None) -> int:
    """Erase the one-time link from mails not yet sent whose link has expired (it was issued with
    the mail, so it expired LOKET_LINK_HOURS after the mail was queued). For a periodic job: such
    a mail can only fail now (`secret_erased`), and the outbox keeps no copy of a secret it can no
    longer deliver. Returns how many were erased."""
    now = now or timezone.now()
    limit = now - dt.timedelta(hours=settings.LOKET_LINK_HOURS)
    return (
        OutboxMessage.objects.filter(created_at__lte=limit)
        .exclude(secret_link="")
        .exclude(status=OutboxMessage.Status.SENDING)
        .update(secret_link="")
    )
