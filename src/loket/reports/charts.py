"""Charts as SVG, drawn on the server from figures already computed: plain functions, data in,
an SVG string out (no Django, no chart library), so that the page and the monthly PDF show the
very same drawing.

Why plain SVG and not a library: the five charts are bars, stacked bars and a grid of cells,
a few dozen lines each; a library (pygal is the usual one for server-side SVG) would bring its
own styles, which it writes as a `<style>` element and `style=` attributes that the pages'
Content-Security-Policy (`style-src 'self'`) refuses, and its own scripts for tooltips. Here
every colour, size and font is a presentation attribute (`fill`, `stroke`, `font-size`), which
the policy allows and WeasyPrint draws, and the page's stylesheet may still override them.

What every chart carries (accessibility): `role="img"` with an `aria-label` (the title), a
`<title>` and a `<desc>` (one sentence on what is shown); each bar or cell its own `<title>`
("label: value") and `data-value` (the plotted number), and the value written beside it. The
page adds the figures again as a table (`Chart.columns`/`rows`) for screen readers. Every text
is escaped (`html.escape`), labels included; coordinates are whole numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "DejaVu Sans, Verdana, sans-serif"
FONT_SIZE = 12
CHAR_WIDTH = 7  # an estimate of one character's width at FONT_SIZE, for laying out labels
INK = "#1c2430"
MUTED = "#5b6675"
GRID = "#d5dae1"
REFERENCE = "#1c2430"
WIDTH = 680
LABEL_MAX = 38  # characters of a bar's label shown; the whole label is in its <title>

# Colours: a blue for "within", an orange for "over" (told apart without red/green), and a
# sequence from dark blue to dark orange for the distribution against the standard.
BLUE = "#0b5cab"
ORANGE = "#c2410c"
GREY = "#8a94a3"
SEQUENCE = ("#0b5cab", "#6fa8dc", "#f6b26b", "#e06c1f", "#8c2d04")
HEAT = ("#f3f6fa", "#d6e4f3", "#a9c8e8", "#6fa8dc", "#3a7fc4", "#0b5cab")


@dataclass(frozen=True)
class Series:
    """One segment kind of a stacked bar: its legend label, fill and the colour of text on it."""

    label: str
    color: str
    text_color: str = "#fff"


@dataclass(frozen=True)
class BarRow:
    """One horizontal bar: its label, one value per series, the text at its end."""

    label: str
    values: tuple[float, ...]
    note: str = ""
    texts: tuple[str, ...] = ()  # the text shown on each segment (where it fits) and in its title


@dataclass(frozen=True)
class Column:
    """One vertical bar of a column chart: None draws no bar (nothing measured)."""

    label: str
    value: float | None
    note: str = ""


@dataclass
class Chart:
    """A drawn chart and its text alternative (the same figures as a table)."""

    key: str
    title: str
    description: str
    svg: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


# -- pieces ---------------------------------------------------------------------------------------


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT_SIZE, fill: str = INK, bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{round(x)}" y="{round(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{weight}>'
        f"{escape(text)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, *, value: float | None = None, title: str = "") -> str:
    data = f' data-value="{value:g}"' if value is not None else ""
    inner = f"<title>{escape(title)}</title>" if title else ""
    return f'<rect x="{round(x)}" y="{round(y)}" width="{max(round(w), 0)}" height="{round(h)}" fill="{fill}"{data}>{inner}</rect>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, *, width: int = 1, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="{round(x1)}" y1="{round(y1)}" x2="{round(x2)}" y2="{round(y2)}" stroke="{stroke}" stroke-width="{width}"{dashed}/>'


def number(value: float) -> str:
    """A figure as Indonesian text: whole numbers without a fraction, else one decimal with a comma."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def percent(share: float | None) -> str:
    """A share (0..1) as "66,7%"; "—" for none."""
    return "—" if share is None else number(round(share * 100, 1)) + "%"


