"""The two documents of a registration, as PDF: the unit's reply letter to the head of the agency
(Surat Jawaban Permohonan Pembuatan Akun) and the filled application form the head prints, signs
and hands back.

A unit's letter comes from its `LetterSettings` row (letterhead, signing city, number pattern,
body, signer, user ID pattern) or, without one, from defaults derived from the unit. The
letterhead is the row's when it has one, else the unit's identity (`units.services.unit_identity`:
its letterhead lines, address and contact); the logo beside it is always the unit's. The number
pattern and the body are `str.format` texts with named placeholders only; `pattern_problems` and
`body_problems` say in Indonesian what is wrong with one. Numbers count per unit and year
(`LetterCounter`, locked while the next is taken, like the case reference numbers).

The wording that names the SOP's roles (the default body and signer's position, the letter's
subject line, the form's titles) lives in the templates under `registration/letters/`, not here.
The documents use the DejaVu fonts shipped with the SOP renderer, so no system font is needed.
"""

from __future__ import annotations

import datetime as dt
import logging
import string
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from loket.sop.render.document import tanggal
from loket.units.services import unit_identity

from .models import LetterCounter, LetterSettings

# WeasyPrint warns about every CSS property it ignores; the documents are tested as PDFs instead.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

FONTS = Path(__file__).resolve().parent.parent / "sop" / "render" / "fonts"

DEFAULT_NUMBER_PATTERN = "{no:03d}/LPSE-{unit}/{bulan}/{tahun}"
DEFAULT_USER_ID_PATTERN = "{nama}.{instansi}"
NUMBER_MAX_LENGTH = 120  # Registration.letter_number

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

# Each placeholder with a value of its kind, to try a format spec on (and the longest plausible
# value where length matters).
NUMBER_SAMPLES: dict[str, object] = {
    "no": 9999,
    "bulan": "VIII",
    "bulan_angka": "12",
    "tahun": 2026,
    "unit": "X" * 40,  # Unit.kode max_length
}
BODY_SAMPLES: dict[str, object] = {
    "instansi": "Dinas Pekerjaan Umum dan Penataan Ruang",
    "pimpinan": "Nama Pimpinan",
    "jabatan_pimpinan": "Kepala Dinas",
    "calon": "Nama Calon",
    "nip_calon": "19900101 201501 1 001",
    "tanggal_permohonan": "2 Desember 2026",
    "nomor_registrasi": "UNIT-2026-000001",
    "unit": "Nama Unit",
}


@dataclass(frozen=True)
class LetterConfig:
    """What a unit's reply letter is made of (its LetterSettings row, or the defaults)."""

    letterhead: list[str]
    city: str
    number_pattern: str
    body: str
    signer_name: str
    signer_nip: str
    signer_position: str
    user_id_pattern: str


@dataclass(frozen=True)
class RequestForm:
    """The values printed on the application form (Formulir Permohonan Pembuatan Akun)."""

    unit_name: str
    agency_name: str
    head_name: str
    head_position: str
    head_email: str
    head_phone: str
    filed_by: str
    candidate_name: str
    candidate_nip: str
    candidate_email: str
    candidate_phone: str
    candidate_position: str
    sk_number: str
    sk_date: dt.date | None
    date: dt.date


# --- dates and numbers -------------------------------------------------------------------------


def tanggal_indonesia(date: dt.date) -> str:
    """The date as written in Indonesian letters: 2 Desember 2026 (as the SOP document writes it)."""
    return tanggal(date)


def format_nip(nip: str) -> str:
    """An 18-digit NIP as printed (19720528 200502 1 001); anything else as given."""
    digits = "".join(nip.split())
    if len(digits) == 18 and digits.isascii() and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return nip.strip()


