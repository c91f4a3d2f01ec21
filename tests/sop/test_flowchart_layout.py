"""The flowchart's arrows keep clear of the lane borders and of each other, measured on the layout.

Measured from the segments `layout()` returns (millimetres), not from pixels: no vertical run lies
on or next to a lane border (the table's ruling would hide it), no two parallel runs of different
arrows come closer than 4 pt where they overlap (at print size they read as one line), and no two
arrows share a stretch (one arrow would seem to lead where the other goes). Checked for every
built-in SOP as the official document paginates it and as the standalone SVG draws it, and for
generated SOPs of shapes the built-in files do not have.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from loket.sop.load import load_file
from loket.sop.model import Sop
from loket.sop.render.document import activity_pages, columns, row_height
from loket.sop.render.layout import Page, layout, row_specs

PT = 25.4 / 72  # one point in millimetres
BORDER_CLEARANCE = 4 * PT  # a run 1.2 mm (3.4 pt) off a border is drawn on it at print size
PARALLEL_CLEARANCE = 4 * PT
EPS = 1e-6

DEFINITIONS = sorted((Path(__file__).parents[2] / "src/loket/sop/definitions").glob("*.yaml"))

Segment = tuple[int, tuple[float, float], tuple[float, float]]


def _segments(page: Page) -> list[Segment]:
    """Every straight piece of every arrow, with the index of its arrow (the arrowhead included)."""
    out: list[Segment] = []
    for i, edge in enumerate(page.edges):
        for a, b in zip(edge.points, edge.points[1:], strict=False):
            if abs(a[0] - b[0]) > EPS or abs(a[1] - b[1]) > EPS:
                out.append((i, a, b))
    return out


def _vertical(a, b) -> bool:
    return abs(a[0] - b[0]) <= EPS


def _overlap(a1: float, a2: float, b1: float, b2: float) -> float:
    return min(max(a1, a2), max(b1, b2)) - max(min(a1, a2), min(b1, b2))


def problems(page: Page, lanes: int, lane_width: float) -> list[str]:
    """What is wrong with a page's arrows, each with the distance measured (empty: all clear)."""
    found: list[str] = []
    segments = _segments(page)
    borders = [i * lane_width for i in range(lanes + 1)]
    for i, a, b in segments:
        if _vertical(a, b):
            gap = min(abs(a[0] - x) for x in borders)
            if gap < BORDER_CLEARANCE:
                found.append(f"arrow {i} runs {gap:.2f} mm from a lane border at x={a[0]:.2f}")
    for (i, a1, b1), (j, a2, b2) in combinations(segments, 2):
        if i == j or _vertical(a1, b1) != _vertical(a2, b2):
            continue
        across, along = (0, 1) if _vertical(a1, b1) else (1, 0)
        if _overlap(a1[along], b1[along], a2[along], b2[along]) <= EPS:
            continue
        gap = abs(a1[across] - a2[across])
        if gap <= EPS:
            found.append(f"arrows {i} and {j} share a segment {a1}->{b1} / {a2}->{b2}")
        elif gap < PARALLEL_CLEARANCE:
            found.append(f"arrows {i} and {j} run {gap:.2f} mm apart: {a1}->{b1} / {a2}->{b2}")
    return found


def min_clearances(pages: list[Page], lanes: int, lane_width: float) -> tuple[float, float]:
    """The smallest border distance of a vertical run and the smallest gap between overlapping
    parallel runs of different arrows, over all pages (for the report of a layout change)."""
    border, parallel = float("inf"), float("inf")
    for page in pages:
        segments = _segments(page)
        for _i, a, b in segments:
            if _vertical(a, b):
                border = min(border, min(abs(a[0] - k * lane_width) for k in range(lanes + 1)))
        for (i, a1, b1), (j, a2, b2) in combinations(segments, 2):
            if i == j or _vertical(a1, b1) != _vertical(a2, b2):
                continue
            across, along = (0, 1) if _vertical(a1, b1) else (1, 0)
            if _overlap(a1[along], b1[along], a2[along], b2[along]) > EPS:
                parallel = min(parallel, abs(a1[across] - a2[across]))
    return border, parallel


def _document_pages(sop: Sop) -> tuple[float, list[Page]]:
    """The pages as the official document lays them out (its row heights and page breaks)."""
    cols, _cells = activity_pages(sop)
    from loket.sop.render import document

    heights = [row_height(s, cols) for s in row_specs(sop)]
    available = (
        document.PAGE_H
        - document.MARGIN_TOP
        - document.MARGIN_BOTTOM
        - document.TITLE_H
        - document.header_height(sop, cols)
        - document.SAFETY
    )
    return cols.lane, layout(sop, lane_width=cols.lane, heights=heights, available=available)


def _assert_clear(sop: Sop, lane_width: float, pages: list[Page], name: str) -> None:
    found = [
        f"{name} page {p + 1}: {msg}"
        for p, page in enumerate(pages)
        for msg in problems(page, len(sop.pelaksana), lane_width)
    ]
    assert not found, "\n".join(found)


