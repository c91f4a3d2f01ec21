"""The five charts of the mutu baku report, from the report's rows and `series`' aggregates: each
a drawn SVG (`charts`) and the same figures as a small table, its text alternative. The page and
the monthly PDF both call `report_charts`, so they show the same drawings.

(a) the share within the standard per step, (b) the same per local month of submission, (c) the
distribution of working minutes against the standard per step (<= 50 %, <= 100 %, <= 150 %,
<= 200 %, > 200 % of it), (d) the load per lane (finished steps, within and over the standard),
(e) the load per weekday and hour (finished steps, local time of the case's unit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from loket.units.services import zone_label

from . import charts
from .charts import BarRow, Chart, Column, Series, number, percent
from .mutu_baku import StepRow
from .series import HourGrid, MonthPoint

MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
SHARE_TICKS = [(0.0, "0%"), (0.25, "25%"), (0.5, "50%"), (0.75, "75%"), (1.0, "100%")]


@dataclass
class ChartData:
    """What the charts are drawn from: the step table's rows and the two aggregates of `series`."""

    steps: list[StepRow]
    months: list[MonthPoint]
    hours: HourGrid
    several_units: bool = False

    @property
    def several_sops(self) -> bool:
        return len({s.sop.pk for s in self.steps}) > 1

    def label(self, s: StepRow) -> str:
        return step_label(s, several_units=self.several_units, several_sops=self.several_sops)


def month_label(month, *, short: bool = True) -> str:  # type: ignore[no-untyped-def]
    names = MONTHS_SHORT if short else MONTHS
    return f"{names[month.month - 1]} {month.year}"


def step_label(s: StepRow, *, several_units: bool, several_sops: bool = True) -> str:
    """A step as a chart names it: "2. Meneliti ...", after its SOP version where the chart shows
    several, and its unit where it shows several units."""
    unit = f"{s.unit.kode} · " if several_units else ""
    sop = f"{s.sop.kode} v{s.sop.versi} · " if several_sops or several_units else ""
    return f"{unit}{sop}{s.step}. {s.uraian}"


def bucket_labels() -> list[str]:
    return [
        _("≤ 50% mutu baku"),
        _("50–100%"),
        _("100–150%"),
        _("150–200%"),
        _("> 200%"),
    ]


def _share_per_step(data: ChartData) -> Chart:
    title = _("Dalam mutu baku per langkah")
    desc = _(
        "Batang mendatar: bagian langkah selesai yang menit kerjanya paling lama sama dengan mutu baku, "
        "per langkah; garis putus-putus: 100%."
    )
    measured = [s for s in data.steps if s.share_within is not None]
    rows = [
        BarRow(
            data.label(s),
            (s.share_within or 0,),
            note=f"{percent(s.share_within)} ({s.within}/{s.count})",
        )
        for s in measured
    ]
    svg = charts.bar_chart(
        "langkah",
        rows,
        [Series(_("dalam mutu baku"), charts.BLUE)],
        title=title,
        description=desc,
        maximum=1.0,
        ticks=SHARE_TICKS,
        reference=(1.0, "100%"),
        empty=_("Belum ada langkah selesai yang bermutu baku."),
    )
    return Chart(
        "langkah",
        title,
        desc,
        svg,
        [_("langkah"), _("dalam mutu baku"), _("jumlah selesai"), _("dalam mutu baku (%)")],
        [[r.label, str(s.within), str(s.count), percent(s.share_within)] for r, s in zip(rows, measured, strict=True)],
    )


def _share_per_month(data: ChartData) -> Chart:
    title = _("Dalam mutu baku per bulan")
    desc = _(
        "Batang tegak: bagian langkah selesai dalam mutu baku, per bulan pengajuan permohonan (waktu setempat unit)."
    )
    columns = [
        Column(month_label(m.month), m.share, note=percent(m.share) if m.share is not None else "") for m in data.months
    ]
    svg = charts.column_chart(
        "bulan",
        columns,
        title=title,
        description=desc,
        maximum=1.0,
        ticks=SHARE_TICKS,
        reference=(1.0, "100%"),
        empty=_("Belum ada langkah selesai yang bermutu baku."),
    )
    return Chart(
        "bulan",
        title,
        desc,
        svg,
        [_("bulan"), _("dalam mutu baku"), _("jumlah selesai"), _("dalam mutu baku (%)")],
        [[month_label(m.month, short=False), str(m.within), str(m.measured), percent(m.share)] for m in data.months],
    )


