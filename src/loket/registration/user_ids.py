"""The user ID Loket proposes for a new account, and the checks on the one staff settle on.

A unit's pattern (LetterSettings.user_id_pattern, default "{nama}.{instansi}") is filled from the
candidate and the agency, made lower-case ASCII and unique among the unit's directory accounts:

- {nama}: the first name, {nama_belakang}: the last word of the name (a leading title such as
  "Dr." or "H." and the degrees after a comma are left out);
- {instansi}: the initials of the agency name's capitalised words, an acronym kept whole
  ("Dinas Pekerjaan Umum dan Penataan Ruang" -> "dpupr", "Dinas PUPR" -> "dpupr");
- {nip}: the NIP's digits; {unit}: the unit's kode.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from loket.directory.models import Account

from .letters import DEFAULT_USER_ID_PATTERN, format_problems

FALLBACK = "adminagency"
PROPOSAL_MAX_LENGTH = 40
USER_ID_MAX_LENGTH = 80  # Account.user_id
VALID = re.compile(r"[a-z0-9._-]+")

USER_ID_SAMPLES: dict[str, object] = {
    "nama": "siti",
    "nama_belakang": "rahmawati",
    "instansi": "dpupr",
    "nip": "199001012015011001",
    "unit": "unit",
}

# Titles written before a name, left out of {nama} (compared without dots, case-insensitive).
TITLES = frozenset({"dr", "drs", "dra", "ir", "h", "hj", "prof", "kh", "tn", "ny", "sdr", "sdri", "bpk", "ibu"})


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _name_words(name: str) -> list[str]:
    """The words of a person's name without the degrees after a comma and leading titles."""
    words = _ascii(name.split(",")[0]).split()
    while len(words) > 1 and words[0].replace(".", "").casefold() in TITLES:
        words = words[1:]
    return words


def agency_initials(agency_name: str) -> str:
    """The initials of the agency name's capitalised words (an all-capital word kept whole),
    lower case; text in parentheses is left out."""
    text = re.sub(r"\([^)]*\)", " ", _ascii(agency_name))
    out = []
    for word in re.split(r"[^A-Za-z0-9]+", text):
        if not word:
            continue
        if len(word) > 1 and word.isupper():
            out.append(word)
        elif word[0].isupper() or word[0].isdigit():
            out.append(word[0])
    return "".join(out).lower()


def _clean(text: str) -> str:
    """Lower-case ASCII of a-z, 0-9 and . _ -, separators not repeated nor at either end."""
    text = re.sub(r"[^a-z0-9._-]", "", _ascii(text).lower())
    text = re.sub(r"([._-])[._-]+", r"\1", text)
    return text.strip("._-")


def user_id_pattern_problems(pattern: str) -> list[str]:
    """What is wrong with a user ID pattern (empty when it is usable)."""
    if not pattern.strip():
        return [_("Pola user ID tidak boleh kosong.")]
    problems = format_problems(pattern, USER_ID_SAMPLES)
    if not problems and not _clean(pattern.format(**USER_ID_SAMPLES)):
        problems.append(_("Pola user ID tidak menghasilkan huruf atau angka apa pun."))
    return problems


def propose_user_id(*, unit: Any, pattern: str, candidate_name: str, agency_name: str, nip: str) -> str:
    """A user ID for the candidate by `pattern` (the default pattern where `pattern` does not
    format), at most 40 characters, never empty, and not yet used by an account of `unit`
    (compared case-insensitively; a taken one gets 2, 3, ... appended)."""
    if user_id_pattern_problems(pattern):
        pattern = DEFAULT_USER_ID_PATTERN
    words = _name_words(candidate_name)
    values = {
        "nama": words[0] if words else "",
        "nama_belakang": words[-1] if words else "",
        "instansi": agency_initials(agency_name),
        "nip": "".join(ch for ch in nip if ch.isascii() and ch.isdigit()),
        "unit": unit.kode,
    }
    base = _clean(string.Formatter().vformat(pattern, (), values))
    base = _clean(base[:PROPOSAL_MAX_LENGTH]) or FALLBACK
    # A suffixed candidate may cut the base short: look at every account sharing its first part.
    stem = base[: PROPOSAL_MAX_LENGTH - 6]
    taken = {
        user_id.lower()
        for user_id in Account.objects.filter(unit=unit, user_id__istartswith=stem).values_list("user_id", flat=True)
    }
    candidate, n = base, 2
    while candidate in taken:
        suffix = str(n)
        candidate = base[: PROPOSAL_MAX_LENGTH - len(suffix)].rstrip("._-") + suffix
        n += 1
    return candidate


def user_id_problems(unit: Any, user_id: str) -> list[str]:
    """What is wrong with `user_id` for a new account of `unit` (empty when it may be used)."""
    if not user_id:
        return [_("User ID tidak boleh kosong.")]
    problems = []
    if not VALID.fullmatch(user_id):
        problems.append(
            _("User ID hanya boleh memuat huruf kecil a-z, angka 0-9, titik (.), garis bawah (_) dan tanda hubung (-).")
        )
    if len(user_id) > USER_ID_MAX_LENGTH:
        problems.append(
            _("User ID paling banyak %(max)s karakter (sekarang %(n)s).")
            % {"max": USER_ID_MAX_LENGTH, "n": len(user_id)}
        )
    if Account.objects.filter(unit=unit, user_id__iexact=user_id).exists():
        problems.append(_("User ID %(v)s sudah dipakai akun lain di unit ini.") % {"v": user_id})
    return problems
