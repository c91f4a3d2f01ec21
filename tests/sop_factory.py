"""Test SOPs and the data around them, installed through the real path.

`reset_sop(...)` writes the text of a small reset SOP of a test unit with the usual shape (the
shape of the built-in reset SOPs, but none of their text):

    1 ajukan-berkas (requester) -> 2 periksa-kelengkapan (ya -> 5, tidak -> 3)
    3 minta-kelengkapan -> 4 lengkapi-berkas (requester) -> 2
    5 periksa-keabsahan (ya -> 6, tidak -> 7)
    6 reset-atau-user-id -> 8 beri-tahu-hasil -> 9 arsipkan -> selesai
    7 tolak -> selesai

`make_service(...)` adds the unit (`save_unit`), installs that SOP (`install_sop`), and creates the
unit's agencies, a staff member for each staff lane (one per agency where the lane is
agency-scoped) and a directory account per agency. The `service` fixture is one such service; a
test that needs a second unit asks for `other_service`. Nothing here reads the built-in SOP files,
so a revision of one of them cannot break a test that is not about it.

The fixtures are registered by importing them into a directory's conftest.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from loket.cases import services as case_services
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.catalog.services import install_sop
from loket.directory.models import Account, Agency
from loket.sop.check import staff_lanes
from loket.sop.model import Sop
from loket.units.models import Unit
from loket.units.services import save_unit

REQUESTER = "Pemilik Akun"  # the requester's lane
VERIFIER = "Verifikator Akun"  # the one staff lane of the default SOP, agency-scoped
AGENCIES = ("Dinas Perumahan Rakyat", "Dinas Ketahanan Pangan")


@dataclass(frozen=True)
class Berkas:
    kode: str
    nama: str
    wajib: bool = True
    keterangan: str | None = None


BERKAS = (
    Berkas("surat-pengajuan", "Surat pengajuan pemulihan akun SPSE"),
    Berkas(
        "sk-penunjukan",
        "SK penunjukan sebagai pejabat pengadaan",
        keterangan="Salinan SK yang ditandatangani pejabat yang berwenang",
    ),
)

# Minutes per step (None: not timed). Happy path 1-2-5-6-8-9: 10 + 15 + 5 + 5 + 5 = 40 minutes.
WAKTU: dict[int, int | None] = {1: None, 2: 10, 3: 5, 4: None, 5: 15, 6: 5, 7: 5, 8: 5, 9: 5}
HAPPY_MINUTES = 40

# The staff's sentence of each step (the requester never sees these: tests assert that).
URAIAN = {
    1: "Mengirim surat pengajuan pemulihan akun beserta SK penunjukan",
    2: "Meneliti kelengkapan surat pengajuan dan SK. Apakah lengkap?",
    3: "Menyampaikan kepada pemohon berkas yang masih kurang",
    4: "Mengirim kembali berkas yang diminta",
    5: "Mencocokkan isi berkas dengan data akun di direktori. Apakah cocok?",
    6: "Bila berkas cocok Verifikator memulihkan password atau mencari user ID",
    7: "Bila berkas tidak cocok Verifikator menyampaikan penolakan",
    8: "Menyampaikan hasil pemulihan akun kepada pemilik akun",
    9: "Menyimpan berkas pengajuan ke arsip",
}

# The happy path of the default SOP as recorded (step, by, answer).
HAPPY_STEPS = [
    (1, "pemohon", "lanjut"),
    (2, "staf", "ya"),
    (5, "staf", "ya"),
    (6, "sistem", "lanjut"),
    (8, "sistem", "lanjut"),
    (9, "sistem", "lanjut"),
]

_SHAPE = {
    1: ("ajukan-berkas", {"lanjut": 2}),
    2: ("periksa-kelengkapan", {"keputusan": {"pertanyaan": "Apakah berkas lengkap?", "ya": 5, "tidak": 3}}),
    3: ("minta-kelengkapan", {"lanjut": 4}),
    4: ("lengkapi-berkas", {"lanjut": 2}),
    5: ("periksa-keabsahan", {"keputusan": {"pertanyaan": "Apakah berkas cocok?", "ya": 6, "tidak": 7}}),
    6: ("reset-atau-user-id", {"lanjut": 8}),
    7: ("tolak", {"lanjut": "selesai"}),
    8: ("beri-tahu-hasil", {"lanjut": 9}),
    9: ("arsipkan", {"lanjut": "selesai"}),
}


def _q(value: Any) -> str:
    """A YAML scalar or flow collection (JSON is YAML; strings are always quoted)."""
    return json.dumps(value, ensure_ascii=False)


def reset_sop(
    *,
    kode: str = "uji-pulih-akun",
    unit: str = "uji",
    versi: int = 1,
    nama: str = "Pemulihan Akun SPSE Pejabat Pengadaan",
    nomor: str = "045/SOP/UKPBJ-UJI/2026",
    layanan: str = "reset-akun",
    peran_akun: Sequence[str] = ("PPK",),
    requester: str = REQUESTER,
    staff: str = VERIFIER,
    lanes: Mapping[int, str] | None = None,
    lingkup_instansi: Sequence[str] | None = None,
    berkas: Sequence[Berkas] = BERKAS,
    waktu: Mapping[int, int | None] | None = None,
    uraian: Mapping[int, str] | None = None,
    teks_pemohon: Mapping[int, str] | None = None,
) -> str:
    """The text of the default reset SOP, varied by what tests vary.

    `staff` is the lane of every staff step, `requester` the lane of steps 1 and 4; `lanes`
    overrides the lane of single steps (e.g. {2: "Petugas Layanan", 3: "Petugas Layanan"}).
    `lingkup_instansi` lists the agency-scoped lanes (default: `staff` alone; () for none).
    `waktu`, `uraian` and `teks_pemohon` override the time standard, the staff's sentence and the
    requester's text of single steps.
    """
    lane_of = {no: (requester if no in (1, 4) else staff) for no in _SHAPE}
    lane_of.update(lanes or {})
    pelaksana = list(dict.fromkeys([requester, staff, *lane_of.values()]))
    scoped = [staff] if lingkup_instansi is None else list(lingkup_instansi)
    minutes = {**WAKTU, **(waktu or {})}
    sentences = {**URAIAN, **(uraian or {})}
    own_texts = teks_pemohon or {}
    lines = [
        f"kode: {kode}",
        f"versi: {versi}",
        f"layanan: {layanan}",
        f"peran_akun: {_q(list(peran_akun))}",
        f"unit: {unit}",
        f"nomor: {_q(nomor)}",
        f"nama: {_q(nama)}",
        f"pelaksana: {_q(pelaksana)}",
    ]
    if scoped:
        lines.append(f"lingkup_instansi: {_q(scoped)}")
    lines.append("berkas:")
    for doc in berkas:
        lines.append(f"  - kode: {doc.kode}")
        lines.append(f"    nama: {_q(doc.nama)}")
        lines.append(f"    wajib: {'true' if doc.wajib else 'false'}")
        if doc.keterangan:
            lines.append(f"    keterangan: {_q(doc.keterangan)}")
    lines.append("kegiatan:")
    for no, (aksi, flow) in _SHAPE.items():
        lines.append(f"  - no: {no}")
        lines.append(f"    uraian: {_q(sentences[no])}")
        if no in own_texts:
            lines.append(f"    teks_pemohon: {_q(own_texts[no])}")
        lines.append(f"    pelaksana: {_q(lane_of[no])}")
        lines.append(f"    waktu: {'null' if minutes[no] is None else minutes[no]}")
        lines.append(f"    aksi: {aksi}")
        for key, value in flow.items():
            lines.append(f"    {key}: {_q(value) if isinstance(value, dict) else value}")
    return "\n".join(lines) + "\n"


def add_unit(
    kode: str = "uji",
    *,
    nama: str | None = None,
    zona_waktu: str = "WITA",
    jam_kerja: str = "08:00-16:00",
    direktori: str | None = None,
) -> Unit:
    """A unit, saved as `loket unit add` saves it."""
    unit, _created = save_unit(
        actor=None,
        kode=kode,
        nama=nama or f"UKPBJ Kabupaten {kode.replace('-', ' ').title()}",
        zona_waktu=zona_waktu,
        jam_kerja=jam_kerja,
        direktori=direktori,
    )
    return unit


def install(text: str, *, source: str | None = None) -> SopVersion:
    """Install an SOP file's text as `loket sop install` does; the installed version."""
    return install_sop(text=text, source=source or "uji.yaml").version


