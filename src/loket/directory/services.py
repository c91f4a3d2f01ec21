"""Directory services: importing accounts from a spreadsheet (CSV), and the account holder's
sign-in and password change on the pages that stand in for SPSE.

Import loads the local directory (the `Account` rows); with an external backend the accounts
come from that directory instead, and import is a tool for the local one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import CommonPasswordValidator, NumericPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.throttle.limits import Refused
from loket.throttle.signin import begin_sign_in, refused_message
from loket.units.models import Unit

from .backends import backend_for
from .backends.local import account_by_user_id
from .models import Account, Agency
from .nip import nip_problems, normalise_nip
from .passwords import password_problems
from .roles import account_roles, nip_required_roles

ACCOUNT_PASSWORD_VALIDATORS: list[Any] = [CommonPasswordValidator(), NumericPasswordValidator()]

# -- import -----------------------------------------------------------------------------------------

COLUMNS = ("user_id", "name", "nip", "email", "phone", "role", "agency", "satker", "sk_number")
REQUIRED_COLUMNS = ("user_id", "name", "nip", "email", "role", "agency")
REQUIRED_VALUES = ("user_id", "name", "email", "role", "agency")
# Roles held only by civil servants appointed by decree: their NIP is required.
_FIELDS = ("name", "nip", "email", "phone", "role", "satker", "sk_number")
_MAX = {
    "user_id": Account._meta.get_field("user_id").max_length,
    "name": Account._meta.get_field("name").max_length,
    "email": Account._meta.get_field("email").max_length,
    "phone": Account._meta.get_field("phone").max_length,
    "satker": Account._meta.get_field("satker").max_length,
    "sk_number": Account._meta.get_field("sk_number").max_length,
    "agency": Agency._meta.get_field("name").max_length,
}

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
OUTCOME_LABELS = {
    CREATED: "dibuat",
    UPDATED: "diperbarui",
    UNCHANGED: "tidak berubah",
    REFUSED: "ditolak",
}


class ImportRefused(Exception):
    """The file as a whole cannot be read (not CSV, not UTF-8, header without required columns);
    nothing was written."""


@dataclass
class RowResult:
    line: int
    user_id: str
    outcome: str
    reasons: list[str] = field(default_factory=list)  # why the row was refused
    warnings: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # the fields an update changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "user_id": self.user_id,
            "outcome": self.outcome,
            "reasons": self.reasons,
            "warnings": self.warnings,
            "changed": self.changed,
        }


@dataclass
class ImportReport:
    unit: str
    rows: list[RowResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the file as a whole
    new_agencies: list[str] = field(default_factory=list)
    dry_run: bool = False

    def totals(self) -> dict[str, int]:
        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, REFUSED: 0}
        for row in self.rows:
            counts[row.outcome] += 1
        return {**counts, "rows": len(self.rows)}

    @property
    def refused(self) -> int:
        return sum(1 for row in self.rows if row.outcome == REFUSED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "dry_run": self.dry_run,
            "totals": self.totals(),
            "new_agencies": self.new_agencies,
            "notes": self.notes,
            "rows": [row.as_dict() for row in self.rows],
        }


@dataclass
class AccountRows:
    """The rows of an import file, read and not yet checked: (line number, values by column)."""

    rows: list[tuple[int, dict[str, str]]]
    columns: list[str]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


Source = AccountRows | Path | str | bytes | IO[bytes] | IO[str] | Iterable[Mapping[str, Any]]


def read_account_rows(source: Source) -> AccountRows:
    """Read an import file: a path, bytes, a binary or text stream, or rows already parsed
    (mappings by column name). Raises ImportRefused with one clear message for a file that
    cannot be read as a whole. Accepts a UTF-8 BOM and `;` or tab as separator (what spreadsheet
    programs write in an Indonesian locale)."""
    if isinstance(source, AccountRows):
        return source
    if isinstance(source, list | tuple) and all(isinstance(r, Mapping) for r in source):
        rows = [(i + 2, {_column(k): _text(v) for k, v in r.items()}) for i, r in enumerate(source)]
        columns = list(dict.fromkeys(c for _line, r in rows for c in r))
        _check_columns(columns)
        return AccountRows(rows=rows, columns=columns)
    if isinstance(source, Path):
        try:
            data: bytes | str = source.read_bytes()
        except OSError as exc:
            raise ImportRefused(_("Berkas %(f)s tidak dapat dibaca: %(e)s") % {"f": source, "e": exc.strerror}) from exc
    elif isinstance(source, bytes | str):
        data = source
    elif hasattr(source, "read"):
        data = source.read()
    else:  # an iterable of rows that is not a list
        return read_account_rows(list(source))
    return _parse(_decode(data) if isinstance(data, bytes) else data)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ImportRefused(
            _(
                "Berkas ini bukan CSV (isinya biner, misalnya berkas Excel). Simpan dari spreadsheet sebagai 'CSV UTF-8'."
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            _(
                "Berkas bukan teks UTF-8 (karakter tidak dikenal di baris %(line)s). "
                "Simpan ulang dari spreadsheet sebagai 'CSV UTF-8'."
            )
            % {"line": line}
        ) from exc


def _parse(text: str) -> AccountRows:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise ImportRefused(
            _("Berkas kosong: baris pertama harus berisi judul kolom (%(c)s).") % {"c": ",".join(COLUMNS)}
        )
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [_column(name) for name in next(reader)]
        duplicated = sorted({c for c in header if c and header.count(c) > 1})
        if duplicated:
            raise ImportRefused(_("Judul kolom ganda: %(c)s.") % {"c": ", ".join(duplicated)})
        _check_columns(header)
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header) if name}
            if len(values) > len(header):
                row["__extra__"] = "x"
            rows.append((reader.line_num, {k: _text(v) for k, v in row.items()}))
    except csv.Error as exc:
        raise ImportRefused(
            _("Berkas bukan CSV yang sah (baris %(line)s: %(e)s).") % {"line": reader.line_num, "e": exc}
        ) from exc
    notes = []
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        notes.append(_("Kolom yang tidak dikenal diabaikan: %(c)s.") % {"c": ", ".join(unknown)})
    return AccountRows(rows=rows, columns=[c for c in header if c in COLUMNS], notes=notes)


def _column(name: Any) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_columns(columns: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportRefused(
            _("Kolom wajib tidak ada di baris judul: %(m)s. Baris judul harus memuat: %(c)s.")
            % {"m": ", ".join(missing), "c": ",".join(COLUMNS)}
        )


def _role(raw: str) -> str | None:
    by_folded = {r.casefold(): r for r in account_roles()}
    return by_folded.get(" ".join(raw.split()).casefold())


def _check_row(row: dict[str, str]) -> tuple[dict[str, str], list[str], list[str]]:
    """The row's cleaned values, the reasons to refuse it, and warnings."""
    reasons: list[str] = []
    warnings: list[str] = []
    values = {k: v for k, v in row.items() if k in COLUMNS}
    values["name"] = " ".join(values.get("name", "").split())
    values["agency"] = " ".join(values.get("agency", "").split())
    if "__extra__" in row:
        reasons.append(_("baris memuat lebih banyak kolom daripada baris judul"))
    empty = [c for c in REQUIRED_VALUES if not values.get(c)]
    if empty:
        reasons.append(_("kolom wajib kosong: %(c)s") % {"c": ", ".join(empty)})
    for name, limit in _MAX.items():
        if limit and len(values.get(name, "")) > limit:
            reasons.append(_("%(c)s terlalu panjang (paling banyak %(n)s karakter)") % {"c": name, "n": limit})
    if values.get("user_id") and any(ch.isspace() for ch in values["user_id"]):
        reasons.append(_("user ID tidak boleh memuat spasi"))
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            reasons.append(_("alamat e-mail tidak sah: %(e)s") % {"e": values["email"]})
    if values.get("role"):
        role = _role(values["role"])
        if role is None:
            reasons.append(
                _("peran tidak dikenal: %(r)s (pilihan: %(c)s)")
                % {"r": values["role"], "c": ", ".join(account_roles())}
            )
        else:
            values["role"] = role
    values["nip"] = normalise_nip(values.get("nip", ""))
    if values["nip"]:
        strict = nip_problems(values["nip"], strict=True)
        if strict:
            lenient = nip_problems(values["nip"], strict=False)
            if lenient:
                reasons.append(_("NIP tidak sah: %(p)s") % {"p": " ".join(strict)})
            else:
                warnings.append(_("NIP bukan pola PNS (%(p)s); diterima sebagai PPPK") % {"p": " ".join(strict)})
    elif values.get("role") in nip_required_roles():
        reasons.append(_("NIP wajib diisi untuk peran %(r)s") % {"r": values["role"]})
    return values, reasons, warnings