def _builtin(path: Path) -> Sop:
    loaded = load_file(path)
    assert loaded.sop is not None, loaded.violations
    return loaded.sop


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_builtin_document_arrows_keep_clear(path):
    sop = _builtin(path)
    lane_width, pages = _document_pages(sop)
    _assert_clear(sop, lane_width, pages, path.stem)


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_builtin_standalone_svg_arrows_keep_clear(path):
    sop = _builtin(path)
    _assert_clear(sop, 38.0, layout(sop, lane_width=38.0, numbered=True), path.stem)


# --- generated SOPs: (lane, where the step goes) per step; a tuple is a decision (ya, tidak) ---

Flow = int | str | tuple[int | str, int | str]

GENERATED: dict[str, tuple[int, list[tuple[int, Flow]]]] = {
    # a loop back over two lanes, then a decision straight to selesai
    "loop-back": (3, [(0, 2), (1, (4, 3)), (0, 2), (2, (5, "selesai")), (1, "selesai")]),
    # two decisions in a row, both with a branch that skips rows
    "two-decisions": (4, [(0, 2), (1, (3, 5)), (2, (4, 6)), (3, 6), (1, 6), (2, "selesai")]),
    # decisions whose branches go straight to selesai, and a long jump back
    "straight-to-selesai": (3, [(0, 2), (1, (3, "selesai")), (2, (4, "selesai")), (1, 5), (0, (6, 2)), (2, "selesai")]),
    # five lanes, back and forth, a loop within one lane
    "five-lanes": (
        5,
        [(0, 2), (1, 3), (4, (4, 2)), (3, 5), (2, (6, 1)), (4, 7), (0, (8, 3)), (1, "selesai")],
    ),
    # six lanes, arrows into one step from several others
    "six-lanes": (
        6,
        [(0, 2), (5, (3, 6)), (2, (4, 6)), (3, 5), (1, 6), (4, 7), (0, (8, 2)), (5, "selesai")],
    ),
    # the reset SOP's shape (tests/sop_factory.py) in three lanes
    "reset-shape": (
        3,
        [(0, 2), (1, (5, 3)), (2, 4), (0, 2), (1, (6, 7)), (2, 8), (1, "selesai"), (2, 9), (1, "selesai")],
    ),
}


def _generated(lanes: int, steps: list[tuple[int, Flow]]) -> Sop:
    pelaksana = [f"Pelaksana {chr(65 + i)}" for i in range(lanes)]
    kegiatan: list[dict[str, Any]] = []
    for no, (lane, flow) in enumerate(steps, start=1):
        step: dict[str, Any] = {
            "no": no,
            "uraian": f"Langkah {no}",
            "pelaksana": pelaksana[lane],
            "waktu": 5,
        }
        if isinstance(flow, tuple):
            step["aksi"] = "periksa-kelengkapan"
            step["keputusan"] = {"pertanyaan": f"Langkah {no}?", "ya": flow[0], "tidak": flow[1]}
        else:
            step["aksi"] = "kerjakan"
            step["lanjut"] = flow
        kegiatan.append(step)
    return Sop.model_validate(
        {
            "kode": "uji-tata-letak",
            "versi": 1,
            "layanan": "reset-akun",
            "peran_akun": ["PPK"],
            "unit": "uji",
            "nomor": "001/UJI",
            "nama": "Uji Tata Letak",
            "pelaksana": pelaksana,
            "berkas": [],
            "kegiatan": kegiatan,
        }
    )


@pytest.mark.parametrize("name", sorted(GENERATED))
@pytest.mark.parametrize("available", [None, 70.0], ids=["one-page", "paginated"])
def test_generated_arrows_keep_clear(name, available):
    lanes, steps = GENERATED[name]
    sop = _generated(lanes, steps)
    lane_width = columns(lanes).lane
    pages = layout(sop, lane_width=lane_width, available=available)
    _assert_clear(sop, lane_width, pages, name)


def test_the_measure_sees_a_merge_and_a_border():
    """The checks themselves: two arrows on one stretch, and a run on a border, are reported."""
    from loket.sop.render.layout import Edge

    page = Page(rows=[], nodes=[])
    page.edges = [
        Edge(points=[(10.0, 0.0), (10.0, 20.0)]),
        Edge(points=[(10.0, 10.0), (10.0, 30.0)]),
        Edge(points=[(25.3, 0.0), (25.3, 5.0)]),
        Edge(points=[(0.0, 40.0), (20.0, 40.0)]),
        Edge(points=[(5.0, 41.0), (30.0, 41.0)]),
    ]
    found = problems(page, 2, 25.0)
    assert any("share a segment" in m for m in found)
    assert any("from a lane border" in m for m in found)
    assert any("arrows 3 and 4 run 1.00 mm apart" in m for m in found)
