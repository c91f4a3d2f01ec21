"""The SOP as BPMN 2.0 XML, with the diagram drawn in, for standard BPMN modellers.

`render_bpmn` turns an `Sop` into one collaboration whose single participant (the SOP) holds a
process with one lane per `pelaksana`, a task per step, an exclusive gateway after each decision
step, a start event before the first step and an end event after every step that ends the flow.
The diagram interchange (BPMNDI) is computed here too, so bpmn.io or Camunda Modeler show the
swimlanes as the SOP-AP form draws them: lanes top to bottom in `pelaksana` order, steps left to
right in the order of their `no`.

The process is executable (`isExecutable="true"`; run in SpiffWorkflow 3 on every path of every
built-in SOP, see tests/sop/test_bpmn_executable.py). A step a person completes (the requester's
or a staff member's, `Kegiatan.by`) is a `userTask` in its lane; a step the system completes
(automatic actions, and decisions answered by the system from data) is a `serviceTask`. Every
flow out of a decision's gateway carries a Python `conditionExpression` on the step's answer,
one variable per decision step: `jawaban_<no>`, `"ya"` or `"tidak"` (`answer_variable`).

The layout rests on one rule: every node has a column of its own, so a vertical line inside a
node's column can only meet that node. A flow runs along a lane's row when nothing stands in the
way (with at most one bend into another lane); otherwise it drops into a routing channel above or
below a row and runs along a track no other flow uses there, so loops go round the shapes. Ids are derived from the step numbers (`Step_5`, `Gateway_5`, `Flow_5_ya`, `End_7`), so
they stay the same between renderings of the same SOP.

Pure Python (standard library only): the SOP package does not depend on Django or lxml.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..model import SELESAI, Kegiatan, Sop, Target

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}

TASK_W, TASK_H = 140, 80
GATEWAY = 50
EVENT = 36
COL_GAP = 50
POOL_X, POOL_Y = 160, 80
POOL_LABEL = 30  # bpmn-js draws the participant's and each lane's name in a 30 px band
FIRST_COL_PAD = 40
ROW_H = TASK_H
LABEL_BAND = 50  # room above and below the row for gateway/event labels and Ya/Tidak labels
TRACK = 14
CHANNEL_PAD = 14
PORT_STEP = 24
NAME_MAX = 80
LABEL_W = 120
CROSSING_COST = 150  # px of extra detour worth one crossing fewer

Side = str  # "top" | "bottom" | "left" | "right"
_Segment = tuple[tuple[int, int], tuple[int, int]]


@dataclass(eq=False)
class _Node:
    id: str
    kind: str  # start | task | gateway | end
    lane: int
    name: str
    w: int
    h: int
    documentation: str | None = None
    tag: str = ""  # the BPMN element: startEvent | userTask | serviceTask | exclusiveGateway | endEvent
    col: int = 0
    x: int = 0
    y: int = 0
    incoming: list[_Flow] = field(default_factory=list)
    outgoing: list[_Flow] = field(default_factory=list)
    sides: dict[Side, int] = field(default_factory=dict)

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    def port(self, side: Side) -> tuple[int, int]:
        return {
            "top": (self.cx, self.y),
            "bottom": (self.cx, self.y + self.h),
            "left": (self.x, self.cy),
            "right": (self.x + self.w, self.cy),
        }[side]

    def side_free(self, side: Side) -> bool:
        # A task's top and bottom take several flows side by side (spread later); every other side,
        # and any side of a diamond or a circle, takes one flow, or the lines would merge.
        if self.kind == "task" and side in ("top", "bottom"):
            return True
        return self.sides.get(side, 0) == 0

    def use(self, side: Side) -> None:
        self.sides[side] = self.sides.get(side, 0) + 1


@dataclass(eq=False)
class _Flow:
    id: str
    source: _Node
    target: _Node
    name: str | None = None
    condition: str | None = None  # the conditionExpression of a flow out of a gateway
    kind: str = ""  # straight | across (right, then up/down) | down (up/down, then right) | channel
    src_side: Side = ""
    dst_side: Side = ""
    channel: tuple[int, Side] | None = None
    track: int = 0
    points: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Lane:
    name: str
    top_tracks: int = 1
    bottom_tracks: int = 1
    y: int = 0
    h: int = 0
    row_cy: int = 0

    def track_y(self, side: Side, track: int) -> int:
        if side == "bottom":
            return self.row_cy + ROW_H // 2 + LABEL_BAND + track * TRACK + TRACK // 2
        return self.row_cy - ROW_H // 2 - LABEL_BAND - track * TRACK - TRACK // 2


def answer_variable(no: int) -> str:
    """The process variable that holds the answer ("ya"/"tidak") of decision step `no`."""
    return f"jawaban_{no}"


def render_bpmn(sop: Sop) -> str:
    """The SOP as a BPMN 2.0 document (UTF-8 XML text with declaration), diagram included."""
    lanes = [_Lane(name) for name in sop.pelaksana]
    nodes, flows = _graph(sop)
    _place(nodes, lanes)
    _route(nodes, flows, lanes)
    _assign_tracks(flows, lanes)
    _place(nodes, lanes)
    for f in flows:
        f.points = _waypoints(f, lanes)
    _spread_ports(nodes)
    return _xml(sop, lanes, nodes, flows)


# --- the graph -------------------------------------------------------------------------------


def _graph(sop: Sop) -> tuple[list[_Node], list[_Flow]]:
    steps = sorted(sop.kegiatan, key=lambda k: k.no)
    numbers = [k.no for k in steps]
    if len(set(numbers)) != len(numbers):
        raise ValueError("nomor kegiatan ganda; periksa SOP dengan `loket sop check`")
    known = set(numbers)

    first = sop.first
    start = _Node("StartEvent_1", "start", sop.lane(first), "Mulai", EVENT, EVENT, tag="startEvent")
    nodes = [start]
    tasks: dict[int, _Node] = {}
    exits: dict[int, _Node] = {}  # the node whose outgoing flows leave step `no`
    ends: dict[int, _Node] = {}
    for k in steps:
        lane = sop.lane(k)
        tag = "serviceTask" if k.by == "sistem" else "userTask"
        task = _Node(f"Step_{k.no}", "task", lane, _task_name(k), TASK_W, TASK_H, _documentation(k), tag)
        nodes.append(task)
        tasks[k.no] = exits[k.no] = task
        if k.keputusan is not None:
            doc = f'Jawaban: variabel {answer_variable(k.no)} ("ya" atau "tidak")'
            if k.keputusan.oleh == "sistem":
                doc = f"Dijawab oleh sistem: {k.keputusan.syarat or '-'}\n{doc}"
            gateway = _Node(
                f"Gateway_{k.no}", "gateway", lane, k.keputusan.pertanyaan, GATEWAY, GATEWAY, doc, "exclusiveGateway"
            )
            nodes.append(gateway)
            exits[k.no] = gateway
        if SELESAI in k.targets:
            ends[k.no] = _Node(f"End_{k.no}", "end", lane, "Selesai", EVENT, EVENT, tag="endEvent")
            nodes.append(ends[k.no])
    for col, node in enumerate(nodes):
        node.col = col

    def target(k: Kegiatan, t: Target) -> _Node:
        if t == SELESAI:
            return ends[k.no]
        if t not in known:
            raise ValueError(f"kegiatan {k.no} menuju kegiatan {t} yang tidak ada")
        return tasks[int(t)]

    flows = [_Flow("Flow_start", start, tasks[first.no])]
    for k in steps:
        if k.keputusan is not None:
            gateway = exits[k.no]
            flows.append(_Flow(f"Flow_{k.no}", tasks[k.no], gateway))
            for answer, to in (("ya", k.keputusan.ya), ("tidak", k.keputusan.tidak)):
                condition = f'{answer_variable(k.no)} == "{answer}"'
                flows.append(_Flow(f"Flow_{k.no}_{answer}", gateway, target(k, to), answer.title(), condition))
        elif k.lanjut is not None:
            flows.append(_Flow(f"Flow_{k.no}", tasks[k.no], target(k, k.lanjut)))
    for f in flows:
        f.source.outgoing.append(f)
        f.target.incoming.append(f)
    return nodes, flows


def _task_name(k: Kegiatan) -> str:
    text = " ".join(k.uraian.split())
    if k.keputusan is not None:
        # The question is printed again on the gateway; the task keeps the activity only.
        question = " ".join(k.keputusan.pertanyaan.split())
        if text.endswith(question) and len(text) > len(question):
            text = text[: -len(question)].rstrip()
    return _shorten(f"{k.no}. {text}", NAME_MAX)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def _documentation(k: Kegiatan) -> str:
    lines = [" ".join(k.uraian.split())]
    if k.waktu is not None:
        lines.append(f"Waktu: {k.waktu} menit")
    if k.output:
        lines.append(f"Output: {k.output}")
    lines.append(f"Aksi: {k.aksi}")
    return "\n".join(lines)


# --- the layout ------------------------------------------------------------------------------


def _place(nodes: list[_Node], lanes: list[_Lane]) -> None:
    y = POOL_Y
    for lane in lanes:
        lane.y = y
        top = CHANNEL_PAD + lane.top_tracks * TRACK + LABEL_BAND
        bottom = LABEL_BAND + lane.bottom_tracks * TRACK + CHANNEL_PAD
        lane.row_cy = y + top + ROW_H // 2
        lane.h = top + ROW_H + bottom
        y += lane.h
    x = POOL_X + 2 * POOL_LABEL + FIRST_COL_PAD
    for node in nodes:
        node.x = x
        node.y = lanes[node.lane].row_cy - node.h // 2
        x += node.w + COL_GAP


def _route(nodes: list[_Node], flows: list[_Flow], lanes: list[_Lane]) -> None:
    """Choose how each flow runs, on a first layout where every channel has one track.

    Cheapest first over all flows (a straight line, then one bend, then a channel), so that the
    flows which can run straight get the free sides of the diamonds before a detour claims them.
    A one-bend flow leaves by the right side before it takes a diamond's upper or lower corner, so
    that a corner stays free for the diamond's question.
    """
    direct: list[_Segment] = []  # flows in rows and columns, which no other flow may run along
    drawn: list[_Segment] = []  # all flows so far, to count what a detour would cross

    def try_direct(f: _Flow, kind: str) -> bool:
        s, t = f.source, f.target
        if t.col <= s.col:
            return False
        if kind == "straight":
            if s.lane != t.lane:
                return False
            src, dst = "right", "left"
        elif kind == "across":
            if s.lane == t.lane:
                return False
            src, dst = "right", ("top" if t.lane > s.lane else "bottom")
        else:
            if s.lane == t.lane:
                return False
            src, dst = ("bottom" if t.lane > s.lane else "top"), "left"
        if not (s.side_free(src) and t.side_free(dst)):
            return False
        f.kind, f.src_side, f.dst_side = kind, src, dst
        segments = _segments(_waypoints(f, lanes))
        if any(_hits(a, b, n) for a, b in segments for n in nodes if n is not s and n is not t):
            return False
        if any(_overlaps(seg, other) for seg in segments for other in direct):
            return False
        s.use(src)
        t.use(dst)
        direct.extend(segments)
        drawn.extend(segments)
        return True

    pending = [f for f in flows if not try_direct(f, "straight")]
    channelled: list[_Flow] = []
    for f in pending:
        if not any(try_direct(f, kind) for kind in ("across", "down")):
            _route_channel(f, lanes, channelled, drawn)
            channelled.append(f)
            drawn.extend(_segments(_waypoints(f, lanes)))


def _route_channel(f: _Flow, lanes: list[_Lane], channelled: list[_Flow], drawn: list[_Segment]) -> None:
    """Send `f` along the channel that keeps it short and crosses the fewest flows already routed."""
    s, t = f.source, f.target
    lo, hi = sorted((s.cx, t.cx))
    candidates = []
    for i, lane in enumerate(lanes):
        for side in ("bottom", "top"):
            y = lane.track_y(side, 0)
            src = "bottom" if y > s.cy else "top"
            dst = "bottom" if y > t.cy else "top"
            if not (s.side_free(src) and t.side_free(dst)):
                continue
            f.kind, f.channel, f.src_side, f.dst_side = "channel", (i, side), src, dst
            segments = _segments(_waypoints(f, lanes))
            crossings = sum(_crosses(a, b) for a in segments for b in drawn)
            # In the same channel nested spans stack without crossing (shorter ones nearer the
            # row); spans that partly overlap must cross once.
            for g in channelled:
                if g.channel == (i, side):
                    a, b = sorted((g.source.cx, g.target.cx))
                    crossings += (lo < a < hi) != (lo < b < hi)
            near = 0 if i == s.lane else 1 if i == t.lane else 2
            cost = abs(y - s.cy) + abs(y - t.cy) + CROSSING_COST * crossings
            candidates.append((cost, near, side != "bottom", i, side, src, dst))
    if not candidates:
        # Every side is taken (a diamond with more flows than corners): share the bottom.
        candidates.append((0, 0, False, s.lane, "bottom", "bottom", "bottom"))
    *_, i, side, src, dst = min(candidates)
    f.kind, f.channel, f.src_side, f.dst_side = "channel", (i, side), src, dst
    s.use(src)
    t.use(dst)


def _assign_tracks(flows: list[_Flow], lanes: list[_Lane]) -> None:
    """Give every channelled flow a track no other flow uses over the same stretch.

    Shorter spans take the tracks nearest the row, so nested detours do not cross each other.
    """
    margin = TASK_W // 2
    by_channel: dict[tuple[int, Side], list[_Flow]] = {}
    for f in flows:
        if f.channel is not None:
            by_channel.setdefault(f.channel, []).append(f)
    for lane in lanes:
        lane.top_tracks = lane.bottom_tracks = 0
    for (i, side), group in by_channel.items():
        taken: list[list[tuple[int, int]]] = []
        for f in sorted(group, key=lambda f: (abs(f.source.cx - f.target.cx), f.source.col)):
            lo = min(f.source.cx, f.target.cx) - margin
            hi = max(f.source.cx, f.target.cx) + margin
            for track, spans in enumerate(taken):
                if all(hi < a or lo > b for a, b in spans):
                    spans.append((lo, hi))
                    f.track = track
                    break
            else:
                f.track = len(taken)
                taken.append([(lo, hi)])
        if side == "top":
            lanes[i].top_tracks = len(taken)
        else:
            lanes[i].bottom_tracks = len(taken)


def _waypoints(f: _Flow, lanes: list[_Lane]) -> list[tuple[int, int]]:
    s, t = f.source, f.target
    a, b = s.port(f.src_side), t.port(f.dst_side)
    if f.kind == "straight":
        return [a, b]
    if f.kind == "across":
        return [a, (b[0], a[1]), b]
    if f.kind == "down":
        return [a, (a[0], b[1]), b]
    assert f.channel is not None
    lane, side = f.channel
    y = lanes[lane].track_y(side, f.track)
    return [a, (a[0], y), (b[0], y), b]


def _spread_ports(nodes: list[_Node]) -> None:
    """Put the flows that share a task's top or bottom side next to each other, not on top.

    Each is ordered by where it heads, so lines leaving to the left sit on the left.
    """
    for node in nodes:
        if node.kind != "task":
            continue
        for side in ("top", "bottom"):
            ends: list[tuple[int, int, _Flow, bool]] = []
            for f in node.outgoing:
                if f.src_side == side and len(f.points) > 2:
                    ends.append((f.points[-1][0], f.points[1][1], f, True))
            for f in node.incoming:
                if f.dst_side == side and len(f.points) > 2:
                    ends.append((f.points[0][0], f.points[-2][1], f, False))
            if len(ends) < 2:
                continue
            ends.sort(key=lambda e: (e[0], e[1]))
            step = min(PORT_STEP, (node.w - 20) // (len(ends) - 1))
            for i, (_, _, f, leaving) in enumerate(ends):
                x = node.cx + round((i - (len(ends) - 1) / 2) * step)
                j, k = (0, 1) if leaving else (-1, -2)
                f.points[j] = (x, f.points[j][1])
                f.points[k] = (x, f.points[k][1])


def _segments(points: list[tuple[int, int]]) -> list[_Segment]:
    return list(zip(points, points[1:], strict=False))


def _hits(a: tuple[int, int], b: tuple[int, int], n: _Node, pad: int = 4) -> bool:
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    return x0 < n.x + n.w + pad and x1 > n.x - pad and y0 < n.y + n.h + pad and y1 > n.y - pad


def _overlaps(seg: _Segment, other: _Segment) -> bool:
    (ax, ay), (bx, by) = seg
    (cx, cy), (dx, dy) = other
    if ay == by == cy == dy:
        return min(max(ax, bx), max(cx, dx)) - max(min(ax, bx), min(cx, dx)) > 0
    if ax == bx == cx == dx:
        return min(max(ay, by), max(cy, dy)) - max(min(ay, by), min(cy, dy)) > 0
    return False


def _crosses(seg: _Segment, other: _Segment) -> bool:
    """Whether a horizontal and a vertical segment cross inside both (touching ends do not count)."""
    for h, v in ((seg, other), (other, seg)):
        (hx0, hy), (hx1, hy1) = h
        (vx, vy0), (vx1, vy1) = v
        if hy == hy1 and vx == vx1:
            return min(hx0, hx1) < vx < max(hx0, hx1) and min(vy0, vy1) < hy < max(vy0, vy1)
    return False


# --- the XML ---------------------------------------------------------------------------------


def _xml(sop: Sop, lanes: list[_Lane], nodes: list[_Node], flows: list[_Flow]) -> str:
    root = ET.Element(
        "bpmn:definitions",
        {
            **{f"xmlns:{prefix}": uri for prefix, uri in NS.items()},
            "id": "Definitions_1",
            "name": sop.nama,
            "targetNamespace": f"urn:loket:sop:{sop.kode}:{sop.versi}",
            "exporter": "Loket",
            "exporterVersion": "1",
        },
    )
    collaboration = ET.SubElement(root, "bpmn:collaboration", id="Collaboration_1")
    participant = ET.SubElement(
        collaboration, "bpmn:participant", id="Participant_1", name=sop.nama, processRef="Process_1"
    )
    ET.SubElement(participant, "bpmn:documentation").text = f"SOP {sop.kode} versi {sop.versi}, nomor {sop.nomor}"

    process = ET.SubElement(root, "bpmn:process", id="Process_1", name=sop.nama, isExecutable="true")
    lane_set = ET.SubElement(process, "bpmn:laneSet", id="LaneSet_1")
    for i, lane in enumerate(lanes):
        el = ET.SubElement(lane_set, "bpmn:lane", id=f"Lane_{i + 1}", name=lane.name)
        for node in nodes:
            if node.lane == i:
                ET.SubElement(el, "bpmn:flowNodeRef").text = node.id

    for node in nodes:
        el = ET.SubElement(process, f"bpmn:{node.tag}", id=node.id, name=node.name)
        if node.documentation:
            ET.SubElement(el, "bpmn:documentation").text = node.documentation
        for f in node.incoming:
            ET.SubElement(el, "bpmn:incoming").text = f.id
        for f in node.outgoing:
            ET.SubElement(el, "bpmn:outgoing").text = f.id
    for f in flows:
        attrs = {"id": f.id, "sourceRef": f.source.id, "targetRef": f.target.id}
        if f.name:
            attrs["name"] = f.name
        el = ET.SubElement(process, "bpmn:sequenceFlow", attrs)
        if f.condition:
            expression = ET.SubElement(el, "bpmn:conditionExpression", {"xsi:type": "bpmn:tFormalExpression"})
            expression.text = f.condition

    diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", id="Diagram_1")
    plane = ET.SubElement(diagram, "bpmndi:BPMNPlane", id="Plane_1", bpmnElement="Collaboration_1")
    right = max(n.x + n.w for n in nodes) + COL_GAP
    bottom = lanes[-1].y + lanes[-1].h
    _shape(plane, "Participant_1", (POOL_X, POOL_Y, right - POOL_X, bottom - POOL_Y), horizontal=True)
    for i, lane in enumerate(lanes):
        box = (POOL_X + POOL_LABEL, lane.y, right - POOL_X - POOL_LABEL, lane.h)
        _shape(plane, f"Lane_{i + 1}", box, horizontal=True)
    for node in nodes:
        _shape(plane, node.id, (node.x, node.y, node.w, node.h), label=_node_label(node))
    for f in flows:
        edge = ET.SubElement(plane, "bpmndi:BPMNEdge", id=f"{f.id}_di", bpmnElement=f.id)
        for x, y in f.points:
            ET.SubElement(edge, "di:waypoint", x=str(x), y=str(y))
        if f.name:
            _label(edge, _flow_label(f))

    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _shape(
    plane: ET.Element,
    element: str,
    box: tuple[int, int, int, int],
    *,
    horizontal: bool = False,
    label: tuple[int, int, int, int] | None = None,
) -> None:
    shape = ET.SubElement(plane, "bpmndi:BPMNShape", id=f"{element}_di", bpmnElement=element)
    if horizontal:
        shape.set("isHorizontal", "true")
    x, y, w, h = box
    ET.SubElement(shape, "dc:Bounds", x=str(x), y=str(y), width=str(w), height=str(h))
    if label is not None:
        _label(shape, label)


def _label(parent: ET.Element, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = box
    label = ET.SubElement(parent, "bpmndi:BPMNLabel")
    ET.SubElement(label, "dc:Bounds", x=str(x), y=str(y), width=str(w), height=str(h))


def _node_label(node: _Node) -> tuple[int, int, int, int] | None:
    """Where an event's or gateway's name is printed: on a side no flow leaves by."""
    if node.kind == "task":
        return None
    width = LABEL_W if node.kind == "gateway" else 60
    lines = max(1, math.ceil(len(node.name) * 6.5 / width))
    h = min(lines * 14, LABEL_BAND - 8)
    prefer = ("top", "bottom") if node.kind == "gateway" else ("bottom", "top")
    side = next((s for s in prefer if node.sides.get(s, 0) == 0), None)
    if side is None:
        # Flows leave by both corners: print the name above, left of the line that goes up.
        return (node.cx - width - 6, node.y - 4 - h, width, h)
    y = node.y - 4 - h if side == "top" else node.y + node.h + 4
    return (node.cx - width // 2, y, width, h)


def _flow_label(f: _Flow) -> tuple[int, int, int, int]:
    (x, y), w = f.points[0], 34
    if f.src_side == "right":
        return (x + 6, y - 18, w, 14)
    if f.src_side == "bottom":
        return (x + 6, y + 4, w, 14)
    return (x + 6, y - 18, w, 14)