@transaction.atomic
def import_accounts(
    *,
    rows_or_file: Source,
    unit: Unit,
    actor: Any = None,
    dry_run: bool = False,
    on_row: Callable[[], None] | None = None,
) -> ImportReport:
    """Create or update the accounts of `unit` from a CSV file (columns: see COLUMNS).

    Each row is created, updated (the columns present in the file replace the stored values),
    unchanged, or refused with its reasons; refused rows do not stop the others. A NIP that fails
    the civil-servant pattern but passes the PPPK one is accepted with a warning. A user ID that
    appears twice in the file is refused the second time.

    Effects: agencies named in the file are created in the unit when new (matched ignoring case);
    accounts created (no usable password yet, must change it at first sign-in) or updated; one
    audit entry `directory.accounts_imported` with the counts. `dry_run` writes nothing.
    Raises ImportRefused, writing nothing, when the file cannot be read as a whole.
    """
    parsed = read_account_rows(rows_or_file)
    report = ImportReport(unit=unit.kode, notes=list(parsed.notes), dry_run=dry_run)
    agencies = {a.name.casefold(): a for a in Agency.objects.filter(unit=unit)}
    existing = list(Account.objects.filter(unit=unit))
    exact = {a.user_id: a for a in existing}
    folded: dict[str, list[Account]] = {}
    for a in existing:
        folded.setdefault(a.user_id.casefold(), []).append(a)
    seen: dict[str, int] = {}
    present = [f for f in _FIELDS if f in parsed.columns]

    for line, raw in parsed.rows:
        values, reasons, warnings = _check_row(raw)
        user_id = values.get("user_id", "")
        key = user_id.casefold()
        if user_id and key in seen:
            reasons.append(_("user ID sama dengan baris %(line)s") % {"line": seen[key]})
        elif user_id:
            seen[key] = line
        if reasons:
            report.rows.append(RowResult(line, user_id, REFUSED, reasons=reasons, warnings=warnings))
            if on_row:
                on_row()
            continue

        agency = agencies.get(values["agency"].casefold())
        if agency is None:
            agency = Agency.objects.create(unit=unit, name=values["agency"])
            agencies[agency.name.casefold()] = agency
            report.new_agencies.append(agency.name)
        account = exact.get(user_id)
        if account is None and len(folded.get(key, [])) == 1:
            account = folded[key][0]

        if account is None:
            account = Account.objects.create(
                unit=unit,
                user_id=user_id,
                agency=agency,
                must_change_password=True,
                password=make_password(None),
                **{f: values.get(f, "") for f in _FIELDS},
            )
            exact[user_id] = account
            report.rows.append(RowResult(line, user_id, CREATED, warnings=warnings))
        else:
            changed = [f for f in present if getattr(account, f) != values.get(f, "")]
            for f in changed:
                setattr(account, f, values.get(f, ""))
            if account.agency_id != agency.pk:
                account.agency = agency
                changed.append("agency")
            if changed:
                account.save(update_fields=[*changed, "updated_at"])
                report.rows.append(RowResult(line, account.user_id, UPDATED, warnings=warnings, changed=changed))
            else:
                report.rows.append(RowResult(line, account.user_id, UNCHANGED, warnings=warnings))
        if on_row:
            on_row()

    log_action("directory.accounts_imported", actor=actor, unit=unit.kode, **report.totals())
    if dry_run:
        transaction.set_rollback(True)
    return report