def format_problems(text: str, samples: Mapping[str, object]) -> list[str]:
    """What is wrong with `text` as a format text whose placeholders are the keys of `samples`:
    malformed braces, unknown or positional placeholders, attribute or index access, conversions,
    format specs the placeholder's value does not take. Empty when `text` formats."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return [
            _(
                "Tanda kurung kurawal tidak berpasangan. Tulis penanda seperti {no}; tulis {{ atau }} untuk kurung kurawal biasa."
            )
        ]
    problems: list[str] = []
    allowed = ", ".join("{" + name + "}" for name in samples)
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if name not in samples:
            problems.append(_("Penanda %(p)s tidak dikenal. Yang dapat dipakai: %(a)s.") % {"p": shown, "a": allowed})
            continue
        if conversion:
            problems.append(_("Penanda %(p)s: tanda !%(c)s tidak dapat dipakai.") % {"p": shown, "c": conversion})
            continue
        if spec:
            if "{" in spec or "}" in spec:
                problems.append(_("Penanda %(p)s: format tidak boleh memuat penanda lain.") % {"p": shown})
                continue
            try:
                format(samples[name], spec)
            except (ValueError, TypeError):
                problems.append(_("Penanda %(p)s: format '%(s)s' tidak sah.") % {"p": shown, "s": spec})
    return list(dict.fromkeys(problems))


def pattern_problems(pattern: str) -> list[str]:
    """What is wrong with a letter number pattern (empty when it is usable)."""
    if not pattern.strip():
        return [_("Pola nomor surat tidak boleh kosong.")]
    problems = format_problems(pattern, NUMBER_SAMPLES)
    if problems:
        return problems
    names = {name for _literal, name, _spec, _conv in string.Formatter().parse(pattern) if name}
    if "no" not in names:
        problems.append(_("Pola nomor surat harus memuat {no} (nomor urut), agar setiap surat bernomor lain."))
    longest = pattern.format(**NUMBER_SAMPLES)
    if len(longest) > NUMBER_MAX_LENGTH:
        problems.append(
            _("Nomor surat dari pola ini dapat sepanjang %(n)s karakter; paling banyak %(max)s.")
            % {"n": len(longest), "max": NUMBER_MAX_LENGTH}
        )
    return problems


def body_problems(body: str) -> list[str]:
    """What is wrong with a letter body (empty when it is usable)."""
    if not body.strip():
        return [_("Isi surat tidak boleh kosong.")]
    return format_problems(body, BODY_SAMPLES)


def format_number(pattern: str, *, no: int, when: dt.date, unit: Any) -> str:
    """The letter number `no` of `unit` dated `when`, by `pattern`. Raises ValueError for a
    pattern `pattern_problems` refuses."""
    problems = format_problems(pattern, NUMBER_SAMPLES) if pattern.strip() else pattern_problems(pattern)
    if problems:
        raise ValueError(" ".join(problems))
    return pattern.format(
        no=no,
        bulan=ROMAN[when.month - 1],
        bulan_angka=f"{when.month:02d}",
        tahun=when.year,
        unit=unit.kode.upper(),
    )


# --- the unit's settings -----------------------------------------------------------------------


def _default_text(part: str) -> str:
    return render_to_string("registration/letters/defaults.html", {"part": part}).strip()


def default_body() -> str:
    """The body of a unit's letter without LetterSettings (registration/letters/defaults.html)."""
    return _default_text("body")


def default_signer_position() -> str:
    """The signer's position of a unit's letter without LetterSettings."""
    return _default_text("signer_position")


def identity_letterhead(unit: Any) -> list[str]:
    """The letterhead a unit's identity gives: its letterhead lines (else its name), then its
    address lines and its contact line, in Indonesian as the letter is."""
    with translation.override("id"):
        identity = unit_identity(unit)
        contact = identity.contact_line
    return [*identity.kop, *identity.alamat, *([contact] if contact else [])]


def default_config(unit: Any) -> LetterConfig:
    """The letter of a unit without LetterSettings: the unit identity's letterhead, no city, no
    signer's name, and the default number pattern, body, position and user ID pattern."""
    return LetterConfig(
        letterhead=identity_letterhead(unit),
        city="",
        number_pattern=DEFAULT_NUMBER_PATTERN,
        body=default_body(),
        signer_name="",
        signer_nip="",
        signer_position=default_signer_position(),
        user_id_pattern=DEFAULT_USER_ID_PATTERN,
    )


def config_for(unit: Any) -> LetterConfig:
    """The unit's letter: its LetterSettings row if it has one, else `default_config(unit)`."""
    row = LetterSettings.objects.filter(unit=unit).first()
    if row is None:
        return default_config(unit)
    lines = [line.strip() for line in row.letterhead.splitlines()]
    return LetterConfig(
        letterhead=[line for line in lines if line] or identity_letterhead(unit),
        city=row.city.strip(),
        number_pattern=row.number_pattern,
        body=row.body,
        signer_name=row.signer_name.strip(),
        signer_nip=row.signer_nip.strip(),
        signer_position=row.signer_position.strip(),
        user_id_pattern=row.user_id_pattern,
    )


# --- the counter -------------------------------------------------------------------------------


