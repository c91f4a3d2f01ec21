"""The action registry: for each `aksi` of the SOP vocabulary, everything a running case needs.

One entry says who completes the action (the SOP model's `ActionSpec`), what staff give with an
answer (the fields of the console form and of the API's decision schema, and their kinds), the
check of what they gave, the effect the system runs, the text a requester is shown for the step,
and the event the audit trail records when a step of the action completes.

The console form, the API's decision schema, the requester view and the case services all read
this table and nothing else; `verify` runs at import, so an action added to the SOP model without
an entry here (or a system action without an effect) stops the application at start-up instead
of failing in the middle of a staff member's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.registration import effects as registration
from loket.sop.model import ACTIONS, ActionSpec, Kegiatan

from . import effects
from .context import EffectContext

FieldKind = Literal["documents", "checklist", "account", "user-id", "line", "text", "flag", "password"]
Check = Callable[[EffectContext, Kegiatan, str, str], dict[str, Any]]
Effect = Callable[[EffectContext], dict[str, Any]]


@dataclass(frozen=True)
class Field:
    """A value staff give with an answer. `name` is the console form's field and the API's
    decision key; `kind` says how it is shown and read; `assisted` fields appear only where the
    unit's accounts live in SPSE."""

    name: str
    kind: FieldKind
    label: Promise
    help: Promise | str = ""
    assisted: bool = False
    # What the form offers before staff type anything (e.g. the user ID the unit's rule proposes).
    initial: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Action:
    name: str
    requester_text: Promise
    audit: str
    fields: tuple[Field, ...] = ()
    check: Check | None = None
    effect: Effect | None = None
    # The note of the staff answer that led to a step of this action is meant for the requester
    # (what to complete, why refused); every other staff note stays inside.
    shows_note: bool = False

    @property
    def spec(self) -> ActionSpec:
        return ACTIONS[self.name]


MISSING = Field(
    "missing",
    "documents",
    _("Berkas yang kurang atau tidak terbaca"),
    _("Kode setiap berkas yang kurang (lihat berkas SOP)."),
)
CHECKED = Field(
    "kelengkapan",
    "checklist",
    _("Kelengkapan yang sudah diperiksa"),
    _("Nomor urut (0, 1, ...) setiap butir kelengkapan langkah yang sudah diperiksa; semua wajib untuk 'lengkap'."),
)
ACCOUNT = Field("account_id", "account", _("Akun di direktori yang dimaksud"), _("id akun di direktori unit"))
TYPED_USER_ID = Field(
    "user_id",
    "user-id",
    _("User ID di SPSE (bila akun belum ada di direktori Loket)"),
    _("Baca di SPSE; akun dicatat di direktori Loket dengan data permohonan."),
    assisted=True,
)
PHONE = Field("phone_confirmation", "text", _("Catatan konfirmasi telepon (jika dilakukan)"))
TYPED_EMAIL = Field(
    "email_confirmed_by_phone",
    "flag",
    _("Kirim hasil ke e-mail yang diketik pemohon (dikonfirmasi melalui telepon); jika tidak, ke e-mail di direktori"),
)
PASSWORD = Field(
    "temporary_password",
    "password",
    _("Password sementara yang diatur di SPSE"),
    _("Salin password buatan Loket ke SPSE, atau tempel password yang diberikan SPSE."),
    assisted=True,
)
LETTER_NOTE = Field(
    "letter_note",
    "text",
    _("Tambahan isi surat jawaban (opsional)"),
    _("Satu paragraf yang ditambahkan sebelum penutup surat."),
)
NEW_USER_ID = Field(
    "new_user_id",
    "line",
    _("User ID akun baru"),
    _("Usulan menurut aturan unit; boleh diubah. Bila akun dibuat di SPSE, tulis user ID yang dibuat di sana."),
    initial=registration.proposed_user_id,
)
PASSWORD_SET = Field(
    "password_set_in_spse",
    "flag",
    _("Password ini sudah saya atur di SPSE, dengan kewajiban menggantinya saat masuk pertama kali"),
    assisted=True,
)

