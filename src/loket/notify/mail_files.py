"""Reading the mail Django's file sink wrote (EMAIL_BACKEND ...filebased.EmailBackend, the demo's):
each file holds one or more messages, each followed by a line of 79 dashes. A mail is read as a
person reads it: subject, To, date, the text body and its attachments by name and size, never
their encoded content. A file that is not a mail is returned as unreadable with its name, so one
bad file never hides the others."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class SinkMail:
    file: str
    subject: str = ""
    to: str = ""
    sent_at: dt.datetime | None = None
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    message_id: str = ""
    readable: bool = True


def read_folder(folder: Path, *, limit: int = 20) -> list[SinkMail]:
    """The newest `limit` mails of the sink folder, newest first (by the Date header, else the
    file's time)."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    mails: list[tuple[float, SinkMail]] = []
    for path in files:
        stamp = path.stat().st_mtime
        mails.extend((mail.sent_at.timestamp() if mail.sent_at else stamp, mail) for mail in read_file(path))
    mails.sort(key=lambda pair: pair[0], reverse=True)
    return [mail for _, mail in mails[:limit]]


def read_file(path: Path) -> list[SinkMail]:
    try:
        raw = path.read_bytes()
    except OSError:
        return [SinkMail(file=path.name, readable=False)]
    chunks = [chunk for chunk in raw.split(SEPARATOR) if chunk.strip()]
    return [read_message(chunk, path.name) for chunk in chunks] or [SinkMail(file=path.name, readable=False)]


def read_message(raw: bytes, name: str) -> SinkMail:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        if not any(message.get(header) for header in ("subject", "to", "from")):
            return SinkMail(file=name, readable=False)  # not a mail: no header a mail has
        return SinkMail(
            file=name,
            subject=str(message.get("subject", "")),
            to=str(message.get("to", "")),
            sent_at=_date(message),
            body=_body(message),
            attachments=[_attachment(part) for part in message.iter_attachments()],
            message_id=str(message.get("message-id", "")).strip(),
        )
    except Exception:  # noqa: BLE001 - any broken file is shown as unreadable, never a 500
        return SinkMail(file=name, readable=False)


def _date(message: EmailMessage) -> dt.datetime | None:
    header = message.get("date")
    moment = getattr(header, "datetime", None)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def _attachment(part: EmailMessage) -> Attachment:
    payload = part.get_payload(decode=True)
    size = len(payload) if isinstance(payload, bytes) else 0
    return Attachment(name=part.get_filename() or "", content_type=part.get_content_type(), size=size)
