"""The flowchart's geometry: every arrow avoids every symbol, and page breaks get connectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from loket.sop.load import load_file
from loket.sop.render.document import activity_pages, columns, row_height
from loket.sop.render.layout import Node, layout, row_specs

DEFINITIONS = sorted((Path(__file__).parents[2] / "src/loket/sop/definitions").glob("*.yaml"))


def _sop(path):
    loaded = load_file(path)
    assert loaded.sop is not None, loaded.violations
    return loaded.sop


def _crosses(p1, p2, node: Node, margin: float = 0.05) -> bool:
    """Whether an axis-parallel segment passes through the inside of a node's box."""
    (x1, y1), (x2, y2) = p1, p2
    left, right = node.cx - node.w / 2 + margin, node.cx + node.w / 2 - margin
    top, bottom = node.cy - node.h / 2 + margin, node.cy + node.h / 2 - margin
    if abs(x1 - x2) < 1e-9:  # vertical
        return left < x1 < right and min(y1, y2) < bottom and max(y1, y2) > top
    return top < y1 < bottom and min(x1, x2) < right and max(x1, x2) > left


def _pages(path):
    sop = _sop(path)
    cols = columns(len(sop.pelaksana))
    heights = [row_height(s, cols) for s in row_specs(sop)]
    return sop, layout(sop, lane_width=cols.lane, heights=heights, available=150.0)


def _assert_no_crossings(page, name: str) -> None:
    for edge in page.edges:
        start, end = edge.points[0], edge.points[-1]
        for a, b in zip(edge.points, edge.points[1:], strict=False):
            assert a[0] == pytest.approx(b[0]) or a[1] == pytest.approx(b[1]), f"diagonal segment {a}->{b}"
            for node in page.nodes:
                touches_own_end = any(
                    abs(px - node.cx) <= node.w / 2 + 0.01 and abs(py - node.cy) <= node.h / 2 + 0.01
                    for px, py in (start, end)
                )
                if touches_own_end and (a in (start, end) or b in (start, end)):
                    continue  # the segment that leaves or enters this very symbol
                assert not _crosses(a, b, node), f"{name}: segment {a}->{b} crosses {node.key}"


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_no_arrow_crosses_a_symbol(path):
    _, pages = _pages(path)
    for page in pages:
        _assert_no_crossings(page, path.stem)


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_every_step_has_one_symbol_in_its_lane(path):
    sop, pages = _pages(path)
    keys = [n.key for page in pages for n in page.nodes if n.shape != "offpage"]
    for k in sop.kegiatan:
        assert keys.count(f"s{k.no}") == 1
        node = next(n for page in pages for n in page.nodes if n.key == f"s{k.no}")
        assert node.lane == sop.pelaksana.index(k.pelaksana)
        assert node.shape == ("diamond" if k.keputusan else node.shape)


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_decisions_have_a_ya_and_a_tidak_arrow(path):
    sop, pages = _pages(path)
    labels = sorted(e.label for page in pages for e in page.edges if e.label)
    decisions = sum(1 for k in sop.kegiatan if k.keputusan)
    assert labels == sorted(["Ya", "Tidak"] * decisions)


def test_a_page_break_is_bridged_by_a_pair_of_offpage_connectors():
    path = next(p for p in DEFINITIONS if p.stem == "kkp-reset-admin-agency")
    sop, pages = _pages(path)
    assert len(pages) > 1
    connectors: dict[str, list[int]] = {}
    for i, page in enumerate(pages):
        for node in page.nodes:
            if node.shape == "offpage":
                connectors.setdefault(node.label, []).append(i)
    assert connectors, "no off-page connector drawn"
    for label, on_pages in connectors.items():
        assert len(on_pages) == 2 and on_pages[0] != on_pages[1], label


def test_one_page_needs_no_connector():
    sop, _ = _pages(DEFINITIONS[1])
    (page,) = layout(sop, lane_width=30.0)
    assert not [n for n in page.nodes if n.shape == "offpage"]


def test_start_and_end_are_capsules():
    sop = _sop(next(p for p in DEFINITIONS if p.stem == "kaltim-reset-ppk"))
    (page,) = layout(sop, lane_width=30.0)
    by_key = {n.key: n for n in page.nodes}
    assert (by_key["s1"].shape, by_key["s1"].label) == ("capsule", "Mulai")
    assert (by_key["s7"].shape, by_key["s7"].label) == ("capsule", "Selesai")  # refusal ends the flow
    assert (by_key["s9"].shape, by_key["s9"].label) == ("capsule", "Selesai")
    assert by_key["s2"].shape == "diamond" and by_key["s6"].shape == "rect"


def test_a_first_step_that_is_a_decision_gets_a_start_terminator_of_its_own():
    sop = _sop(next(p for p in DEFINITIONS if p.stem == "kkp-reset-admin-agency"))
    specs = row_specs(sop)
    assert [s.kind for s in specs[:2]] == ["start", "step"]
    _, pages = activity_pages(sop)
    assert pages[0][0].step is None  # the start row carries no text


@pytest.mark.parametrize("lanes", range(1, 9))
def test_the_columns_fill_the_page_width_for_any_number_of_lanes(lanes):
    from loket.sop.render.document import CONTENT_W

    cols = columns(lanes)
    widths = [cols.no, cols.kegiatan, cols.lane * lanes, cols.kelengkapan, cols.waktu, cols.output, cols.keterangan]
    assert all(w > 0 for w in widths)
    assert sum(widths) == pytest.approx(CONTENT_W, abs=0.05)
    assert cols.kelengkapan + cols.keterangan >= 49.9


def test_an_sop_with_seven_lanes_is_drawn_without_crossings():
    sop = _sop(next(p for p in DEFINITIONS if p.stem == "kkp-reset-admin-agency"))
    lanes = [*sop.pelaksana, "Kepala LPSE", "Pimpinan Instansi", "Verifikator"]
    steps = [k.model_copy(update={"pelaksana": lanes[(k.no * 3) % 7]}) for k in sop.kegiatan]
    wide = sop.model_copy(update={"pelaksana": lanes, "kegiatan": steps})
    cols = columns(7)
    (page,) = layout(wide, lane_width=cols.lane)
    _assert_no_crossings(page, "seven lanes")
