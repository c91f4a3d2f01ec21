"""Drawing a laid-out flowchart as SVG: the five official symbols, arrows and their labels.

`page_elements` draws one page's symbols and arrows (user units are millimetres); the official
document cuts it into one picture per table cell. `render_svg` is the flowchart alone, with its
swimlanes labelled, as a standalone file.
"""

from __future__ import annotations

from html import escape

from ..model import Sop
from .layout import Edge, Node, Page, layout
from .text import FONT_FAMILY

STROKE = 'stroke="#000" stroke-width="0.3" fill="none"'
SHAPE = 'stroke="#000" stroke-width="0.3" fill="#fff"'
ARROW = 1.6  # arrowhead length, mm


def _node(n: Node) -> str:
    x, y, w, h = n.cx - n.w / 2, n.cy - n.h / 2, n.w, n.h
    if n.shape == "capsule":
        body = f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" rx="{h / 2:.2f}" {SHAPE}/>'
    elif n.shape == "rect":
        body = f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" {SHAPE}/>'
    elif n.shape == "diamond":
        pts = [(n.cx, y), (x + w, n.cy), (n.cx, y + h), (x, n.cy)]
        body = f'<polygon points="{_pts(pts)}" {SHAPE}/>'
    else:  # off-page connector: a pentagon pointing down
        pts = [(x, y), (x + w, y), (x + w, y + h * 0.55), (n.cx, y + h), (x, y + h * 0.55)]
        body = f'<polygon points="{_pts(pts)}" {SHAPE}/>'
    if n.label:
        size = 2.3 if n.shape == "capsule" else 2.6
        dy = -n.h * 0.1 if n.shape == "offpage" else 0.0
        body += (
            f'<text x="{n.cx:.2f}" y="{n.cy + dy + size * 0.35:.2f}" font-size="{size}" text-anchor="middle" '
            f'font-family="{FONT_FAMILY}">{escape(n.label)}</text>'
        )
    return body


def _pts(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def _edge(e: Edge) -> str:
    (x1, y1), (x2, y2) = e.points[-2], e.points[-1]
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    ux, uy = dx / length, dy / length
    bx, by = x2 - ux * ARROW, y2 - uy * ARROW
    head = [
        (x2, y2),
        (bx - uy * ARROW * 0.45, by + ux * ARROW * 0.45),
        (bx + uy * ARROW * 0.45, by - ux * ARROW * 0.45),
    ]
    shaft = e.points[:-1] + [(bx, by)]
    out = f'<polyline points="{_pts(shaft)}" {STROKE}/><polygon points="{_pts(head)}" fill="#000"/>'
    if e.label:
        lx, ly = e.label_at
        out += (
            f'<text x="{lx:.2f}" y="{ly:.2f}" font-size="2.1" text-anchor="{e.label_anchor}" '
            f'font-family="{FONT_FAMILY}" font-style="italic">{escape(e.label)}</text>'
        )
    return out


def page_elements(page: Page) -> str:
    """The arrows first, then the symbols over them, so that a symbol's outline is never hidden."""
    return "".join(_edge(e) for e in page.edges) + "".join(_node(n) for n in page.nodes)


def render_svg(sop: Sop, *, lane_width: float = 38.0) -> str:
    """The flowchart alone: lane headings on top, step numbers on the left, symbols numbered."""
    (page,) = layout(sop, lane_width=lane_width, numbered=True)
    head, left = 12.0, 10.0
    width, height = left + page.width, head + page.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1f}mm" height="{height:.1f}mm" '
        f'viewBox="0 0 {width:.2f} {height:.2f}" font-family="{FONT_FAMILY}">',
        f"<title>{escape(sop.nomor)} — {escape(sop.nama)}</title>",
        f'<rect x="0" y="0" width="{width:.2f}" height="{height:.2f}" fill="#fff"/>',
        f'<rect x="0" y="0" width="{width:.2f}" height="{head:.2f}" fill="#eee" stroke="#000" stroke-width="0.3"/>',
        f'<text x="{left / 2:.2f}" y="{head / 2 + 1:.2f}" font-size="2.8" text-anchor="middle" font-weight="bold">No</text>',
    ]
    for i, lane in enumerate(sop.pelaksana):
        x = left + i * lane_width
        parts.append(f'<line x1="{x:.2f}" y1="0" x2="{x:.2f}" y2="{height:.2f}" {STROKE}/>')
        parts.append(
            f'<text x="{x + lane_width / 2:.2f}" y="{head / 2 + 1:.2f}" font-size="3" text-anchor="middle" '
            f'font-weight="bold">{escape(lane)}</text>'
        )
    for row in page.rows:
        y = head + row.y
        parts.append(
            f'<line x1="0" y1="{y + row.h:.2f}" x2="{width:.2f}" y2="{y + row.h:.2f}" stroke="#bbb" stroke-width="0.2"/>'
        )
        if row.spec and row.spec.step:
            parts.append(
                f'<text x="{left / 2:.2f}" y="{y + row.h / 2 + 1:.2f}" font-size="2.8" text-anchor="middle">'
                f"{row.spec.step.no}</text>"
            )
    parts.append(f'<rect x="0" y="0" width="{width:.2f}" height="{height:.2f}" {STROKE}/>')
    parts.append(f'<g transform="translate({left:.2f} {head:.2f})">{page_elements(page)}</g>')
    parts.append("</svg>")
    return "".join(parts)
