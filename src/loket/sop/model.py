"""The SOP model: one SOP file (docs/sop-format.md) as typed Python objects.

Pure Python (pydantic, no Django). The keys are the Indonesian words of the SOP-AP form so that a
file reads like the paper it mirrors; the attribute names are the same keys. The engine's
vocabulary (`aksi`) and the rules a system decision may name (`syarat`) are declared here, in one
place, so that the checker, the renderers and the engine all read the same table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

SELESAI = "selesai"

Kode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
# Strict: YAML `true` must not pass for step 1 or for one minute.
Target = StrictInt | Literal["selesai"]


@dataclass(frozen=True)
class ActionSpec:
    """What an `aksi` means to the engine.

    `decision`: the step must carry a `keputusan` (staff answer ya/tidak).
    `waits`: the step waits on the requester or on an outside event, so a loop through it cannot
    spin by itself (sop-format.md, loop rule).
    `by`: who completes the step when a case runs: the requester (`pemohon`), a staff member of
    the step's lane (`staf`), or the system on the authority of the staff member whose answer led
    there (`sistem`: the effect of the same name runs).
    `outcome`: the end state a case reaches when its path passed this step (`ditolak`), if any.
    `sets_password`: the action gives the account a temporary password, always (`always`) or when
    the requester asked for one (`when-asked`). Where a unit's accounts live outside Loket (the
    assisted directory), a person must do that by hand, so such a step is then a staff step.
    `creates_account`: the action creates the account the request asks for; its activation may
    wait on a gate (`tunggu` of the step, GATES).
    `delivers`: the action mails the result to the account holder; the step may name lanes that
    get a copy without the secret (`tembusan`).
    """

    description: str
    decision: bool = False
    waits: bool = False
    by: Literal["pemohon", "staf", "sistem"] = "staf"
    outcome: str | None = None
    sets_password: Literal["always", "when-asked"] | None = None
    creates_account: bool = False
    delivers: bool = False


ACTIONS: dict[str, ActionSpec] = {
    "ajukan-berkas": ActionSpec("pemohon menyampaikan permohonan dan berkasnya", waits=True, by="pemohon"),
    "lengkapi-berkas": ActionSpec("pemohon menyerahkan berkas yang kurang", waits=True, by="pemohon"),
    "isi-buku-tamu": ActionSpec("pemohon mengisi buku tamu di loket", waits=True, by="pemohon"),
    "beri-nomor-antrian": ActionSpec("petugas memberi nomor antrian"),
    "panggil-antrian": ActionSpec(
        "petugas memanggil nomor antrian berikutnya atau membuka e-mail berikutnya", waits=True
    ),
    "terima-disposisi": ActionSpec("mencatat penerimaan, surat jawaban dan disposisi"),
    "periksa-kelengkapan": ActionSpec("memeriksa kelengkapan berkas", decision=True),
    "minta-kelengkapan": ActionSpec("memberi tahu pemohon berkas yang kurang", by="sistem"),
    "teruskan": ActionSpec("meneruskan berkas ke pelaksana berikutnya", by="sistem"),
    "periksa-keabsahan": ActionSpec("memeriksa kebenaran berkas terhadap data akun", decision=True),
    "reset-password": ActionSpec("mengatur password sementara", by="sistem", sets_password="always"),
    "cari-user-id": ActionSpec("mencari user ID", by="sistem"),
    "reset-atau-user-id": ActionSpec(
        "mengatur password sementara dan/atau mencari user ID", by="sistem", sets_password="when-asked"
    ),
    "buat-akun": ActionSpec("membuat akun; aktivasi menunggu pelatihan bila disyaratkan", creates_account=True),
    "tolak": ActionSpec(
        "memberi tahu pemohon bahwa permohonan ditolak beserta alasannya", by="sistem", outcome="ditolak"
    ),
    "beri-tahu-hasil": ActionSpec(
        "menyampaikan user ID dan/atau tautan sekali pakai password", by="sistem", delivers=True
    ),
    "arsipkan": ActionSpec("menyegel berkas ke arsip", by="sistem"),
    "kerjakan": ActionSpec("tugas manual yang hanya dicatat"),
}

# Rules a decision answered by the system (`oleh: sistem`) may name in `syarat`.
CONDITIONS: dict[str, str] = {
    "kanal-langsung": "permohonan disampaikan langsung di loket (bukan melalui web atau e-mail)",
}

# What the case may wait on after a step that creates an account (`tunggu`), before it goes on:
# not a step of anyone's lane, so no staff minutes run while it waits.
GATES: dict[str, str] = {
    "pelatihan": "pemegang akun mengikuti pelatihan penggunaan aplikasi; akun diaktifkan setelahnya",
}

LAYANAN = ("reset-akun", "registrasi-akun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Berkas(_Strict):
    """A document the requester hands in."""

    kode: Kode
    nama: str
    wajib: bool = True
    keterangan: str | None = None
    # A form Loket fills from what the requester typed, for them to print, sign and upload.
    formulir: bool = False
    # The original must be shown when the document is handed in at the counter (staff record
    # whether it was); a copy is enough by web form or e-mail.
    asli: bool = False
    # The roles of `peran_akun` this document is asked of; empty: every role.
    peran: list[str] | None = None

    def for_role(self, role: str | None) -> bool:
        """Whether a requester of `role` is asked for this document. An unknown role (None or
        empty) is asked for every document, each role-specific one with its role beside it."""
        return not self.peran or not role or role in self.peran


class Keputusan(_Strict):
    """The question of a decision step and where each answer leads."""

    pertanyaan: str
    ya: Target
    tidak: Target
    oleh: Literal["staf", "sistem"] = "staf"
    syarat: str | None = None


class Kegiatan(_Strict):
    """One activity (one row of the SOP table)."""

    no: StrictInt = Field(ge=1)
    uraian: str
    pelaksana: str
    kelengkapan: list[str] = []
    waktu: StrictInt | None = Field(ge=0)
    output: str | None = None
    keterangan: str | None = None
    aksi: str
    lanjut: Target | None = None
    keputusan: Keputusan | None = None
    # What the requester is shown for this step (portal, API); else the action's default text.
    teks_pemohon: str | None = None
    # After this step the case waits on an outside event (a key of GATES) before it goes on.
    tunggu: str | None = None
    # Lanes whose staff on the case get a copy of this step's mail, without its secret.
    tembusan: list[str] = []

    @property
    def branches(self) -> list[tuple[Literal["ya", "tidak", "lanjut"], Target]]:
        """Where the flow may go after this step, each with the key that says so: `ya` and `tidak`
        of a decision, or `lanjut`."""
        if self.keputusan is not None:
            return [("ya", self.keputusan.ya), ("tidak", self.keputusan.tidak)]
        return [("lanjut", self.lanjut)] if self.lanjut is not None else []

    @property
    def targets(self) -> list[Target]:
        return [target for _, target in self.branches]

    @property
    def is_decision(self) -> bool:
        return self.keputusan is not None

    @property
    def waits(self) -> bool:
        spec = ACTIONS.get(self.aksi)
        return bool(spec and spec.waits)

    @property
    def by(self) -> Literal["pemohon", "staf", "sistem"]:
        """Who completes this step: its action's `by`, except that a decision the system answers
        (`keputusan.oleh: sistem`) is completed by the system even where the action is the staff's."""
        spec = ACTIONS[self.aksi]
        if spec.by == "staf" and self.keputusan is not None and self.keputusan.oleh == "sistem":
            return "sistem"
        return spec.by


