"""The flowchart's geometry: symbols in swimlanes, one row per activity, arrows routed around them.

Pure geometry in millimetres, shared by the SVG flowchart and the official HTML/PDF document.
The document is paginated here (not by the PDF engine) because where a page break cuts the flow
the official form draws an off-page connector (pentagon), and only the layout knows where the
arrows run.

Routing rules, so that no arrow crosses a symbol:
- each symbol sits in the middle of its lane, leaving a channel on both sides of it;
- an arrow to the next row leaves from the bottom (same lane) or from the side and turns down
  into the target's top (another lane): the row it crosses holds only its own symbol;
- every other arrow runs vertically in a channel track (of the target's lane, on the side facing
  the source), and enters the target from that side; tracks are allotted so that two vertical
  runs never share one stretch of a track;
- tracks keep clear of the lane borders (the table's ruling would hide a run there) and of each
  other (4 pt at least: closer, two arrows read as one at print size); when a channel is full the
  run takes the facing channel of the neighbouring lane (the other half of the gutter);
- a symbol's top takes one incoming arrow: a second one that comes down a track enters from the
  side of that track, so that no two arrows share a stretch and seem to lead where the other goes;
- an arrow that must leave by the side facing away from where it goes first turns down in its own
  lane's channel and passes under its symbol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..model import SELESAI, Kegiatan, Sop

Shape = Literal["capsule", "rect", "diamond", "offpage"]
Port = Literal["top", "bottom", "left", "right"]

PT = 25.4 / 72  # one point, mm
CHANNEL_PAD = 1.8  # from the lane border to the first track (5 pt)
TRACK_GAP = 1.6  # between two tracks of a channel (4.5 pt)
SYMBOL_CLEARANCE = 0.8  # from the last track to the widest symbol
BAND_HEIGHT = 11.0  # the strip above/below the rows of a page that holds off-page connectors
SYMBOL_H = {"capsule": 7.0, "rect": 8.0, "diamond": 10.0, "offpage": 8.0}


@dataclass
class RowSpec:
    """A row of the activity table: a step, or a drawn-only row (a start or end terminator)."""

    kind: Literal["step", "start", "end"]
    lane: int
    step: Kegiatan | None = None
    key: str = ""


@dataclass
class Row:
    spec: RowSpec | None  # None for a connector band
    y: float
    h: float


@dataclass
class Node:
    key: str
    row: int  # index into the page's rows
    lane: int
    shape: Shape
    cx: float
    cy: float
    w: float
    h: float
    label: str = ""
    band: str = ""  # "top" or "bottom" for an off-page connector: its row holds other connectors

    def port(self, side: Port) -> tuple[float, float]:
        return {
            "top": (self.cx, self.cy - self.h / 2),
            "bottom": (self.cx, self.cy + self.h / 2),
            "left": (self.cx - self.w / 2, self.cy),
            "right": (self.cx + self.w / 2, self.cy),
        }[side]


@dataclass
class Edge:
    points: list[tuple[float, float]]
    label: str = ""  # "Ya" / "Tidak" on a decision's branches
    label_at: tuple[float, float] = (0.0, 0.0)
    label_anchor: Literal["start", "end"] = "start"


@dataclass
class Page:
    rows: list[Row]
    nodes: list[Node]
    edges: list[Edge] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


@dataclass(frozen=True)
class _Link:
    src: str
    dst: str
    label: str = ""


def row_specs(sop: Sop) -> list[RowSpec]:
    """The rows in print order, with the extra terminator rows the flow needs.

    A first step is drawn as the start capsule and a step that ends the flow as an end capsule, as
    on the paper SOPs; only a first step that is a decision, or a decision branch straight to
    `selesai`, needs a terminator of its own, in a row without text.
    """
    specs: list[RowSpec] = []
    first = sop.first
    for k in sorted(sop.kegiatan, key=lambda k: k.no):
        lane = sop.lane(k)
        if k is first and k.is_decision:
            specs.append(RowSpec("start", lane, key="start"))
        specs.append(RowSpec("step", lane, k, key=f"s{k.no}"))
        if k.keputusan and SELESAI in (k.keputusan.ya, k.keputusan.tidak):
            specs.append(RowSpec("end", lane, key=f"end{k.no}"))
    return specs


def _shape(spec: RowSpec, first_no: int) -> tuple[Shape, str]:
    if spec.kind == "start":
        return "capsule", "Mulai"
    if spec.kind == "end":
        return "capsule", "Selesai"
    k = spec.step
    assert k is not None
    if k.is_decision:
        return "diamond", ""
    if k.no == first_no:
        return "capsule", "Mulai"
    if k.lanjut == SELESAI:
        return "capsule", "Selesai"
    return "rect", ""


def _links(sop: Sop, specs: list[RowSpec]) -> list[_Link]:
    keys = {s.key for s in specs}
    links: list[_Link] = []
    if "start" in keys:
        links.append(_Link("start", f"s{sop.first.no}"))
    for k in sop.kegiatan:
        for key, target in k.branches:
            if key == "lanjut":
                if target != SELESAI:  # a step that ends is drawn as the end capsule itself
                    links.append(_Link(f"s{k.no}", f"s{target}"))
            else:
                dst = f"end{k.no}" if target == SELESAI else f"s{target}"
                links.append(_Link(f"s{k.no}", dst, key.capitalize()))
    return links


def paginate(heights: list[float], available: float) -> list[list[int]]:
    """Greedy split of rows (by height) into pages, leaving room for connector bands."""
    pages: list[list[int]] = [[]]
    used = 0.0
    last = len(heights) - 1
    for i, h in enumerate(heights):
        # a row that is not the last needs room for a band below it, in case the flow continues
        if pages[-1] and used + h + (BAND_HEIGHT if i < last else 0.0) > available:
            pages.append([])
            used = BAND_HEIGHT  # the band at the top of a continuation page
        pages[-1].append(i)
        used += h
    return pages


def layout(
    sop: Sop,
    *,
    lane_width: float,
    heights: list[float] | None = None,
    available: float | None = None,
    numbered: bool = False,
) -> list[Page]:
    """Lay out the flowchart of `sop` on pages.

    `heights`: the height of each row of `row_specs(sop)` (default: a uniform 16 mm);
    `available`: the height a page offers for rows (default: everything on one page).
    `numbered`: write the step number inside processes and decisions (the standalone SVG).
    """
    specs = row_specs(sop)
    heights = heights or [16.0 if s.kind == "step" else 11.0 for s in specs]
    groups = paginate(heights, available) if available else [list(range(len(specs)))]
    page_of = {specs[i].key: p for p, group in enumerate(groups) for i in group}
    links = _links(sop, specs)
    width = lane_width * len(sop.pelaksana)

    pages: list[Page] = []
    letters = iter("ABCDEFGHJKLMNPQRSTUVWXYZ")
    crossing = {link: next(letters) for link in links if page_of[link.src] != page_of[link.dst]}
    for p, group in enumerate(groups):
        has_bottom = any(
            p in (page_of[ln.src], page_of[ln.dst]) and _band(page_of, ln, p) == "bottom" for ln in crossing
        )
        has_top = any(p in (page_of[ln.src], page_of[ln.dst]) and _band(page_of, ln, p) == "top" for ln in crossing)
        rows: list[Row] = []
        y = 0.0
        if has_top:
            rows.append(Row(None, y, BAND_HEIGHT))
            y += BAND_HEIGHT
        for i in group:
            rows.append(Row(specs[i], y, heights[i]))
            y += heights[i]
        if has_bottom:
            rows.append(Row(None, y, BAND_HEIGHT))
            y += BAND_HEIGHT
        page = Page(rows=rows, nodes=[], width=width, height=y)
        by_key: dict[str, Node] = {}
        for r, row in enumerate(rows):
            if row.spec is None:
                continue
            shape, label = _shape(row.spec, sop.first.no)
            if numbered and shape in ("rect", "diamond") and row.spec.step:
                label = str(row.spec.step.no)
            node = _node(row.spec.key, r, row.spec.lane, shape, label, row, lane_width)
            by_key[node.key] = node
            page.nodes.append(node)
        page_links: list[_Link] = []
        band_rows = {"top": 0, "bottom": len(rows) - 1}
        band_used: dict[tuple[str, int], int] = {}
        for link in links:
            if page_of[link.src] == p and page_of[link.dst] == p:
                page_links.append(link)
            elif p in (page_of[link.src], page_of[link.dst]):
                band = _band(page_of, link, p)
                lane, n = _connector_lane(band_used, band, _lane_of(specs, link.dst), len(sop.pelaksana))
                ckey = f"c{crossing[link]}"
                node = _node(ckey, band_rows[band], lane, "offpage", crossing[link], rows[band_rows[band]], lane_width)
                node.cx += (n % 2 * 2 - 1) * 8.0 * ((n + 1) // 2)  # only when every lane of the band is taken
                node.band = band
                if band == "bottom":  # low in its band: the arrows into it turn in the space above
                    node.cy = rows[band_rows[band]].y + BAND_HEIGHT - node.h / 2 - 0.5
                by_key[ckey] = node
                page.nodes.append(node)
                outgoing = page_of[link.src] == p
                page_links.append(_Link(link.src, ckey, link.label) if outgoing else _Link(ckey, link.dst))
        _route(page, by_key, page_links, lane_width)
        pages.append(page)
    return pages


def _band(page_of: dict[str, int], link: _Link, p: int) -> str:
    """Which band of page `p` holds the connector of a link that leaves or enters it."""
    src, dst = page_of[link.src], page_of[link.dst]
    if p == src:
        return "bottom" if dst > src else "top"
    return "top" if src < dst else "bottom"


def _connector_lane(used: dict[tuple[str, int], int], band: str, lane: int, lanes: int) -> tuple[int, int]:
    """The lane for a connector: the lane of the step it leads to, else the nearest free lane.

    Two connectors in one lane of a band would stand in each other's channels; only when every
    lane is taken do they share one, side by side.
    """
    for candidate in sorted(range(lanes), key=lambda other: (abs(other - lane), other)):
        if (band, candidate) not in used:
            used[(band, candidate)] = 1
            return candidate, 0
    n = used[(band, lane)]
    used[(band, lane)] = n + 1
    return lane, n


def _lane_of(specs: list[RowSpec], key: str) -> int:
    return next(s.lane for s in specs if s.key == key)


def _node(key: str, r: int, lane: int, shape: Shape, label: str, row: Row, lane_width: float) -> Node:
    width = {"capsule": 16.0, "rect": 16.0, "diamond": 13.0, "offpage": 7.0}[shape]
    width = min(width, lane_width - (11.0 if shape == "diamond" else 9.0)) if shape != "offpage" else width
    return Node(key, r, lane, shape, (lane + 0.5) * lane_width, row.y + row.h / 2, width, SYMBOL_H[shape], label)


class _Tracks:
    """Vertical tracks in the channels beside the symbols, allotted so that runs never overlap.

    A lane has `count` tracks on each side, the first CHANNEL_PAD from its border, TRACK_GAP apart.
    A run takes the first track of the wanted channel that is free over its stretch, else one of
    the facing channel across the border (the gutter's other half), else the least used one.
    """

    def __init__(self, lane_width: float, node_width: float, lanes: int):
        self.lane_width = lane_width
        self.lanes = lanes
        channel = (lane_width - node_width) / 2
        self.count = max(1, int((channel - CHANNEL_PAD - SYMBOL_CLEARANCE) // TRACK_GAP) + 1)
        self.busy: dict[tuple[int, str, int], list[tuple[float, float]]] = {}

    def _x(self, lane: int, side: str, k: int) -> float:
        offset = CHANNEL_PAD + k * TRACK_GAP
        return lane * self.lane_width + offset if side == "left" else (lane + 1) * self.lane_width - offset

    def take(self, lane: int, side: str, y1: float, y2: float) -> float:
        lo, hi = min(y1, y2) - 1.0, max(y1, y2) + 1.0
        channels = [(lane, side)]
        neighbour = lane - 1 if side == "left" else lane + 1
        if 0 <= neighbour < self.lanes:
            channels.append((neighbour, "right" if side == "left" else "left"))
        for ch_lane, ch_side in channels:
            for k in range(self.count):
                spans = self.busy.setdefault((ch_lane, ch_side, k), [])
                if all(hi < a or lo > b for a, b in spans):
                    spans.append((lo, hi))
                    return self._x(ch_lane, ch_side, k)
        k = min(range(self.count), key=lambda k: len(self.busy[(lane, side, k)]))
        self.busy[(lane, side, k)].append((lo, hi))
        return self._x(lane, side, k)


class _Levels:
    """Heights for the horizontal runs in the free space between two rows' symbols.

    A run wants one height (just above the symbol it enters, just under the one it leaves); if
    another arrow's run already lies within TRACK_GAP of it where they overlap, it moves up or
    down by TRACK_GAP, as far as the free space between the symbols allows.
    """

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes
        self.busy: list[tuple[float, float, float]] = []  # (y, x from, x to)

    def free_space(self, y: float) -> tuple[float, float]:
        """The free vertical space around height `y`: from the nearest symbol bottom above to the
        nearest symbol top below."""
        above = max((n.cy + n.h / 2 for n in self.nodes if n.cy + n.h / 2 <= y + 1e-6), default=-1e9)
        below = min((n.cy - n.h / 2 for n in self.nodes if n.cy - n.h / 2 >= y - 1e-6), default=1e9)
        return above, below

    def take(self, y: float, x1: float, x2: float, lo: float, hi: float) -> float:
        a, b = min(x1, x2), max(x1, x2)
        candidates = sorted((y + 0.4 * k for k in range(-16, 17)), key=lambda c: abs(c - y))
        for c in candidates:
            if not lo - 1e-6 <= c <= hi + 1e-6:
                continue
            if all(abs(c - by) >= TRACK_GAP or min(b, bb) - max(a, ba) <= 1e-6 for by, ba, bb in self.busy):
                self.busy.append((c, a, b))
                return c
        self.busy.append((y, a, b))
        return y


def _preferred(src: Node, dst: Node, taken: set[Port]) -> Port:
    if src.band:  # leave a band vertically: a sideways run would meet the band's other connectors
        return "bottom" if src.band == "top" else "top"
    if dst.lane == src.lane and dst.row == src.row + 1:
        wanted: Port = "bottom"
    elif dst.lane > src.lane:
        wanted = "right"
    elif dst.lane < src.lane:
        wanted = "left"
    else:
        wanted = "right"
    if wanted not in taken:
        return wanted
    # a decision's other branch or an incoming loop holds that side: leave from below, else the other side
    for alternative in ("bottom", "right" if wanted == "left" else "left", "right"):
        if alternative not in taken:
            return alternative  # type: ignore[return-value]
    return wanted


def _route(page: Page, nodes: dict[str, Node], links: list[_Link], lane_width: float) -> None:
    """Forward arrows enter a symbol from the top; loops (going up) from the side facing them.

    Loops are placed first so that their entry sides are known before any exit side is chosen.
    """
    widest = max((n.w for n in page.nodes if n.shape != "offpage"), default=14.0)
    tracks = _Tracks(lane_width, widest, max(1, round(page.width / lane_width)))
    levels = _Levels(page.nodes)
    ports: dict[str, set[Port]] = {key: set() for key in nodes}
    entries: dict[_Link, Port] = {}
    wanted: dict[str, set[Port]] = {key: set() for key in nodes}
    for link in links:
        wanted[link.src].add(_preferred(nodes[link.src], nodes[link.dst], set()))
    for link in links:
        src, dst = nodes[link.src], nodes[link.dst]
        if dst.row <= src.row:
            side: Port = "right" if dst.lane == src.lane else ("left" if dst.lane > src.lane else "right")
            if dst.lane == src.lane and ("right" in ports[dst.key] or "right" in wanted[dst.key]):
                side = "left"  # keep the side the symbol's own branch leaves by
            elif dst.lane != src.lane and side in wanted[dst.key] and _other(side) not in wanted[dst.key]:
                side = _other(side)  # the track runs on the far side; the branches keep theirs
            entries[link] = side
            ports[dst.key].add(side)
    _side_entries(nodes, links, entries, ports, wanted)
    for link in links:
        src, dst = nodes[link.src], nodes[link.dst]
        entry = entries.get(link)
        if entry and src.lane == dst.lane and entry not in ports[src.key]:
            port: Port = entry  # a loop within one lane leaves and comes back on the same side
        else:
            port = _preferred(src, dst, ports[src.key])
        ports[src.key].add(port)
        page.edges.append(_edge(src, dst, port, entries.get(link, "top"), link.label, tracks, levels))


def _other(side: Port) -> Port:
    return "left" if side == "right" else "right"


def _side_entries(
    nodes: dict[str, Node],
    links: list[_Link],
    entries: dict[_Link, Port],
    ports: dict[str, set[Port]],
    wanted: dict[str, set[Port]],
) -> None:
    """One arrow per symbol's top: the one from the nearest row keeps it, the others that come
    down a track enter from the side of their track (else the other side, if free)."""
    incoming: dict[str, list[_Link]] = {}
    for link in links:
        if link not in entries:
            incoming.setdefault(link.dst, []).append(link)
    for key, group in incoming.items():
        if len(group) < 2:
            continue
        dst = nodes[key]
        keep = max(group, key=lambda ln: nodes[ln.src].row)
        for link in group:
            if link is keep:
                continue
            src = nodes[link.src]
            if dst.lane == src.lane:
                sides: list[Port] = ["right", "left"]
            else:
                sides = ["left", "right"] if dst.lane > src.lane else ["right", "left"]
            free = [side for side in sides if side not in ports[key]]
            free.sort(key=lambda side: side in wanted[key])  # a side its own exit wants comes last
            if free:
                entries[link] = free[0]
                ports[key].add(free[0])


def _edge(src: Node, dst: Node, port: Port, entry: Port, label: str, tracks: _Tracks, levels: _Levels) -> Edge:
    sx, sy = src.port(port)
    points: list[tuple[float, float]] = [(sx, sy)]
    adjacent = dst.row == src.row + 1
    top = dst.cy - dst.h / 2
    if entry == "top" and port == "bottom" and dst.lane == src.lane and adjacent:
        points.append(dst.port("top"))
    elif entry == "top" and adjacent and dst.lane != src.lane:
        if port == "bottom":  # turn in the gap under the source symbol
            gap = levels.take((sy + top) / 2, sx, dst.cx, sy + 1.0, top - 1.9)
            points += [(sx, gap), (dst.cx, gap)]
        else:
            points.append((dst.cx, sy))
        points.append(dst.port("top"))
    else:
        if entry != "top":
            side = entry
        elif dst.lane == src.lane:
            side = "left" if port == "left" else "right"
        else:
            side = "left" if dst.lane > src.lane else "right"  # the dst lane's side facing the source
        ex, ey = dst.port(entry)
        turn_y = ey - 2.5 if entry == "top" else ey
        # the track's stretch covers the heights its turns may move to
        reach = 4 * TRACK_GAP if entry == "top" else 0.0
        x = tracks.take(dst.lane, side, sy, turn_y - reach if turn_y < sy else turn_y)
        if port in ("bottom", "top"):  # turn just outside the source, in the free space of its row
            above, below = levels.free_space(sy - 0.5 if port == "top" else sy + 0.5)
            if port == "bottom":
                gap = levels.take(sy + 2.0, sx, x, sy + 1.0, below - 1.9)
            else:
                gap = levels.take(sy - 1.0, sx, x, above + 1.0, sy - 0.8)
            points += [(sx, gap), (x, gap)]
        else:
            points.append((x, sy))
        if entry == "top":
            above, _below = levels.free_space(ey - 0.5)
            turn_y = levels.take(turn_y, x, ex, above + 1.0, ey - 1.9)
        points.append((x, turn_y))
        if entry == "top":
            points.append((ex, turn_y))
        points.append((ex, ey))
    edge = Edge(points=points, label=label)
    if label:
        if port == "bottom":
            edge.label_at, edge.label_anchor = (sx + 1.0, sy + 2.8), "start"
        elif port == "right":
            edge.label_at, edge.label_anchor = (sx + 0.8, sy - 0.8), "start"
        else:
            edge.label_at, edge.label_anchor = (sx - 0.8, sy - 0.8), "end"
    return edge