def add_agencies(unit: Unit, names: Iterable[str]) -> dict[str, Agency]:
    return {name: Agency.objects.get_or_create(unit=unit, name=name)[0] for name in names}


@dataclass
class Service:
    """One installed test SOP with its unit, agencies, staff and the accounts they serve."""

    version: SopVersion
    unit: Unit
    agencies: dict[str, Agency]
    # (lane, agency name or None) -> the staff member holding that lane there
    staff: dict[tuple[str, str | None], Any]
    # agency name -> the directory account of that agency
    accounts: dict[str, Account]
    no_role: Any  # signed in, no staff role anywhere
    berkas: tuple[Berkas, ...] = field(default=BERKAS)

    @property
    def kode(self) -> str:
        return self.version.kode

    @property
    def sop(self) -> Sop:
        return parsed(self.version)

    @property
    def prefix(self) -> str:
        """What every reference of the unit starts with (e.g. "UJI-")."""
        return f"{self.unit.kode.upper()}-"

    def staff_of(self, lane: str, agency: str | None = None) -> Any:
        return self.staff[(lane, agency)]

    @property
    def agency(self) -> Agency:
        return self.agencies[AGENCIES[0]]

    @property
    def other_agency(self) -> Agency:
        return self.agencies[AGENCIES[1]]

    @property
    def verifier(self) -> Any:
        """The staff member of the default staff lane at the first agency."""
        return self.staff[(VERIFIER, AGENCIES[0])]

    @property
    def other_agency_verifier(self) -> Any:
        """The same lane at the unit's other agency."""
        return self.staff[(VERIFIER, AGENCIES[1])]

    @property
    def account(self) -> Account:
        """The account the requester of most tests holds (at the first agency)."""
        return self.accounts[AGENCIES[0]]

    def files(self, **overrides: tuple[str, bytes] | None) -> list[tuple[str, str, bytes]]:
        """One good upload per document of the SOP: (kode, name, bytes); an override of None
        leaves that document out, (name, bytes) replaces it."""
        from tests.factories import pdf_bytes, png_bytes

        out = []
        for i, doc in enumerate(self.berkas):
            name, content = (f"{doc.kode}.pdf", pdf_bytes()) if i % 2 == 0 else (f"{doc.kode}.png", png_bytes())
            if doc.kode in overrides:
                replacement = overrides.pop(doc.kode)
                if replacement is None:
                    continue
                name, content = replacement
            out.append((doc.kode, name, content))
        out.extend((kode, value[0], value[1]) for kode, value in overrides.items() if value is not None)
        return out


