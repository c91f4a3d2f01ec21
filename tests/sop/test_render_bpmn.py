"""Tests of the BPMN renderer: schema-valid BPMN 2.0 whose lanes, gateways and diagram match the SOP.

Run on a three-lane SOP written here (a loop back up, a decision that ends the flow, a system
decision, a branch that jumps over steps) and on every real SOP file in the definitions folder.
The XML is validated against the official OMG schemas that SpiffWorkflow ships.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import SpiffWorkflow
from lxml import etree

from loket.sop.load import load_text
from loket.sop.model import SELESAI, Sop
from loket.sop.render.bpmn import render_bpmn

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
TASKS = ("userTask", "serviceTask")  # who completes the step: a person, or the system
FLOW_NODES = ("startEvent", *TASKS, "exclusiveGateway", "endEvent")
DEFINITIONS = Path(__file__).resolve().parents[2] / "src" / "loket" / "sop" / "definitions"

THREE_LANES = """
kode: uji-tiga-lajur
versi: 2
layanan: reset-akun
peran_akun: [PPK]
unit: uji
nomor: 001/UJI/2024
nama: SOP Uji Tiga Lajur
pelaksana: [Pemohon, Petugas Helpdesk, Verifikator]
berkas:
  - {kode: surat-permohonan, nama: Surat permohonan}
kegiatan:
  - {"no": 1, uraian: Menyampaikan berkas permohonan, pelaksana: Pemohon, waktu: null,
     aksi: ajukan-berkas, lanjut: 2}
  - "no": 2
    uraian: Memeriksa kelengkapan berkas. Apakah berkas lengkap?
    pelaksana: Petugas Helpdesk
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan:
      pertanyaan: Apakah berkas lengkap?
      ya: 4
      tidak: 3
  - {"no": 3, uraian: Melengkapi berkas yang kurang, pelaksana: Pemohon, waktu: null,
     aksi: lengkapi-berkas, lanjut: 2}
  - "no": 4
    uraian: Memeriksa kebenaran data "akun" pada SPSE dan menghubungi pemohon bila perlu
    pelaksana: Verifikator
    waktu: 10
    aksi: periksa-keabsahan
    keputusan:
      pertanyaan: Apakah data benar?
      ya: 5
      tidak: 7
  - {"no": 5, uraian: Mengatur password sementara, pelaksana: Verifikator, waktu: 5,
     aksi: reset-password, lanjut: 6}
  - {"no": 6, uraian: Menyampaikan hasil kepada pemohon, pelaksana: Petugas Helpdesk, waktu: 5,
     aksi: beri-tahu-hasil, lanjut: 8}
  - {"no": 7, uraian: Memberitahukan bahwa permohonan ditolak, pelaksana: Petugas Helpdesk, waktu: 5,
     aksi: tolak, lanjut: selesai}
  - "no": 8
    uraian: Mengarsipkan berkas. Apakah permohonan disampaikan langsung?
    pelaksana: Petugas Helpdesk
    waktu: 5
    aksi: arsipkan
    keputusan:
      pertanyaan: Apakah permohonan disampaikan langsung?
      ya: 9
      tidak: selesai
      oleh: sistem
      syarat: kanal-langsung
  - {"no": 9, uraian: Menerima kembali berkas asli, pelaksana: Pemohon, waktu: null,
     aksi: kerjakan, lanjut: selesai}
