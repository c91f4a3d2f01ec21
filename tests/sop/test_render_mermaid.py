"""Tests of the Mermaid renderer: lanes as subgraphs, the SOP's steps and branches, safe labels.

Mermaid itself is JavaScript; instead of running it, the tests read the text back with the few
statement forms the renderer may write (a line that fits none of them fails), and check the graph
they describe against the SOP. Run on an SOP written here and on every real SOP file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from loket.sop.load import load_text
from loket.sop.model import SELESAI, Sop
from loket.sop.render.mermaid import render_mermaid

DEFINITIONS = Path(__file__).resolve().parents[2] / "src" / "loket" / "sop" / "definitions"

LOKET = """
kode: uji-loket
versi: 1
layanan: registrasi-akun
peran_akun: [Pokja Pemilihan]
unit: uji
nomor: "-"
nama: SOP Uji Loket
pelaksana: [Pemohon, "Petugas \\"Loket\\" #1", Kepala <UKPBJ>]
berkas:
  - {kode: surat-permohonan, nama: Surat permohonan}
kegiatan:
  - {"no": 1, uraian: 'Mengisi buku tamu dan menyerahkan "berkas" asli', pelaksana: Pemohon, waktu: null,
     aksi: isi-buku-tamu, lanjut: 2}
  - "no": 2
    uraian: Memeriksa kelengkapan berkas. Apakah berkas lengkap?
    pelaksana: "Petugas \\"Loket\\" #1"
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan:
      pertanyaan: Apakah berkas "lengkap"?
      ya: 4
      tidak: 3
  - {"no": 3, uraian: Melengkapi berkas, pelaksana: Pemohon, waktu: null, aksi: lengkapi-berkas, lanjut: 2}
  - "no": 4
    uraian: Memeriksa keabsahan berkas
    pelaksana: Kepala <UKPBJ>
    waktu: 10
    aksi: periksa-keabsahan
    keputusan:
      pertanyaan: Apakah berkas sah?
      ya: 5
      tidak: selesai
  - {"no": 5, uraian: Membuat akun, pelaksana: "Petugas \\"Loket\\" #1", waktu: 15, aksi: buat-akun,
     lanjut: selesai}