def _distribution(data: ChartData) -> Chart:
    title = _("Sebaran menit kerja terhadap mutu baku")
    desc = _(
        "Per langkah, batang 100%: berapa langkah selesai dalam 50%, 100%, 150%, 200% mutu bakunya, dan lebih dari 200%."
    )
    labels = bucket_labels()
    measured = [s for s in data.steps if s.standard is not None and sum(s.buckets) > 0]
    rows = [
        BarRow(
            data.label(s),
            tuple(float(n) for n in s.buckets),
            note=str(sum(s.buckets)),
            texts=tuple(str(n) if n else "" for n in s.buckets),
        )
        for s in measured
    ]
    series = [
        Series(label, color, "#fff" if i in (0, 3, 4) else charts.INK)
        for i, (label, color) in enumerate(zip(labels, charts.SEQUENCE, strict=True))
    ]
    svg = charts.bar_chart(
        "sebaran",
        rows,
        series,
        title=title,
        description=desc,
        normalise=True,
        maximum=1.0,
        ticks=SHARE_TICKS,
        empty=_("Belum ada langkah selesai yang bermutu baku."),
    )
    return Chart(
        "sebaran",
        title,
        desc,
        svg,
        [_("langkah"), *labels, _("jumlah selesai")],
        [[r.label, *(str(n) for n in s.buckets), str(sum(s.buckets))] for r, s in zip(rows, measured, strict=True)],
    )


def _per_lane(data: ChartData) -> Chart:
    title = _("Beban per pelaksana")
    desc = _("Batang mendatar: langkah selesai per pelaksana, dalam dan melewati mutu baku.")
    lanes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for s in data.steps:
        key = f"{s.unit.kode} · {s.lane}" if data.several_units else s.lane
        lanes[key][0] += s.within
        lanes[key][1] += s.overdue
        lanes[key][2] += s.count - s.within - s.overdue  # finished, no standard
        lanes[key][3] += s.running
    names = sorted(lanes, key=lambda k: (-(lanes[k][0] + lanes[k][1] + lanes[k][2]), k))
    names = [k for k in names if sum(lanes[k][:3])]
    series = [
        Series(_("dalam mutu baku"), charts.BLUE),
        Series(_("melewati mutu baku"), charts.ORANGE),
        Series(_("tanpa mutu baku"), charts.GREY),
    ]
    kinds = 3 if any(lanes[k][2] for k in names) else 2  # "tanpa mutu baku" only where there is any
    rows = [
        BarRow(
            k,
            tuple(float(v) for v in lanes[k][:kinds]),
            note=str(sum(lanes[k][:3])),
            texts=tuple(str(v) if v else "" for v in lanes[k][:kinds]),
        )
        for k in names
    ]
    biggest = max([sum(lanes[k][:3]) for k in names] + [1])
    svg = charts.bar_chart(
        "pelaksana",
        rows,
        series[:kinds],
        title=title,
        description=desc,
        maximum=float(biggest),
        ticks=_count_ticks(biggest),
        empty=_("Belum ada langkah selesai."),
    )
    return Chart(
        "pelaksana",
        title,
        desc,
        svg,
        [_("pelaksana"), _("dalam mutu baku"), _("melewati mutu baku"), _("tanpa mutu baku"), _("berjalan")],
        [[k, *(str(v) for v in lanes[k])] for k in names],
    )


def _count_ticks(biggest: int) -> list[tuple[float, str]]:
    """Four or five round gridlines from 0 to at least `biggest`."""
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000):
        step = candidate
        if biggest / candidate <= 5:
            break
    else:
        step = max(1, biggest // 5)
    ticks, value = [], 0
    while value <= biggest:
        ticks.append((float(value), number(value)))
        value += step
    return ticks


def _per_hour(data: ChartData) -> Chart:
    grid = data.hours
    zones = "/".join(zone_label(z) for z in grid.zones) or "—"
    title = _("Beban per hari dan jam")
    desc = _("Kotak per hari dan jam (waktu setempat %(zones)s): langkah selesai; makin gelap, makin banyak.") % {
        "zones": zones
    }
    hours = grid.hours()
    days = list(range(1, 8))
    values = [[grid.counts.get((d, h), 0) for h in hours] for d in days]
    svg = charts.heat_map(
        "jam",
        WEEKDAYS,
        [f"{h:02d}" for h in hours],
        values,
        title=title,
        description=desc,
        axis=_("jam mulai (waktu setempat %(zones)s)") % {"zones": zones},
        cell_title=_("{row} jam {column}: {value} langkah"),
    )
    return Chart(
        "jam",
        title,
        desc,
        svg,
        [_("hari"), *[f"{h:02d}" for h in hours]],
        [[WEEKDAYS[d - 1], *(str(v) for v in values[i])] for i, d in enumerate(days)],
    )


def report_charts(data: ChartData) -> list[Chart]:
    """The five charts, in the order the page and the PDF show them."""
    return [_share_per_step(data), _share_per_month(data), _distribution(data), _per_lane(data), _per_hour(data)]