"""


def _sop(text: str, name: str) -> Sop:
    loaded = load_text(text, name)
    assert loaded.sop is not None, [str(v) for v in loaded.violations]
    return loaded.sop


SOPS = [pytest.param(THREE_LANES, id="tiga-lajur")] + [
    pytest.param(path.read_text(encoding="utf-8"), id=path.stem) for path in sorted(DEFINITIONS.glob("*.yaml"))
]


@pytest.fixture(params=SOPS)
def sop(request: pytest.FixtureRequest) -> Sop:
    return _sop(request.param, request.node.callspec.id)


@functools.cache
def _schema() -> etree.XMLSchema:
    folder = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema"
    return etree.XMLSchema(etree.parse(str(folder / "BPMN20.xsd")))


def _parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode("utf-8"))


def _bounds(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
        out[shape.get("bpmnElement")] = (x, y, w, h)
    return out


def _waypoints(root: etree._Element) -> dict[str, list[tuple[float, float]]]:
    return {
        edge.get("bpmnElement"): [(float(w.get("x")), float(w.get("y"))) for w in edge.iterfind("di:waypoint", NS)]
        for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)
    }


def _flow_nodes(root: etree._Element) -> list[etree._Element]:
    process = root.find("bpmn:process", NS)
    return [el for tag in FLOW_NODES for el in process.iterfind(f"bpmn:{tag}", NS)]


def _flows(root: etree._Element) -> dict[str, etree._Element]:
    return {f.get("id"): f for f in root.iterfind("bpmn:process/bpmn:sequenceFlow", NS)}


def test_it_validates_against_the_bpmn_20_schema(sop: Sop) -> None:
    xml = render_bpmn(sop)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    doc = etree.fromstring(xml.encode("utf-8")).getroottree()
    schema = _schema()
    assert schema.validate(doc), "\n".join(str(e) for e in schema.error_log)


def test_it_is_checked_by_a_schema_strict_enough_to_reject_a_broken_document(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    task = root.find("bpmn:process/bpmn:userTask", NS)
    # incoming after outgoing breaks the sequence tFlowNode prescribes.
    etree.SubElement(task, f"{{{NS['bpmn']}}}incoming").text = "Flow_start"
    assert not _schema().validate(root.getroottree())


def test_it_puts_one_lane_per_pelaksana_holding_exactly_its_steps(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    lanes = root.findall("bpmn:process/bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == sop.pelaksana
    for lane in lanes:
        refs = [r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)]
        steps = {r for r in refs if r.startswith(("Step_", "Gateway_"))}
        expected = {f"Step_{k.no}" for k in sop.kegiatan if k.pelaksana == lane.get("name")}
        expected |= {f"Gateway_{k.no}" for k in sop.kegiatan if k.pelaksana == lane.get("name") and k.is_decision}
        assert steps == expected
    every = [r.text for lane in lanes for r in lane.iterfind("bpmn:flowNodeRef", NS)]
    assert sorted(every) == sorted(el.get("id") for el in _flow_nodes(root)), "each node in exactly one lane"


def test_it_draws_a_task_per_step_and_a_gateway_after_each_decision(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    process = root.find("bpmn:process", NS)
    tasks = {t.get("id"): t for tag in TASKS for t in process.iterfind(f"bpmn:{tag}", NS)}
    gateways = {g.get("id"): g for g in process.iterfind("bpmn:exclusiveGateway", NS)}
    assert set(tasks) == {f"Step_{k.no}" for k in sop.kegiatan}
    assert set(gateways) == {f"Gateway_{k.no}" for k in sop.kegiatan if k.is_decision}
    flows = _flows(root)
    for k in sop.kegiatan:
        task = tasks[f"Step_{k.no}"]
        assert task.get("name").startswith(f"{k.no}. ")
        assert len(task.get("name")) <= 81
        doc = task.findtext("bpmn:documentation", namespaces=NS)
        assert doc.startswith(" ".join(k.uraian.split()))
        if k.waktu is not None:
            assert f"Waktu: {k.waktu} menit" in doc
        if k.keputusan is None:
            continue
        gateway = gateways[f"Gateway_{k.no}"]
        assert gateway.get("name") == k.keputusan.pertanyaan
        assert [f.get("targetRef") for f in flows.values() if f.get("sourceRef") == task.get("id")] == [
            gateway.get("id")
        ]
        out = {f.get("name"): f.get("targetRef") for f in flows.values() if f.get("sourceRef") == gateway.get("id")}
        assert set(out) == {"Ya", "Tidak"}
        for answer, target in (("Ya", k.keputusan.ya), ("Tidak", k.keputusan.tidak)):
            if target == SELESAI:
                assert process.find(f"bpmn:endEvent[@id='{out[answer]}']", NS) is not None
            else:
                assert out[answer] == f"Step_{target}"


def test_it_links_the_steps_as_the_sop_does(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    process = root.find("bpmn:process", NS)
    flows = _flows(root)
    starts = process.findall("bpmn:startEvent", NS)
    assert len(starts) == 1
    (first,) = [f for f in flows.values() if f.get("sourceRef") == starts[0].get("id")]
    assert first.get("targetRef") == f"Step_{sop.first.no}"
    ends = {e.get("id") for e in process.iterfind("bpmn:endEvent", NS)}
    lane_of = {
        r.text: lane.get("name")
        for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS)
        for r in lane.iterfind("bpmn:flowNodeRef", NS)
    }
    for k in sop.kegiatan:
        if k.is_decision:
            continue
        (out,) = [f for f in flows.values() if f.get("sourceRef") == f"Step_{k.no}"]
        if k.lanjut == SELESAI:
            assert out.get("targetRef") in ends
            assert lane_of[out.get("targetRef")] == k.pelaksana, "the end event sits in the lane of the step"
        else:
            assert out.get("targetRef") == f"Step_{k.lanjut}"
    assert all(any(f.get("targetRef") == e for f in flows.values()) for e in ends)


def test_it_refers_only_to_existing_nodes_and_flows(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    nodes = {el.get("id"): el for el in _flow_nodes(root)}
    flows = _flows(root)
    for fid, f in flows.items():
        assert f.get("sourceRef") in nodes and f.get("targetRef") in nodes
        assert fid in [o.text for o in nodes[f.get("sourceRef")].iterfind("bpmn:outgoing", NS)]
        assert fid in [i.text for i in nodes[f.get("targetRef")].iterfind("bpmn:incoming", NS)]
    for node in nodes.values():
        for ref in node.iterfind("bpmn:incoming", NS):
            assert flows[ref.text].get("targetRef") == node.get("id")
        for ref in node.iterfind("bpmn:outgoing", NS):
            assert flows[ref.text].get("sourceRef") == node.get("id")
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == root.find("bpmn:process", NS).get("id")


def test_it_gives_every_node_a_shape_and_every_flow_an_edge(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    bounds = _bounds(root)
    points = _waypoints(root)
    ids = [el.get("id") for el in _flow_nodes(root)]
    lanes = [lane.get("id") for lane in root.iterfind("bpmn:process/bpmn:laneSet/bpmn:lane", NS)]
    assert set(bounds) == {*ids, *lanes, "Participant_1"}
    assert set(points) == set(_flows(root))
    assert all(len(p) >= 2 for p in points.values())
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")


def test_it_stacks_lanes_in_order_and_steps_left_to_right(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    bounds = _bounds(root)
    process = root.find("bpmn:process", NS)
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    px, py, pw, ph = bounds["Participant_1"]
    y = py
    for lane in lanes:
        lx, ly, lw, lh = bounds[lane.get("id")]
        assert ly == y and lx > px and lx + lw == px + pw
        y += lh
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, ny, w, h = bounds[ref.text]
            assert lx < x and x + w < lx + lw and ly < ny and ny + h < ly + lh, f"{ref.text} outside its lane"
    assert y == py + ph
    xs = [bounds[f"Step_{k.no}"][0] for k in sorted(sop.kegiatan, key=lambda k: k.no)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert bounds["StartEvent_1"][0] < min(xs)
    boxes = [bounds[el.get("id")] for el in _flow_nodes(root)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]


def test_it_draws_flows_orthogonally_from_border_to_border_without_cutting_shapes(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    bounds = _bounds(root)
    nodes = [el.get("id") for el in _flow_nodes(root)]
    for fid, f in _flows(root).items():
        points = _waypoints(root)[fid]
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            assert ax == bx or ay == by, f"{fid} has a slanted segment"
        for end, node in ((points[0], f.get("sourceRef")), (points[-1], f.get("targetRef"))):
            x, y, w, h = bounds[node]
            on_border = (end[0] in (x, x + w) and y <= end[1] <= y + h) or (
                end[1] in (y, y + h) and x <= end[0] <= x + w
            )
            assert on_border, f"{fid} does not touch {node}"
        for node in nodes:
            if node in (f.get("sourceRef"), f.get("targetRef")):
                continue
            x, y, w, h = bounds[node]
            for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
                clear = max(ax, bx) < x or min(ax, bx) > x + w or max(ay, by) < y or min(ay, by) > y + h
                assert clear, f"{fid} cuts through {node}"


def test_it_never_runs_two_flows_along_the_same_line(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    segments = [
        (fid, a, b) for fid, points in _waypoints(root).items() for a, b in zip(points, points[1:], strict=False)
    ]
    for i, (f1, (ax, ay), (bx, by)) in enumerate(segments):
        for f2, (cx, cy), (dx, dy) in segments[i + 1 :]:
            if f1 == f2:
                continue
            if ay == by == cy == dy:
                assert min(max(ax, bx), max(cx, dx)) <= max(min(ax, bx), min(cx, dx)), f"{f1} runs along {f2}"
            if ax == bx == cx == dx:
                assert min(max(ay, by), max(cy, dy)) <= max(min(ay, by), min(cy, dy)), f"{f1} runs along {f2}"


def test_it_routes_a_loop_back_outside_the_row_of_shapes() -> None:
    sop = _sop(THREE_LANES, "tiga-lajur")
    root = _parse(render_bpmn(sop))
    bounds = _bounds(root)
    points = _waypoints(root)["Flow_3"]  # step 3 (Pemohon) back to step 2 (Petugas Helpdesk)
    assert len(points) >= 4
    row_top = min(bounds[n][1] for n in ("Step_1", "Step_3"))
    row_bottom = max(bounds[n][1] + bounds[n][3] for n in ("Step_1", "Step_3"))
    horizontal = [a for a, b in zip(points, points[1:], strict=False) if a[1] == b[1]]
    assert horizontal and all(y > row_bottom or y < row_top for _, y in horizontal)
    assert points[-1][0] < points[0][0], "the loop runs leftwards"


def test_it_uses_stable_valid_ids() -> None:
    sop = _sop(THREE_LANES, "tiga-lajur")
    xml = render_bpmn(sop)
    assert xml == render_bpmn(sop)
    root = _parse(xml)
    ids = [el.get("id") for el in root.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in ids)
    for expected in ("Step_4", "Gateway_4", "Flow_4_ya", "Flow_4_tidak", "End_7", "End_8", "End_9", "Lane_3"):
        assert expected in ids
    gateway = root.find("bpmn:process/bpmn:exclusiveGateway[@id='Gateway_8']", NS)
    assert "kanal-langsung" in gateway.findtext("bpmn:documentation", namespaces=NS)