"""

SOPS = [pytest.param(LOKET, id="loket")] + [
    pytest.param(path.read_text(encoding="utf-8"), id=path.stem) for path in sorted(DEFINITIONS.glob("*.yaml"))
]

_SUBGRAPH = re.compile(r'subgraph (lane_\d+)\["([^"]*)"\]')
_STADIUM = re.compile(r"(\w+)\(\[(Mulai|Selesai)\]\)")
_RECT = re.compile(r'(s\d+)\["([^"]*)"\]')
_RHOMBUS = re.compile(r'(s\d+)\{"([^"]*)"\}')
_EDGE = re.compile(r"(\w+) -->(?:\|(Ya|Tidak)\|)? (\w+)")


@dataclass
class Chart:
    """What the Mermaid text says, read back."""

    header: str
    lanes: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    lane_of: dict[str, str] = field(default_factory=dict)  # node id -> lane title
    shapes: dict[str, tuple[str, str]] = field(default_factory=dict)  # node id -> (shape, text)
    edges: list[tuple[str, str | None, str]] = field(default_factory=list)


def _read(text: str) -> Chart:
    lines = text.splitlines()
    chart = Chart(header=lines[0])
    lane: str | None = None
    for n, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if m := _SUBGRAPH.fullmatch(stripped):
            assert lane is None, f"line {n}: subgraph inside a subgraph"
            chart.lanes.append((m[1], m[2]))
            lane = m[2]
        elif stripped == "end":
            assert lane is not None, f"line {n}: `end` outside a subgraph"
            lane = None
        elif m := _EDGE.fullmatch(stripped):
            chart.edges.append((m[1], m[2], m[3]))
        else:
            for shape, pattern in (("stadium", _STADIUM), ("rect", _RECT), ("rhombus", _RHOMBUS)):
                if m := pattern.fullmatch(stripped):
                    assert m[1] not in chart.shapes, f"line {n}: {m[1]} defined twice"
                    assert lane is not None, f"line {n}: node outside a lane"
                    chart.shapes[m[1]] = (shape, m[2])
                    chart.lane_of[m[1]] = lane
                    break
            else:
                pytest.fail(f"line {n} is no statement the renderer writes: {line!r}")
    assert lane is None, "subgraph not closed"
    return chart


def _escaped(text: str) -> str:
    text = " ".join(text.split())
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


@pytest.fixture(params=SOPS)
def sop(request: pytest.FixtureRequest) -> Sop:
    loaded = load_text(request.param, request.node.callspec.id)
    assert loaded.sop is not None, [str(v) for v in loaded.violations]
    return loaded.sop


def test_it_writes_a_top_down_flowchart(sop: Sop) -> None:
    text = render_mermaid(sop)
    assert text.startswith("flowchart TD\n")
    assert text == render_mermaid(sop)


def test_it_draws_one_subgraph_per_lane_holding_exactly_its_steps(sop: Sop) -> None:
    chart = _read(render_mermaid(sop))
    assert [title for _, title in chart.lanes] == [_escaped(p) for p in sop.pelaksana]
    for k in sop.kegiatan:
        assert chart.lane_of[f"s{k.no}"] == _escaped(k.pelaksana)
    steps = {node for node in chart.shapes if node.startswith("s") and node[1:].isdigit()}
    assert steps == {f"s{k.no}" for k in sop.kegiatan}


def test_it_shows_each_step_with_its_number(sop: Sop) -> None:
    chart = _read(render_mermaid(sop))
    for k in sop.kegiatan:
        shape, text = chart.shapes[f"s{k.no}"]
        if k.keputusan is not None:
            assert shape == "rhombus"
            assert text == _escaped(f"{k.no}. {k.keputusan.pertanyaan}")
        else:
            assert shape == "rect"
            assert text == _escaped(f"{k.no}. {k.uraian}")


def test_it_starts_in_the_first_lane_and_ends_where_the_sop_ends(sop: Sop) -> None:
    chart = _read(render_mermaid(sop))
    starts = [n for n, (shape, text) in chart.shapes.items() if (shape, text) == ("stadium", "Mulai")]
    assert len(starts) == 1
    assert chart.lane_of[starts[0]] == _escaped(sop.first.pelaksana)
    assert [(a, b) for a, _, b in chart.edges if a == starts[0]] == [(starts[0], f"s{sop.first.no}")]
    ends = {n for n, (shape, text) in chart.shapes.items() if (shape, text) == ("stadium", "Selesai")}
    assert ends, "an SOP ends somewhere"
    for k in sop.kegiatan:
        if SELESAI in k.targets:
            (end,) = {b for a, _, b in chart.edges if a == f"s{k.no}" and b in ends}
            assert chart.lane_of[end] == _escaped(k.pelaksana)


def test_it_follows_every_branch_of_the_sop(sop: Sop) -> None:
    chart = _read(render_mermaid(sop))
    ends = {n for n, (shape, _) in chart.shapes.items() if shape == "stadium"}

    def node(t: int | str) -> str:
        return "END" if t == SELESAI else f"s{t}"

    edges = {(a, label, "END" if b in ends else b) for a, label, b in chart.edges if not a.startswith("mulai")}
    expected: set[tuple[str, str | None, str]] = set()
    for k in sop.kegiatan:
        if k.keputusan is not None:
            expected |= {(f"s{k.no}", "Ya", node(k.keputusan.ya)), (f"s{k.no}", "Tidak", node(k.keputusan.tidak))}
        elif k.lanjut is not None:
            expected.add((f"s{k.no}", None, node(k.lanjut)))
    assert edges == expected
    assert all(a in chart.shapes and b in chart.shapes for a, _, b in chart.edges), "edges use defined nodes"


def test_it_escapes_what_would_break_a_label() -> None:
    loaded = load_text(LOKET, "loket")
    assert loaded.sop is not None
    text = render_mermaid(loaded.sop)
    chart = _read(text)  # a stray quote would end a label early and the line would not match
    assert chart.shapes["s1"][1] == "1. Mengisi buku tamu dan menyerahkan #quot;berkas#quot; asli"
    assert chart.shapes["s2"][1] == "2. Apakah berkas #quot;lengkap#quot;?"
    assert ("lane_2", "Petugas #quot;Loket#quot; #35;1") in chart.lanes
    assert ("lane_3", "Kepala #lt;UKPBJ#gt;") in chart.lanes
    assert "<" not in text and ">" not in text.replace("-->", "")
