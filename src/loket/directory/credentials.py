"""One-time credential links: the way a temporary password reaches its holder.

The link carries a random token. The database keeps only the token's SHA-256 (to find the link)
and the password encrypted with a key derived from the token (Fernet, key by HKDF-SHA256), so a
copy of the database alone reveals no password. Opening the link (GET) shows a button; revealing
(POST) consumes it, erases the sealed password and is audited, as is every refused reveal.

The token travels in the link's fragment (`/akun/tautan/#<token>`), which browsers never send to
a server: it reaches no access log, proxy log or Referer header. The page's script moves it into
the reveal form, so it reaches the server only in a POST body (see views.credential_link).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from loket.audit.services import log_action
from loket.directory.models import CredentialLink

from .backends import backend_for

if TYPE_CHECKING:
    from loket.cases.models import Case

    from .models import Account

TOKEN_BYTES = 32
_HKDF_INFO = b"loket credential link v1"


class LinkError(Exception):
    """A link that cannot be revealed; `reason` is what the audit entry records."""

    reason = "unknown"


class LinkUnknown(LinkError):
    reason = "unknown"


class LinkUsed(LinkError):
    reason = "used"


class LinkExpired(LinkError):
    reason = "expired"


@dataclass(frozen=True)
class Revealed:
    user_id: str
    password: str
    account: Account


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fernet(token: str) -> Fernet:
    # The token has 256 random bits, so HKDF needs no salt; `info` keeps this key apart from
    # any other use of the same token (its digest).
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(token.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def credential_url(token: str) -> str:
    """The address of the link, as it goes into the mail: the token in the fragment, never in
    the path or the query."""
    return f"{settings.LOKET_BASE_URL}{reverse('akun:tautan')}#{token}"


_NOT_TOKEN = re.compile(r"[^A-Za-z0-9_-]")
_OLD_PATH = "/akun/tautan/"


def token_from_code(text: str) -> str:
    """The token in what a holder pasted or typed into the reveal form: the code itself, or the
    whole link from the mail (`.../akun/tautan/#<token>`, or an old `.../akun/tautan/<token>/`).
    Spaces and line breaks (a mail client's wrapping) and other stray characters are dropped;
    "" when nothing is left."""
    text = "".join(text.split())
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    elif _OLD_PATH in text:
        text = text.split(_OLD_PATH, 1)[1]
    return _NOT_TOKEN.sub("", text)


@sensitive_variables()  # an error report shows no token or password from these frames
@transaction.atomic(savepoint=False)  # all or nothing; inside a decision, with the decision
def issue_credential_link(*, case: Case, account: Account, password: str) -> str:
    """Seal `password` behind a new one-time link for `account` and return the link's token.

    Effects: earlier unrevealed links of the same account stop working (their password is no
    longer the account's) and their sealed passwords are erased; one CredentialLink row (digest,
    sealed password, expiry after LOKET_LINK_HOURS). The token itself is stored nowhere.
    """
    now = timezone.now()
    CredentialLink.objects.filter(account=account, revealed_at__isnull=True, expires_at__gt=now).update(
        expires_at=now, sealed_password=""
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    CredentialLink.objects.create(
        case=case,
        account=account,
        digest=token_digest(token),
        sealed_password=_fernet(token).encrypt(password.encode()).decode(),
        expires_at=now + dt.timedelta(hours=settings.LOKET_LINK_HOURS),
    )
    return token


def _refusal(link: CredentialLink | None, now: dt.datetime) -> LinkError | None:
    if link is None:
        return LinkUnknown()
    if link.revealed_at is not None:
        return LinkUsed()
    if link.expires_at <= now or not link.sealed_password:
        return LinkExpired()
    return None


@sensitive_variables()
def reveal_credential(*, token: str) -> Revealed:
    """Reveal the password behind a link, once.

    Effects: the account takes the password (its directory's `activate_password`: Loket's own
    directory stores its argon2 hash now); the link is marked revealed and its sealed password
    erased; one audit entry `credential.revealed`. A link that is unknown, already revealed or
    expired (or whose account had a password set since its reset) raises LinkUnknown, LinkUsed or
    LinkExpired and writes `credential.reveal_refused` (committed even so).
    """
    outcome = _consume(token)
    if isinstance(outcome, LinkError):
        raise outcome
    return outcome


@sensitive_variables()
@transaction.atomic
def _consume(token: str) -> Revealed | LinkError:
    now = timezone.now()
    link = (
        CredentialLink.objects.select_for_update()
        .select_related("account", "account__unit", "case")
        .filter(digest=token_digest(token))
        .first()
    )
    refusal = _refusal(link, now)
    password = None
    if link is not None and refusal is None:
        try:
            password = _fernet(token).decrypt(link.sealed_password.encode()).decode()
        except InvalidToken:
            refusal = LinkUnknown()
        # The reset left the account without a usable password; it takes this one now that its
        # holder sees it (the argon2 hash is made here, not in the staff member's decision).
        if password is not None and not backend_for(link.account.unit).activate_password(link.account, password):
            refusal, password = LinkExpired(), None
    if refusal is not None or link is None or password is None:
        refusal = refusal or LinkUnknown()
        log_action(
            "credential.reveal_refused",
            case=link.case if link else None,
            reason=refusal.reason,
            link=link.pk if link else None,
        )
        return refusal
    link.revealed_at = now
    link.sealed_password = ""
    link.save(update_fields=["revealed_at", "sealed_password"])
    account = link.account
    user_id = backend_for(account.unit).look_up_user_id(account)
    log_action("credential.revealed", case=link.case, link=link.pk, user_id=user_id, unit=account.unit.kode)
    return Revealed(user_id=user_id, password=password, account=account)


@transaction.atomic
def erase_expired_credentials() -> int:
    """Erase the sealed passwords of links that expired unrevealed; returns how many. For a
    periodic task: an expired link can never be revealed, so its ciphertext has no use left."""
    return (
        CredentialLink.objects.filter(expires_at__lte=timezone.now())
        .exclude(sealed_password="")
        .update(sealed_password="")
    )
