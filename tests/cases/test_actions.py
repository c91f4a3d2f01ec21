"""The action registry: an entry for every action of the SOP vocabulary, checked at import, and
what the channels read from it (fields, requester texts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loket.cases import actions
from loket.cases.actions import REGISTRY, RegistryIncomplete, fields_for, requester_text, verify
from loket.sop.load import load_text
from loket.sop.model import ACTIONS, ActionSpec

ROOT = Path(__file__).resolve().parents[2]


def test_every_action_of_the_vocabulary_has_one_entry() -> None:
    assert set(REGISTRY) == set(ACTIONS)
    for name, entry in REGISTRY.items():
        assert str(entry.requester_text).strip(), name
        assert entry.audit, name
        if ACTIONS[name].by == "sistem":
            assert entry.effect is not None, f"{name} is run by the system and needs an effect"


def test_verify_names_an_action_without_an_entry() -> None:
    vocabulary = {**ACTIONS, "kirim-sms": ActionSpec("mengirim SMS", by="sistem")}
    with pytest.raises(RegistryIncomplete, match="no registry entry for: kirim-sms"):
        verify(REGISTRY, vocabulary)


def test_verify_names_a_system_action_without_an_effect() -> None:
    registry = {**REGISTRY, "arsipkan": actions.Action("arsipkan", REGISTRY["arsipkan"].requester_text, "x")}
    with pytest.raises(RegistryIncomplete, match="system actions without an effect: arsipkan"):
        verify(registry, ACTIONS)


def test_the_application_does_not_start_when_an_action_has_no_entry() -> None:
    """The check runs when the registry is imported, so a missing entry stops start-up instead of
    failing with a KeyError in the middle of a staff member's decision."""
    script = (
        "import django, os\n"
        "from loket.sop.model import ACTIONS, ActionSpec\n"
        "ACTIONS['kirim-sms'] = ActionSpec('mengirim SMS', by='sistem')\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'loket.settings')\n"
        "django.setup()\n"
        "import loket.cases.actions\n"
    )
    env = {**os.environ, "LOKET_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode != 0
    assert "no registry entry for: kirim-sms" in done.stderr


SOP_WITH_OWN_TEXT = """
kode: uji-teks
versi: 1
layanan: reset-akun
peran_akun: [PPK]
unit: uji
nomor: "-"
nama: Uji teks pemohon
pelaksana: [Pemohon, Petugas]
berkas: [{kode: surat, nama: Surat}]
kegiatan:
  - {no: 1, uraian: Menyampaikan berkas, pelaksana: Pemohon, waktu: null, aksi: ajukan-berkas, lanjut: 2}
  - no: 2
    uraian: Apabila berkas lengkap dan benar/valid Petugas memproses permohonan
    teks_pemohon: Petugas memproses permohonan Anda
    pelaksana: Petugas
    waktu: 5
    aksi: kerjakan
    lanjut: 3
  - {no: 3, uraian: Mengarsipkan, pelaksana: Petugas, waktu: 1, aksi: arsipkan, lanjut: selesai}
"""


def test_a_requester_sees_the_sop_s_own_text_or_the_action_s_never_the_staff_sentence() -> None:
    sop = load_text(SOP_WITH_OWN_TEXT, "uji.yaml").sop
    assert sop is not None
    assert requester_text(sop.step(2)) == "Petugas memproses permohonan Anda"
    assert requester_text(sop.step(3)) == "Berkas permohonan diarsipkan"
    assert requester_text(sop.step(1)) == "Permohonan dan berkas Anda diterima"


def test_assisted_fields_appear_only_where_accounts_live_in_spse() -> None:
    sop = load_text(SOP_WITH_OWN_TEXT, "uji.yaml").sop
    assert sop is not None
    validity = sop.step(2).model_copy(update={"aksi": "periksa-keabsahan"})
    reset = sop.step(2).model_copy(update={"aksi": "reset-password"})
    local = [f.name for f in fields_for([validity, reset], assisted=False)]
    spse = [f.name for f in fields_for([validity, reset], assisted=True)]
    assert local == ["account_id", "phone_confirmation", "email_confirmed_by_phone"]
    assert spse == [
        "account_id",
        "user_id",
        "phone_confirmation",
        "email_confirmed_by_phone",
        "temporary_password",
        "password_set_in_spse",
    ]
