"""The Standar Pelayanan of one service (Permenpan RB 15/2014): its 14 components, in the order of
the regulation, built from the SOP file and the unit's settings.

Service delivery (penyampaian pelayanan), from the SOP: persyaratan (its `berkas`, per role where
they differ), prosedur (its steps and flowchart), jangka waktu (the happy path's minutes in the
unit's working time), produk (the outputs of the steps that deliver the result and refuse), and,
from the unit, biaya and penanganan pengaduan. Management (pengelolaan pelayanan): dasar hukum (the
SOP's, then the unit's), and the unit's settings for the rest, each with its default
(`defaults.py`) when empty; jumlah pelaksana counts the staff holding the SOP's lanes at the unit.

`build_standard` is pure (no database): it takes the staff counts and the flowchart drawn.
`standard_for(version)` reads those and builds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from loket.calendar.working import parse_hours
from loket.sop.check import staff_lanes
from loket.sop.model import ACTIONS, GATES, Berkas, Kegiatan, Sop
from loket.sop.paths import Path, all_paths, happy_path
from loket.sop.render.document import tanggal
from loket.units.models import Unit
from loket.units.services import UnitIdentity, unit_identity

from . import defaults

Part = Literal["penyampaian", "pengelolaan"]
Origin = Literal["sop", "unit", "bawaan", "petugas"]

PARTS: list[tuple[Part, str]] = [
    ("penyampaian", "Penyampaian Pelayanan (Service Delivery)"),
    ("pengelolaan", "Pengelolaan Pelayanan (Manufacturing)"),
]

# The 14 components in the regulation's order: key, title, part.
COMPONENTS: list[tuple[str, str, Part]] = [
    ("persyaratan", "Persyaratan", "penyampaian"),
    ("prosedur", "Sistem, Mekanisme, dan Prosedur", "penyampaian"),
    ("jangka_waktu", "Jangka Waktu Pelayanan", "penyampaian"),
    ("biaya", "Biaya/Tarif", "penyampaian"),
    ("produk", "Produk Pelayanan", "penyampaian"),
    ("pengaduan", "Penanganan Pengaduan, Saran, dan Masukan", "penyampaian"),
    ("dasar_hukum", "Dasar Hukum", "pengelolaan"),
    ("sarana_prasarana", "Sarana dan Prasarana, dan/atau Fasilitas", "pengelolaan"),
    ("kompetensi_pelaksana", "Kompetensi Pelaksana", "pengelolaan"),
    ("pengawasan_internal", "Pengawasan Internal", "pengelolaan"),
    ("jumlah_pelaksana", "Jumlah Pelaksana", "pengelolaan"),
    ("jaminan_pelayanan", "Jaminan Pelayanan", "pengelolaan"),
    ("jaminan_keamanan", "Jaminan Keamanan dan Keselamatan Pelayanan", "pengelolaan"),
    ("evaluasi_kinerja", "Evaluasi Kinerja Pelaksana", "pengelolaan"),
]

# Steps that receive the requester at a counter: the service then needs a waiting room.
COUNTER_ACTIONS = frozenset({"isi-buku-tamu", "beri-nomor-antrian", "panggil-antrian"})


@dataclass(frozen=True)
class Block:
    """A piece of a component's content: an optional heading, paragraphs, then a list."""

    heading: str = ""
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Component:
    """One component: its number (1-14), key, title, part, content and where the content came
    from (`sop`, the unit's setting `unit`, a default `bawaan`, or counted staff `petugas`).
    `flowchart` (prosedur only) is the SOP's flowchart as SVG text."""

    no: int
    key: str
    title: str
    part: Part
    blocks: tuple[Block, ...]
    origin: Origin
    flowchart: str = ""

    @property
    def text(self) -> str:
        """Every word of the content, one line each (for a search, a test, a plain-text copy)."""
        lines: list[str] = []
        for b in self.blocks:
            lines += [b.heading] if b.heading else []
            lines += [*b.paragraphs, *b.items]
        return "\n".join(lines)


@dataclass(frozen=True)
class Signature:
    """The block under the table: "Ditetapkan di {place} pada tanggal {date}", the signer."""

    place: str
    date: str
    position: str
    name: str
    nip: str


