"""NIP (Nomor Induk Pegawai) checks: the 18-digit number of a civil servant.

A PNS number is birth date YYYYMMDD + start of service YYYYMM + gender (1/2) + a 3-digit sequence
that is never 000. PPPK (contract staff) numbers are also 18 digits, but digits 13-14 are not a
month, so they are checked leniently: only the parts both kinds share. No library knows this
format, hence our own few lines.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

NIP_LENGTH = 18
BIRTH_YEARS = (1940, 2010)  # plausible birth years of someone in service
MIN_AGE_AT_START = 15


def normalise_nip(raw: str) -> str:
    """The NIP without the spaces people type ("19720528 200502 1 001" -> "197205282005021001")."""
    return "".join((raw or "").split())


def nip_problems(nip: str, *, strict: bool) -> list[str]:
    """What is wrong with `nip` (empty when it is a valid NIP).

    `strict=True` checks a PNS number in full (start of service a real month, at least 15 years
    after birth); `strict=False` checks what PPPK numbers share with it (18 digits, birth date,
    gender, sequence). Input may contain spaces.
    """
    nip = normalise_nip(nip)
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        return [_("NIP harus 18 angka (sekarang %(n)s karakter).") % {"n": len(nip)}]
    problems: list[str] = []
    birth = _date(nip[0:8])
    if birth is None:
        problems.append(_("Angka 1-8 NIP bukan tanggal lahir yang sah (TTTTBBHH): %(v)s.") % {"v": nip[0:8]})
    elif not BIRTH_YEARS[0] <= birth.year <= BIRTH_YEARS[1]:
        problems.append(
            _("Tahun lahir pada NIP (%(y)s) tidak wajar; harus antara %(a)s dan %(b)s.")
            % {"y": birth.year, "a": BIRTH_YEARS[0], "b": BIRTH_YEARS[1]}
        )
    if strict:
        year, month = int(nip[8:12]), int(nip[12:14])
        if not 1 <= month <= 12:
            problems.append(_("Angka 13-14 NIP bukan bulan yang sah (01-12): %(v)s.") % {"v": nip[12:14]})
        elif birth is not None and (year, month) < (birth.year + MIN_AGE_AT_START, birth.month):
            problems.append(
                _("TMT pada NIP (%(m)s/%(y)s) kurang dari %(age)s tahun setelah tanggal lahir.")
                % {"m": f"{month:02d}", "y": year, "age": MIN_AGE_AT_START}
            )
    if nip[14] not in "12":
        problems.append(_("Angka ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan %(v)s.") % {"v": nip[14]})
    if nip[15:18] == "000":
        problems.append(_("Nomor urut NIP (angka 16-18) tidak boleh 000."))
    return problems


def _date(yyyymmdd: str) -> dt.date | None:
    try:
        return dt.date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