def _short(label: str, limit: int = LABEL_MAX) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(key: str, title: str, description: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'aria-describedby="chart-{escape(key)}-desc" font-family="{FONT}" font-size="{FONT_SIZE}">'
        f'<title>{escape(title)}</title><desc id="chart-{escape(key)}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _legend(series: Sequence[Series], y: float, x: float = 0) -> tuple[list[str], float]:
    """The legend on one or more lines from (x, y); returns its parts and the y below it."""
    parts, cx, cy = [], x, y
    for s in series:
        need = 18 + len(s.label) * CHAR_WIDTH + 16
        if cx > x and cx + need > WIDTH:
            cx, cy = x, cy + 20
        parts.append(_rect(cx, cy, 12, 12, s.color))
        parts.append(_text(cx + 18, cy + 11, s.label))
        cx += need
    return parts, cy + 24


def _empty(key: str, title: str, description: str, message: str) -> str:
    return _svg(key, title, description, WIDTH, 40, [_text(0, 24, message, fill=MUTED)])


# -- horizontal (stacked) bars --------------------------------------------------------------------


def bar_chart(
    key: str,
    rows: Sequence[BarRow],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    maximum: float | None = None,
    ticks: Sequence[tuple[float, str]] = (),
    reference: tuple[float, str] | None = None,
    normalise: bool = False,
    empty: str = "",
) -> str:
    """Horizontal bars, one per row, each stacked from its series' values.

    `maximum` is the value at the right end of the scale (default: the largest bar);
    `normalise` draws every bar as 100 % of its own total (a distribution); `ticks` are the
    scale's gridlines with their labels; `reference` a marked line (e.g. the standard's 100 %).
    """
    if not rows:
        return _empty(key, title, description, empty)
    label_width = min(LABEL_MAX, max(len(_short(r.label)) for r in rows)) * CHAR_WIDTH + 8
    note_width = max([len(r.note) for r in rows] + [0]) * CHAR_WIDTH + 12
    x0, x1 = label_width, WIDTH - note_width
    span = x1 - x0
    top = 0.0
    body: list[str] = []
    if len(series) > 1:
        legend, top = _legend(series, 0)
        body += legend
    if reference is not None:
        top += 16  # room for the reference line's label
    row_height, bar_height = 24, 16
    totals = [sum(r.values) for r in rows]
    scale = maximum if maximum else max(totals + [1])
    bottom = top + row_height * len(rows)
    for value, label in ticks:
        x = x0 + span * min(value / scale, 1)
        body.append(_line(x, top, x, bottom, GRID))
        body.append(_text(x, bottom + 14, label, anchor="middle", fill=MUTED, size=11))
    for i, row in enumerate(rows):
        y = top + i * row_height + (row_height - bar_height) / 2
        parts = [f"<g><title>{escape(row.label)}: {escape(row.note)}</title>"]
        parts.append(_text(x0 - 8, y + bar_height - 3, _short(row.label), anchor="end"))
        total = totals[i]
        x = x0
        for j, value in enumerate(row.values):
            share = (value / total if total else 0) if normalise else value / scale
            width = span * min(share, 1)
            text = row.texts[j] if j < len(row.texts) else ""
            tip = f"{series[j].label}: {text or number(value)}"
            if value:
                parts.append(_rect(x, y, width, bar_height, series[j].color, value=value, title=tip))
                if text and width >= len(text) * CHAR_WIDTH + 6:
                    parts.append(
                        _text(
                            x + width / 2, y + bar_height - 4, text, anchor="middle", size=11, fill=series[j].text_color
                        )
                    )
            x += width
        if row.note:
            parts.append(_text(x + 6, y + bar_height - 3, row.note))
        parts.append("</g>")
        body.append("".join(parts))
    if reference is not None:
        value, label = reference
        x = x0 + span * min(value / scale, 1)
        body.append(_line(x, top - 4, x, bottom, REFERENCE, width=2, dash="4 3"))
        body.append(_text(x, top - 6, label, anchor="end", size=11))
    height = bottom + (22 if ticks else 6)
    return _svg(key, title, description, WIDTH, int(height), body)


# -- vertical bars --------------------------------------------------------------------------------


def column_chart(
    key: str,
    columns: Sequence[Column],
    *,
    title: str,
    description: str,
    maximum: float,
    ticks: Sequence[tuple[float, str]] = (),
    reference: tuple[float, str] | None = None,
    color: str = BLUE,
    empty: str = "",
) -> str:
    """Vertical bars, one per column (e.g. per month), the value written above each."""
    if not columns:
        return _empty(key, title, description, empty)
    left, top, plot_height = 44, 22, 170
    span = WIDTH - left - 8
    step = span / len(columns)
    bar = max(min(48.0, step - 8), 4.0)
    base = top + plot_height
    every = max(1, round(len(columns) * 56 / span))  # a label every n-th column when they crowd
    body: list[str] = []
    for value, label in ticks:
        y = base - plot_height * min(value / maximum, 1)
        body.append(_line(left, y, WIDTH - 8, y, GRID))
        body.append(_text(left - 6, y + 4, label, anchor="end", fill=MUTED, size=11))
    body.append(_line(left, base, WIDTH - 8, base, MUTED))
    for i, col in enumerate(columns):
        cx = left + step * i + step / 2
        parts = [f"<g><title>{escape(col.label)}: {escape(col.note or '—')}</title>"]
        if col.value is not None:
            h = plot_height * min(col.value / maximum, 1)
            parts.append(_rect(cx - bar / 2, base - h, bar, h, color, value=col.value))
            if step >= len(col.note) * 6:
                parts.append(_text(cx, base - h - 5, col.note, anchor="middle", size=11))
        else:
            parts.append(_text(cx, base - 5, "—", anchor="middle", fill=MUTED, size=11))
        if i % every == 0:
            parts.append(_text(cx, base + 16, col.label, anchor="middle", size=11))
        parts.append("</g>")
        body.append("".join(parts))
    if reference is not None:
        value, label = reference
        y = base - plot_height * min(value / maximum, 1)
        body.append(_line(left, y, WIDTH - 8, y, REFERENCE, width=2, dash="4 3"))
        body.append(_text(WIDTH - 8, y - 4, label, anchor="end", size=11))
    return _svg(key, title, description, WIDTH, int(base + 26), body)


# -- a grid of cells ------------------------------------------------------------------------------


def heat_map(
    key: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[int]],
    *,
    title: str,
    description: str,
    axis: str = "",
    cell_title: str = "{row} {column}: {value}",
) -> str:
    """Cells shaded by their count (darker: more), the count written in each that has one."""
    left = max(len(label) for label in row_labels) * CHAR_WIDTH + 10
    top = 20 if axis else 2
    cell = max(20, min(44, (WIDTH - left) // max(len(column_labels), 1)))
    height = 26
    biggest = max([v for row in values for v in row] + [0])
    body: list[str] = []
    if axis:
        body.append(_text(left, 13, axis, fill=MUTED, size=11))
    for j, label in enumerate(column_labels):
        body.append(_text(left + cell * j + cell / 2, top + 12, label, anchor="middle", size=11, fill=MUTED))
    y0 = top + 18
    for i, label in enumerate(row_labels):
        y = y0 + i * height
        body.append(_text(left - 8, y + height / 2 + 4, label, anchor="end"))
        for j, column in enumerate(column_labels):
            value = values[i][j]
            level = 0 if not value else 1 + min(len(HEAT) - 2, int((len(HEAT) - 1) * value / (biggest + 1)))
            fill = HEAT[level]
            tip = cell_title.format(row=label, column=column, value=value)
            body.append(_rect(left + cell * j + 1, y + 1, cell - 2, height - 2, fill, value=value, title=tip))
            if value:
                ink = "#fff" if level >= 4 else INK
                size = 10 if len(str(value)) > 2 else 11
                body.append(
                    _text(
                        left + cell * j + cell / 2, y + height / 2 + 4, str(value), anchor="middle", size=size, fill=ink
                    )
                )
    width = left + cell * len(column_labels) + 2
    return _svg(key, title, description, max(int(width), 200), int(y0 + height * len(row_labels) + 4), body)