def _slug(text: str) -> str:
    return slugify(text)[:40]


def make_service(
    *,
    unit: str = "uji",
    kode: str | None = None,
    zona_waktu: str = "WITA",
    direktori: str | None = None,
    agencies: Sequence[str] = AGENCIES,
    accounts: bool = True,
    **sop: Any,
) -> Service:
    """A unit with its reset SOP installed, its agencies, a staff member per staff lane (one per
    agency where the lane is agency-scoped) and one directory account per agency.

    `sop` goes to `reset_sop` (or `text=` installs a file of the test's own). Staff usernames are
    `<unit>-<lane>[-<agency>]` in slug form; accounts are `<agency initials>.<unit>` PPKs.
    """
    from tests.factories import account as make_account
    from tests.factories import staff as make_staff

    unit_row = Unit.objects.filter(kode=unit).first() or add_unit(unit, zona_waktu=zona_waktu, direktori=direktori)
    text = sop.pop("text", None) or reset_sop(kode=kode or f"{unit}-pulih-akun", unit=unit, **sop)
    version = install(text, source=f"{kode or unit}.yaml")
    berkas = tuple(sop.get("berkas", BERKAS))
    found = add_agencies(unit_row, agencies)
    parsed_sop = parsed(version)
    staff: dict[tuple[str, str | None], Any] = {}
    for lane in staff_lanes(parsed_sop):
        for agency in agencies if lane in parsed_sop.lingkup_instansi else [None]:
            username = "-".join(_slug(part) for part in (unit, lane, agency) if part)
            existing = get_user_model().objects.filter(username=username).first()
            staff[(lane, agency)] = existing or make_staff(username, unit, lane, agency)
    holders: dict[str, Account] = {}
    if accounts:
        for i, agency in enumerate(agencies):
            if Account.objects.filter(unit=unit_row, agency=found[agency]).exists():
                holders[agency] = Account.objects.filter(unit=unit_row, agency=found[agency]).first()
                continue
            initials = "".join(word[0] for word in agency.split() if word[0].isupper()).lower()
            holders[agency] = make_account(
                unit,
                f"ppk.{initials}.{unit}",
                role=parsed_sop.peran_akun[0],
                agency_name=agency,
                name=("Rina Kartika", "Yusuf Mandala")[i % 2],
                nip=("199204172018012003", "198811302014031002")[i % 2],
                email=f"ppk.{initials}@{unit}.go.id",
            )
    no_role = get_user_model().objects.filter(username=f"{unit}-tanpa-peran").first()
    no_role = no_role or get_user_model().objects.create_user(f"{unit}-tanpa-peran", password="Rahasia-uji-123")
    return Service(version, unit_row, found, staff, holders, no_role, berkas)


