"""The words of the pages in each language: every string Loket marks for translation has its
English, and none of them is turned into another word by Django's own Indonesian catalogues
(Django's auth says "Sandi" for "Password"; Loket says "password", as SPSE does)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import django

PO = Path(__file__).parents[1] / "src/loket/locale/en/LC_MESSAGES/django.po"
# Django's own words Loket is glad to take as they are.
TAKEN = {"Home"}


def _entries() -> list[str]:
    return PO.read_text(encoding="utf-8").split("\n\n")[1:]


def _text(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def test_every_string_has_its_english() -> None:
    missing = []
    for entry in _entries():
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if msgid is None:
            continue
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry, re.M)
        if "#, fuzzy" in entry or not strings or any(not _text(s) for s in strings):
            missing.append(_text(msgid.group(1)))
    assert missing == []


def test_no_string_is_taken_over_by_djangos_indonesian() -> None:
    base = Path(django.__file__).parent
    catalogues = [
        gettext.translation("django", str(d), languages=["id"])
        for d in base.glob("**/locale")
        if (d / "id" / "LC_MESSAGES" / "django.mo").exists()
    ]
    taken = []
    for entry in _entries():
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if msgid is None or "msgctxt" in entry:
            continue
        text = _text(msgid.group(1))
        for catalogue in catalogues:
            if text not in TAKEN and catalogue.gettext(text) != text:
                taken.append(f"{text!r} -> {catalogue.gettext(text)!r}")
    assert taken == []