def take_number(unit: Any, when: dt.date) -> str:
    """The unit's next letter number of `when`'s year, taken: the counter row is locked until the
    caller's transaction commits, so two letters never share a number. A pattern that does not
    format raises ValueError before a number is taken."""
    pattern = config_for(unit).number_pattern
    with transaction.atomic():
        LetterCounter.objects.get_or_create(unit=unit, year=when.year)
        counter = LetterCounter.objects.select_for_update().get(unit=unit, year=when.year)
        number = format_number(pattern, no=counter.last + 1, when=when, unit=unit)
        counter.last += 1
        counter.save(update_fields=["last"])
    return number


def peek_number(unit: Any, when: dt.date) -> str:
    """What `take_number(unit, when)` would give now, without taking it (for a preview; another
    letter may take it first)."""
    counter = LetterCounter.objects.filter(unit=unit, year=when.year).first()
    last = counter.last if counter else 0
    return format_number(config_for(unit).number_pattern, no=last + 1, when=when, unit=unit)


# --- the documents -----------------------------------------------------------------------------


def _fonts() -> dict[str, str]:
    return {
        "regular": (FONTS / "DejaVuSansCondensed.ttf").as_uri(),
        "bold": (FONTS / "DejaVuSansCondensed-Bold.ttf").as_uri(),
    }


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "fonts": _fonts()})
    return HTML(string=html, base_url=str(FONTS)).write_pdf()


def addressee(head_position: str, agency_name: str) -> str:
    """Whom the letter is for: the head's position and the agency, without saying twice what both
    say ("Kepala Dinas" + "Dinas Pendidikan" -> "Kepala Dinas Pendidikan")."""
    position, agency = " ".join(head_position.split()), " ".join(agency_name.split())
    if not agency or agency.casefold() in position.casefold():
        return position
    if not position:
        return agency
    pos_words, agency_words = position.split(), agency.split()
    for k in range(min(len(pos_words), len(agency_words)), 0, -1):
        if [w.casefold() for w in pos_words[-k:]] == [w.casefold() for w in agency_words[:k]]:
            return " ".join(pos_words + agency_words[k:])
    return f"{position} {agency}"


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines; single line breaks stay inside a paragraph."""
    paragraphs, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _with_note(body: list[str], note: list[str]) -> list[str]:
    """The body with the note's paragraphs before its closing one ("Demikian ..."), which a body
    of more than one paragraph is taken to end with."""
    if len(body) < 2:
        return body + note
    return body[:-1] + note + body[-1:]


def agency_name(registration: Any) -> str:
    agency = registration.case.agency
    return agency.name if agency is not None else registration.new_agency_name


def body_values(registration: Any) -> dict[str, str]:
    """The body's placeholders filled from a registration and its case."""
    case = registration.case
    unit = case.unit
    filed = case.created_at.astimezone(zoneinfo.ZoneInfo(unit.zona_waktu)).date()
    return {
        "instansi": agency_name(registration),
        "pimpinan": case.requester_name,
        "jabatan_pimpinan": registration.head_position,
        "calon": registration.candidate_name,
        "nip_calon": format_nip(registration.candidate_nip),
        "tanggal_permohonan": tanggal_indonesia(filed),
        "nomor_registrasi": case.reference,
        "unit": unit.nama,
    }


def reply_letter_pdf(registration: Any, *, number: str, date: dt.date, note: str = "") -> bytes:
    """The unit's reply letter to the head of the agency (A4 portrait): letterhead, number,
    subject, date, addressee, body, the signature block. `note` (paragraphs at blank lines) goes
    before the body's closing paragraph, or after a body of one paragraph.
    Raises ValueError when the unit's body does not format (`body_problems`)."""
    unit = registration.case.unit
    config = config_for(unit)
    problems = body_problems(config.body)
    if problems:
        raise ValueError(" ".join(problems))
    body = config.body.format(**body_values(registration))
    tanggal = tanggal_indonesia(date)
    return _pdf(
        "registration/letters/reply.html",
        {
            "config": config,
            "logo": unit_identity(unit).logo_uri(),
            "number": number,
            "date_line": f"{config.city}, {tanggal}" if config.city else tanggal,
            "addressee": addressee(registration.head_position, agency_name(registration)),
            "paragraphs": _with_note(_paragraphs(body), _paragraphs(note)),
            "signer_nip": format_nip(config.signer_nip),
        },
    )


def request_form_pdf(form: RequestForm) -> bytes:
    """The filled application form to print, sign, scan and upload (A4 portrait)."""
    return _pdf(
        "registration/letters/request_form.html",
        {
            "form": form,
            "candidate_nip": format_nip(form.candidate_nip),
            "head_title": addressee(form.head_position, form.agency_name),
            "sk_date": tanggal_indonesia(form.sk_date) if form.sk_date else "",
            "tanggal": tanggal_indonesia(form.date),
        },
    )