@dataclass(frozen=True)
class ServiceStandard:
    kode: str
    versi: int
    nama: str
    nomor: str
    unit: UnitIdentity
    components: tuple[Component, ...]
    signature: Signature
    parts: tuple[tuple[str, str, tuple[Component, ...]], ...] = field(default=())

    @property
    def title(self) -> str:
        return f"Standar Pelayanan {self.nama}"

    def component(self, key: str) -> Component:
        return next(c for c in self.components if c.key == key)


# --- reading the unit's settings -------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _blocks(lines: list[str]) -> tuple[Block, ...]:
    """A setting or a default as printed: one line a paragraph, several lines a list."""
    if len(lines) == 1:
        return (Block(paragraphs=(lines[0],)),)
    return (Block(items=tuple(lines)),)


def _own(unit: Unit, name: str) -> tuple[tuple[Block, ...], Origin] | None:
    """The unit's setting `name` (an `sp_*` field) as printed, or None where it is empty."""
    lines = _lines(getattr(unit, name))
    return (_blocks(lines), "unit") if lines else None


def _setting(unit: Unit, name: str, default: list[str]) -> tuple[tuple[Block, ...], Origin]:
    """The unit's setting `name`, else `default`."""
    return _own(unit, name) or (_blocks(default), "bawaan")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# --- working time in words -------------------------------------------------------------------