# -- sign-in (the SPSE stand-in) --------------------------------------------------------------------


class SignInRefused(Exception):
    """Sign-in refused; the message is for the person at the form."""


class PasswordRejected(Exception):
    """A new password refused; `problems` are the messages for the form."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def sign_in_account(*, unit_kode: str, user_id: str, password: str, ip: str | None) -> Account:
    """Check an account holder's user ID and password for a unit and return the account.

    `ip` is the client address (`loket.throttle.address.client_address`). The limit is
    `loket.throttle.signin`'s, shared with the staff console: per unit + user ID + address 5
    failures since the last success refuse further attempts for 15 minutes, doubling with each
    further 5; 20 failures from one address within 15 minutes refuse every account from it for
    15 minutes. Counting is atomic (the attempt's row is written, then counted, under a lock),
    and a refused attempt checks no password.

    Effects: one SignInAttempt row (ok, failed or blocked; rows older than a day are pruned); one
    audit entry `account.signed_in` or `account.sign_in_refused` (with the reason, never the
    password). Raises SignInRefused with the message to show: wrong user ID or password (the
    same message for both), account not active, or too many failures.
    """
    unit_kode, user_id, ip = unit_kode.strip(), user_id.strip(), ip or None
    audit = {"unit": unit_kode, "user_id": user_id, "ip": ip}
    ticket = begin_sign_in(unit_kode=unit_kode, user_id=user_id, ip=ip)
    if isinstance(ticket, Refused):
        log_action("account.sign_in_refused", reason="blocked", **audit)
        raise SignInRefused(refused_message(ticket))

    unit = Unit.objects.filter(kode=unit_kode).first()
    backend = backend_for(unit)
    account = account_by_user_id(unit, user_id) if unit is not None and user_id else None
    if account is None:
        make_password(password)  # spend the time a real check takes: no hint that the user ID is unknown
        ok = False
    else:
        ok = backend.check_password(account, password)
    if not ok or account is None:
        log_action("account.sign_in_refused", reason="wrong", **audit)
        raise SignInRefused(_("User ID atau password salah untuk unit yang dipilih."))
    if not account.is_active:
        log_action("account.sign_in_refused", reason="inactive", **audit)
        raise SignInRefused(_("Akun Anda belum aktif atau sedang dinonaktifkan. Hubungi LPSE/UKPBJ unit Anda."))
    ticket.succeeded()
    log_action("account.signed_in", must_change_password=account.must_change_password, **audit)
    return account


@transaction.atomic
def change_account_password(
    *, account: Account, new_password: str, confirm: str, current_password: str | None = None
) -> None:
    """Set the password the holder chose.

    When the account must change its (temporary) password, the current one is not asked again:
    the holder has just signed in with it. Otherwise `current_password` must be right.
    The new password must meet the SPSE rule and Django's validators, match its confirmation,
    not contain the user ID, and differ from the current password.

    Effects: the password hash replaced and the must-change flag cleared (through the backend);
    one audit entry `account.password_changed`. Raises PasswordRejected with the problems.
    """
    backend = backend_for(account.unit)
    forced = account.must_change_password
    problems: list[str] = []
    if not forced and not backend.check_password(account, current_password or ""):
        problems.append(_("Password lama salah."))
    if new_password != confirm:
        problems.append(_("Kedua isian password baru tidak sama."))
    problems += password_problems(new_password)
    if account.user_id and account.user_id.casefold() in new_password.casefold():
        problems.append(_("Password tidak boleh memuat user ID."))
    try:
        # Django's other checks (a common password, one like the account's data); its length
        # check says again what the SPSE rule above already said, so it is left out.
        validate_password(new_password, password_validators=ACCOUNT_PASSWORD_VALIDATORS)
    except ValidationError as exc:
        problems += [str(m) for m in exc.messages]
    if new_password and backend.check_password(account, new_password):
        problems.append(
            _("Password baru harus berbeda dari password sementara.")
            if forced
            else _("Password baru harus berbeda dari password lama.")
        )
    if problems:
        raise PasswordRejected(list(dict.fromkeys(problems)))
    backend.set_password(account, new_password)
    log_action("account.password_changed", unit=account.unit.kode, user_id=account.user_id, forced=forced)