_ENTRIES = [
    Action("ajukan-berkas", _("Permohonan dan berkas Anda diterima"), "case.submitted"),
    Action("lengkapi-berkas", _("Anda melengkapi berkas yang diminta"), "case.documents_supplied"),
    Action("isi-buku-tamu", _("Anda mengisi buku tamu di loket"), "case.guest_book_signed"),
    Action("beri-nomor-antrian", _("Anda menerima nomor antrian"), "case.ticket_given"),
    Action("panggil-antrian", _("Permohonan Anda dibuka petugas layanan"), "case.called"),
    Action(
        "terima-disposisi",
        _("Pimpinan menerima permohonan, menjawab surat Anda dan menugaskan petugas"),
        "case.disposed",
        fields=(LETTER_NOTE,),
        effect=registration.answer_and_dispose,
    ),
    Action(
        "periksa-kelengkapan",
        _("Petugas memeriksa kelengkapan berkas Anda"),
        "case.completeness_checked",
        fields=(CHECKED, MISSING),
        check=effects.check_completeness,
    ),
    Action(
        "minta-kelengkapan",
        _("Anda diminta melengkapi berkas"),
        "case.documents_requested",
        effect=effects.ask_for_documents,
        shows_note=True,
    ),
    Action("teruskan", _("Berkas diteruskan kepada petugas berikutnya"), "case.handed_over", effect=effects.hand_over),
    Action(
        "periksa-keabsahan",
        _("Petugas mencocokkan berkas Anda dengan data akun"),
        "case.validity_checked",
        fields=(ACCOUNT, TYPED_USER_ID, PHONE, TYPED_EMAIL),
        check=effects.check_validity,
    ),
    Action(
        "reset-password",
        _("Password sementara dibuat untuk akun Anda"),
        "account.password_reset",
        fields=(PASSWORD, PASSWORD_SET),
        check=effects.check_manual_reset,
        effect=effects.reset_password,
    ),
    Action(
        "cari-user-id",
        _("User ID Anda dicari"),
        "account.user_id_looked_up",
        effect=effects.look_up_user_id,
    ),
    Action(
        "reset-atau-user-id",
        _("Password sementara dibuat atau user ID Anda dicari, sesuai permohonan"),
        "account.password_reset_or_looked_up",
        fields=(PASSWORD, PASSWORD_SET),
        check=effects.check_manual_reset,
        effect=effects.reset_or_user_id,
    ),
    Action(
        "buat-akun",
        _("Akun dibuat; diaktifkan setelah pemiliknya mengikuti pelatihan bila disyaratkan"),
        "account.created",
        fields=(NEW_USER_ID,),
        check=registration.check_new_account,
        effect=registration.create_account,
    ),
    Action(
        "tolak",
        _("Permohonan ditolak; alasannya dikirim kepada Anda"),
        "case.refused",
        effect=effects.refuse,
        shows_note=True,
    ),
    Action("beri-tahu-hasil", _("Hasilnya dikirim ke e-mail Anda"), "case.result_sent", effect=effects.notify_result),
    Action("arsipkan", _("Berkas permohonan diarsipkan"), "case.archived", effect=effects.archive),
    Action("kerjakan", _("Permohonan Anda ditindaklanjuti"), "case.task_done", check=effects.check_task),
]

REGISTRY: dict[str, Action] = {entry.name: entry for entry in _ENTRIES}


class RegistryIncomplete(Exception):
    """The SOP vocabulary and this registry disagree (a code change is missing)."""


def verify(registry: Mapping[str, Action], vocabulary: Mapping[str, ActionSpec]) -> None:
    """Every action of the vocabulary has exactly one entry, and every action the system
    completes has an effect; raises RegistryIncomplete naming what is missing."""
    missing = sorted(set(vocabulary) - set(registry))
    unknown = sorted(set(registry) - set(vocabulary))
    no_effect = sorted(
        name
        for name, spec in vocabulary.items()
        if spec.by == "sistem" and name in registry and registry[name].effect is None
    )
    problems = []
    if missing:
        problems.append(f"no registry entry for: {', '.join(missing)}")
    if unknown:
        problems.append(f"entries for actions the SOP model does not know: {', '.join(unknown)}")
    if no_effect:
        problems.append(f"system actions without an effect: {', '.join(no_effect)}")
    if problems:
        raise RegistryIncomplete("loket.cases.actions: " + "; ".join(problems))


verify(REGISTRY, ACTIONS)


def requester_text(step: Kegiatan) -> str:
    """What a requester is shown for `step`: the SOP's own `teks_pemohon`, else the action's."""
    return step.teks_pemohon or str(REGISTRY[step.aksi].requester_text)


def fields_for(steps: list[Kegiatan], *, assisted: bool) -> list[Field]:
    """The fields staff fill in for these steps, each once, in the steps' order."""
    seen: dict[str, Field] = {}
    for step in steps:
        for f in REGISTRY[step.aksi].fields:
            if f.kind == "checklist" and not step.kelengkapan:
                continue  # nothing to tick at this step
            if (assisted or not f.assisted) and f.name not in seen:
                seen[f.name] = f
    return list(seen.values())


def all_fields() -> list[tuple[Field, list[str]]]:
    """Every field of the registry once, with the actions that use it (for the API schema)."""
    found: dict[str, tuple[Field, list[str]]] = {}
    for entry in _ENTRIES:
        for f in entry.fields:
            found.setdefault(f.name, (f, []))[1].append(entry.name)
    return list(found.values())