def working_day_minutes(unit: Unit) -> int:
    opening, closing = parse_hours(unit.jam_kerja or "08:00-16:00")
    return int((closing - opening).total_seconds() // 60)


def working_time(minutes: int, day_minutes: int) -> str:
    """Minutes of working time as a person reads them: "35 menit kerja", "1 jam 30 menit kerja",
    "2 hari kerja" (whole working days, rounded up, from a day of `day_minutes`)."""
    if minutes < 60:
        return f"{minutes} menit kerja"
    if minutes < day_minutes:
        hours, rest = divmod(minutes, 60)
        return f"{hours} jam {rest} menit kerja" if rest else f"{hours} jam kerja"
    days = -(-minutes // day_minutes)
    return f"{days} hari kerja"


def working_time_full(minutes: int, day_minutes: int) -> str:
    """`working_time` with the minutes beside it where the words round them, and the working days
    it takes: "35 menit kerja, selesai dalam 1 hari kerja"; "2 jam 30 menit kerja (150 menit
    kerja), selesai dalam 1 hari kerja"; "2 hari kerja (900 menit kerja)"."""
    words = working_time(minutes, day_minutes)
    if minutes >= 60:
        words += f" ({minutes} menit kerja)"
    if minutes < day_minutes:
        words += ", selesai dalam 1 hari kerja"
    return words


# --- the components from the SOP -------------------------------------------------------------


def _berkas_line(b: Berkas) -> str:
    notes = []
    if b.keterangan:
        notes.append(b.keterangan)
    elif b.asli:
        notes.append("aslinya diperlihatkan bila berkas diserahkan langsung")
    if b.formulir:
        notes.append("formulir diisi melalui portal permohonan, dicetak dan ditandatangani")
    if not b.wajib:
        notes.append("tidak wajib")
    return b.nama + (f" ({'; '.join(notes)})" if notes else "")


def _persyaratan(sop: Sop) -> tuple[Block, ...]:
    if not sop.roles_differ:
        return (Block(items=tuple(_berkas_line(b) for b in sop.berkas_for(None))),)
    return tuple(
        Block(heading=f"Untuk {role}", items=tuple(_berkas_line(b) for b in sop.berkas_for(role)))
        for role in sop.peran_akun
    )


def _step_line(k: Kegiatan) -> str:
    uraian = " ".join(line.strip().lstrip("-").strip() for line in k.uraian.splitlines() if line.strip())
    facts = [k.pelaksana, "N/A" if k.waktu is None else f"{k.waktu} menit"]
    if k.keputusan is not None:
        facts.append(f"Ya: {_target(k.keputusan.ya)}, Tidak: {_target(k.keputusan.tidak)}")
    return f"{k.no}. {uraian} ({'; '.join(facts)})"


def _target(target: int | str) -> str:
    return "selesai" if target == "selesai" else f"langkah {target}"


def _prosedur(sop: Sop) -> tuple[Block, ...]:
    intro = [
        f"Permohonan dilayani menurut SOP Nomor {sop.nomor} ({sop.nama}), dengan langkah dan "
        "pelaksana berikut; diagram alirnya menyertai."
    ]
    first = sop.first
    if first.keterangan:
        intro.append(_capital(first.keterangan.rstrip(".")) + ".")
    return (Block(paragraphs=tuple(intro), items=tuple(_step_line(k) for k in sop.kegiatan)),)


def _channel_label(sop: Sop, path: Path) -> str:
    """What sets a happy path apart from another: the answers of the system's decisions on it."""
    labels = []
    for no, answer in path.answers:
        keputusan = sop.step(no).keputusan
        if keputusan is not None and keputusan.oleh == "sistem":
            labels.append(f"{keputusan.pertanyaan} {'Ya' if answer == 'ya' else 'Tidak'}")
    return "; ".join(labels)


def _jangka_waktu(sop: Sop, unit: Unit, identity: UnitIdentity) -> tuple[Block, ...]:
    happy = happy_path(sop)
    if happy is None:
        return (Block(paragraphs=("Jangka waktu tidak ditetapkan dalam SOP.",)),)
    day = working_day_minutes(unit)
    main = f"Paling lama {working_time_full(happy.minutes, day)}, sejak permohonan diterima, bila berkas lengkap dan benar."
    hours = identity.jam_layanan
    counted = f"Dihitung pada jam kerja unit ({hours}), di luar hari Sabtu, Minggu dan hari libur nasional."
    blocks = [Block(paragraphs=(main, counted))]

    steps = {k.no: k for k in sop.kegiatan}
    untimed = [str(n) for n in dict.fromkeys(happy.steps) if steps[n].waktu is None]
    notes = []
    if untimed:
        notes.append(
            "Tidak termasuk waktu langkah tanpa waktu baku (N/A), seperti menunggu pemohon: langkah "
            + ", ".join(untimed)
            + "."
        )
    for n in happy.steps:
        gate = steps[n].tunggu
        if gate:
            notes.append(f"Tidak termasuk waktu menunggu: {GATES.get(gate, gate)}.")
    if notes:
        blocks.append(Block(paragraphs=tuple(notes)))

    # Several happy paths: the system's decisions (the request's channel) choose among them.
    seen: dict[tuple[int, ...], Path] = {}
    for p in all_paths(sop):
        if p.happy:
            seen.setdefault(p.steps, p)
    if len(seen) > 1:
        blocks.append(
            Block(
                heading="Menurut jalur permohonan",
                items=tuple(
                    f"{_channel_label(sop, p) or 'Jalur'} (langkah {' → '.join(map(str, p.steps))}): "
                    f"{working_time_full(p.minutes, day)}"
                    for p in seen.values()
                ),
            )
        )

    per_lane: dict[str, int] = {}
    for n in happy.steps:
        k = steps[n]
        if k.waktu:
            per_lane[k.pelaksana] = per_lane.get(k.pelaksana, 0) + k.waktu
    if per_lane:
        blocks.append(
            Block(
                heading="Menurut pelaksana (jalur utama)",
                items=tuple(f"{lane}: {minutes} menit kerja" for lane, minutes in per_lane.items()),
            )
        )
    if sop.roles_differ:
        blocks.append(
            Block(
                paragraphs=(
                    f"Jangka waktu sama untuk setiap peran ({', '.join(sop.peran_akun)}); yang berbeda hanya "
                    "persyaratannya.",
                )
            )
        )
    return tuple(blocks)


def _produk(sop: Sop) -> tuple[Block, ...]:
    happy = happy_path(sop)
    on_path = [sop.step(n) for n in dict.fromkeys(happy.steps)] if happy else list(sop.kegiatan)
    delivered = [k.output for k in on_path if k.output and ACTIONS[k.aksi].delivers]
    created = [k.output for k in on_path if k.output and ACTIONS[k.aksi].creates_account]
    results = list(dict.fromkeys([*created, *delivered]))
    if not results:
        last = [k.output for k in on_path if k.output]
        results = last[-1:]
    paragraphs = [_capital(r) for r in results] or ["Hasil layanan sesuai SOP."]
    refusals = list(dict.fromkeys(k.output for k in sop.kegiatan if k.output and ACTIONS[k.aksi].outcome))
    items = tuple(f"Bila permohonan tidak memenuhi persyaratan: {r}" for r in refusals)
    return (Block(paragraphs=tuple(paragraphs), items=items),)


# --- the components from the unit ------------------------------------------------------------


def _pengaduan(unit: Unit, identity: UnitIdentity) -> tuple[tuple[Block, ...], Origin]:
    if own := _own(unit, "sp_pengaduan"):
        return own
    channels = []
    if identity.surel:
        channels.append(f"E-mail: {identity.surel}")
    if identity.telepon:
        channels.append(f"Telepon: {identity.telepon}")
    visit = f"Datang langsung ke {identity.nama}"
    if identity.address_line:
        visit += f", {identity.address_line}"
    channels.append(f"{visit} ({identity.jam_layanan})" if identity.jam_layanan else visit)
    if identity.situs:
        channels.append(f"Situs web: {identity.situs}")
    channels.append(defaults.LAPOR)
    block = Block(
        paragraphs=(defaults.PENGADUAN_PENGANTAR,),
        items=tuple(channels),
    )
    return (block, Block(paragraphs=(defaults.PENGADUAN_PENUTUP,))), "bawaan"


def _dasar_hukum(sop: Sop, unit: Unit) -> tuple[tuple[Block, ...], Origin]:
    own = _lines(unit.sp_dasar_hukum)
    rules: dict[str, str] = {}
    for rule in [*sop.dasar_hukum, *(own or defaults.DASAR_HUKUM)]:
        rules.setdefault(" ".join(rule.casefold().split()), rule)
    return (Block(items=tuple(rules.values())),), "sop" if sop.dasar_hukum else ("unit" if own else "bawaan")


def _sarana(sop: Sop, unit: Unit) -> tuple[tuple[Block, ...], Origin]:
    items = list(defaults.SARANA_PRASARANA)
    if any(k.aksi in COUNTER_ACTIONS for k in sop.kegiatan):
        items.insert(1, defaults.SARANA_LOKET)
    return _setting(unit, "sp_sarana_prasarana", items)


def _kompetensi(sop: Sop, unit: Unit) -> tuple[tuple[Block, ...], Origin]:
    if own := _own(unit, "sp_kompetensi_pelaksana"):
        return own
    if sop.kualifikasi_pelaksana:
        return (Block(items=tuple(_capital(q) for q in sop.kualifikasi_pelaksana)),), "sop"
    lanes = staff_lanes(sop) or sop.pelaksana
    return (Block(items=tuple(defaults.KOMPETENSI_PER_PELAKSANA.format(pelaksana=lane) for lane in lanes)),), "bawaan"


def _pengawasan(sop: Sop, unit: Unit) -> tuple[tuple[Block, ...], Origin]:
    atasan = sop.disahkan_oleh.jabatan if sop.disahkan_oleh else defaults.ATASAN.format(unit=unit.nama)
    peninjau = sop.pengawas or defaults.PENINJAU
    return _setting(
        unit,
        "sp_pengawasan_internal",
        [t.format(atasan=atasan, peninjau=peninjau) for t in defaults.PENGAWASAN_INTERNAL],
    )


def _jumlah(sop: Sop, unit: Unit, staff: Mapping[str, int], total: int) -> tuple[tuple[Block, ...], Origin]:
    if own := _own(unit, "sp_jumlah_pelaksana"):
        return own
    if not total:
        return (Block(paragraphs=(defaults.JUMLAH_KOSONG,)),), "petugas"
    items = tuple(
        defaults.JUMLAH_PER_PELAKSANA.format(pelaksana=lane, n=staff.get(lane, 0)) for lane in staff_lanes(sop)
    )
    return (Block(paragraphs=(defaults.JUMLAH_PELAKSANA.format(total=total),), items=items),), "petugas"


# --- the whole standard ----------------------------------------------------------------------


def _signature(sop: Sop, unit: Unit) -> Signature:
    t = sop.tanggal
    date: dt.date | None = t.pengesahan or t.efektif
    signer = sop.disahkan_oleh
    return Signature(
        place=unit.sp_tempat_penetapan.strip(),
        date=tanggal(date) if date else "",
        position=signer.jabatan if signer else defaults.ATASAN.format(unit=unit.nama),
        name=(signer.nama or "") if signer else "",
        nip=(signer.nip or "") if signer else "",
    )


def build_standard(
    sop: Sop, unit: Unit, *, staff: Mapping[str, int], staff_total: int, flowchart: str = ""
) -> ServiceStandard:
    """The Standar Pelayanan of `sop` at `unit`. `staff`: how many staff hold each lane at the
    unit, `staff_total`: how many distinct people that is; `flowchart`: the SOP's flowchart (SVG)."""
    identity = unit_identity(unit)
    content: dict[str, tuple[tuple[Block, ...], Origin]] = {
        "persyaratan": (_persyaratan(sop), "sop"),
        "prosedur": (_prosedur(sop), "sop"),
        "jangka_waktu": (_jangka_waktu(sop, unit, identity), "sop"),
        "biaya": _setting(unit, "sp_biaya", defaults.BIAYA),
        "produk": (_produk(sop), "sop"),
        "pengaduan": _pengaduan(unit, identity),
        "dasar_hukum": _dasar_hukum(sop, unit),
        "sarana_prasarana": _sarana(sop, unit),
        "kompetensi_pelaksana": _kompetensi(sop, unit),
        "pengawasan_internal": _pengawasan(sop, unit),
        "jumlah_pelaksana": _jumlah(sop, unit, staff, staff_total),
        "jaminan_pelayanan": _setting(unit, "sp_jaminan_pelayanan", defaults.JAMINAN_PELAYANAN),
        "jaminan_keamanan": _setting(unit, "sp_jaminan_keamanan", defaults.JAMINAN_KEAMANAN),
        "evaluasi_kinerja": _setting(unit, "sp_evaluasi_kinerja", defaults.EVALUASI_KINERJA),
    }
    components = tuple(
        Component(
            no=i,
            key=key,
            title=title,
            part=part,
            blocks=content[key][0],
            origin=content[key][1],
            flowchart=flowchart if key == "prosedur" else "",
        )
        for i, (key, title, part) in enumerate(COMPONENTS, start=1)
    )
    return ServiceStandard(
        kode=sop.kode,
        versi=sop.versi,
        nama=sop.nama,
        nomor=sop.nomor,
        unit=identity,
        components=components,
        signature=_signature(sop, unit),
        parts=tuple((part, title, tuple(c for c in components if c.part == part)) for part, title in PARTS),
    )


# --- reading what the builder needs ----------------------------------------------------------


def staff_counts(unit: Unit, lanes: list[str]) -> tuple[dict[str, int], int]:
    """How many active staff hold each of `lanes` at `unit`, and how many people that is in all
    (one person may hold two lanes): two SQL counts."""
    from django.db.models import Count

    from loket.staff.models import StaffRole

    roles = StaffRole.objects.filter(unit=unit, role__in=lanes, user__is_active=True)
    per_lane = {row["role"]: row["n"] for row in roles.values("role").annotate(n=Count("user", distinct=True))}
    total = roles.aggregate(n=Count("user", distinct=True))["n"] or 0
    return per_lane, total


_FLOWCHARTS: dict[str, str] = {}


def _flowchart(sha256: str, sop: Sop) -> str:
    """The SOP's flowchart (the catalogue's SVG), drawn once per installed content."""
    if sha256 not in _FLOWCHARTS:
        from loket.sop.render.svg import render_svg

        _FLOWCHARTS[sha256] = render_svg(sop)
    return _FLOWCHARTS[sha256]


def standard_for(version: Any, unit: Unit | None = None) -> ServiceStandard:
    """The Standar Pelayanan of an installed SOP version (catalog.SopVersion) at its unit (or
    `unit`): the staff counted, the flowchart drawn (cached by the version's hash), then built."""
    from loket.catalog.selectors import parsed

    sop = parsed(version)
    unit = unit or version.unit
    per_lane, total = staff_counts(unit, staff_lanes(sop))
    return build_standard(sop, unit, staff=per_lane, staff_total=total, flowchart=_flowchart(version.sha256, sop))