class Tanggal(_Strict):
    """The form's dates. The keys the file writes (even as null) are the date rows its form prints:
    a form with "Tanggal Efektif" writes `efektif` and leaves `pengesahan` out."""

    pembuatan: dt.date | None = None
    revisi: dt.date | None = None
    pengesahan: dt.date | None = None
    efektif: dt.date | None = None


class Pengesah(_Strict):
    """Who signed the SOP off (Disahkan oleh)."""

    jabatan: str
    nama: str | None = None
    nip: str | None = None


class Sop(_Strict):
    """One SOP file."""

    kode: Kode
    versi: StrictInt = Field(ge=1)
    layanan: Literal["reset-akun", "registrasi-akun"]
    peran_akun: list[str] = Field(min_length=1)
    unit: Kode
    nomor: str
    nama: str
    pelaksana: list[str] = Field(min_length=1)
    # Lanes whose staff each serve only the requests of their own agency (instansi).
    lingkup_instansi: list[str] = []
    # The lane that reviews this SOP's deviations from the mutu baku (loket.deviations), e.g. the
    # unit's head: a staff role of the unit even where no step of this SOP is in that lane (it
    # need not be in `pelaksana`), always unit-wide. None: a superuser reviews them.
    pengawas: str | None = None
    berkas: list[Berkas]
    kegiatan: list[Kegiatan] = Field(min_length=1)

    # The heading printed in the header's left cell, one line each, as the form prints it (e.g.
    # "PEMERINTAH KABUPATEN ..." over "SEKRETARIAT DAERAH"); without it the unit's name stands there.
    kop: list[str] = []
    tanggal: Tanggal = Tanggal()
    disahkan_oleh: Pengesah | None = None
    dasar_hukum: list[str] = []
    kualifikasi_pelaksana: list[str] = []
    keterkaitan: list[str] = []
    peralatan_perlengkapan: list[str] = []
    peringatan: list[str] = []
    pencatatan_pendataan: list[str] = []
    definisi: list[str] = []
    penjelasan_singkat: str | None = None
    tujuan: str | None = None

    @property
    def roles_differ(self) -> bool:
        """Whether the documents depend on the requester's role (a `berkas` names `peran`), so a
        request must say which role of `peran_akun` its requester holds."""
        return any(b.peran for b in self.berkas)

    def berkas_for(self, role: str | None) -> list[Berkas]:
        """The one rule for which documents a requester of `role` hands in: those without `peran`
        and those naming the role. A role of an SOP with a single role needs no saying; an
        unknown role (None or empty: an old case, an e-mail not yet read) gets every document."""
        if not role and len(self.peran_akun) == 1:
            role = self.peran_akun[0]
        return [b for b in self.berkas if b.for_role(role)]

    def step(self, no: int) -> Kegiatan:
        for k in self.kegiatan:
            if k.no == no:
                return k
        raise KeyError(no)

    @property
    def first(self) -> Kegiatan:
        """Step 1, or the lowest-numbered step if the file has no step 1."""
        return min(self.kegiatan, key=lambda k: k.no)

    def lane(self, k: Kegiatan) -> int:
        return self.pelaksana.index(k.pelaksana)