def submit(
    service: Service,
    account: Account | None = None,
    *,
    channel: str = "web",
    need: str = "password",
    files: list[tuple[str, str, bytes]] | None = None,
    **identity: Any,
) -> case_services.Submitted:
    """A request to `service` as the holder of `account` (default: the service's account) hands
    it in, from an address of their own; `identity` overrides the typed fields."""
    holder = account or service.account
    fields: dict[str, Any] = {
        "name": holder.name,
        "email": "pemohon.baru@gmail.com",
        "user_id": holder.user_id,
        "agency_id": holder.agency_id,
    }
    fields.update(identity)
    return case_services.submit_request(
        sop_version=service.version,
        channel=channel,
        need=need,
        files=service.files() if files is None else files,
        **fields,
    )


@pytest.fixture
def service(db) -> Service:
    """Unit `uji` (WITA) with its reset SOP, two agencies, a Verifikator Akun at each, an account
    at each."""
    return make_service()


@pytest.fixture
def other_service(db) -> Service:
    """A second unit, `uji-lain` (WIT), whose SOP has two lanes: Petugas Layanan (unit-wide) checks
    completeness, Verifikator Akun (agency-scoped) the rest."""
    return make_service(
        unit="uji-lain",
        zona_waktu="WIT",
        lanes={2: "Petugas Layanan", 3: "Petugas Layanan"},
        nama="Pemulihan Akun SPSE Pokja Pemilihan",
        peran_akun=("Pokja Pemilihan", "PP"),
    )


def strangers(service: Service, other: Service) -> dict[str, Any]:
    """Who must not see a case of `service`'s first agency: the same lane at the unit's other
    agency, the same lane (and an agency of the same name) in another unit, another lane in
    another unit, and a signed-in user with no role."""
    return {
        "other-agency": service.other_agency_verifier,
        "other-unit-same-lane": other.staff_of(VERIFIER, AGENCIES[0]),
        "other-unit-other-lane": other.staff_of("Petugas Layanan"),
        "no-role": service.no_role,
    }


STRANGERS = ["other-agency", "other-unit-same-lane", "other-unit-other-lane", "no-role"]
