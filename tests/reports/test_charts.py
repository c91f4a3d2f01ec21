"""The report's charts (issue 12, point 3): well-formed SVG carrying the plotted values, computed
from the tallies of the same steps as the step table, in the unit's local time, drawn safely.

The world is test_mutu_baku's `cases` (steps 2 and 5 of A, B, C with known minutes):

    step 2 (std 10): 4, 10, 12  -> <=50 %: 1 (4), <=100 %: 1 (10), <=150 %: 1 (12)
    step 5 (std 15): 20, 15, 6  -> <=50 %: 1 (6), <=100 %: 1 (15), <=150 %: 1 (20)
    steps 6, 8, 9 (std 5): 0 minutes, three each -> <=50 %: 3

so 15 measured steps, 13 within: 86.7 % in the one month of submission.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone
from lxml import etree

from loket.cases.models import Case, StepRun
from loket.reports import charts, figures, mutu_baku, series
from loket.reports.mutu_baku import ReportFilter
from loket.tallies.services import rebuild as retally
from tests.reports.test_mutu_baku import LATER, URL, cases
from tests.sop_factory import VERIFIER

__all__ = ["cases"]

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
WITA = zoneinfo.ZoneInfo("Asia/Makassar")


EVERYTHING = ReportFilter()


def _drawn(user, spec=EVERYTHING):  # type: ignore[no-untyped-def]
    steps = mutu_baku.step_rows(user, spec, now=LATER)
    data = figures.ChartData(steps, series.month_points(user, spec), series.hour_grid(user, spec))
    return {chart.key: chart for chart in figures.report_charts(data)}


def _parse(svg: str):  # type: ignore[no-untyped-def]
    root = etree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    assert root.find(f"{SVG}desc").text
    # nothing the page's Content-Security-Policy (style-src 'self') would refuse
    assert root.find(f".//{SVG}style") is None
    assert not [el for el in root.iter() if isinstance(el.tag, str) and el.get("style") is not None]
    return root


def _texts(root) -> list[str]:  # type: ignore[no-untyped-def]
    return [el.text for el in root.iter(f"{SVG}text")]


def _values(root) -> list[float]:  # type: ignore[no-untyped-def]
    return [float(el.get("data-value")) for el in root.iter(f"{SVG}rect") if el.get("data-value") is not None]


def test_the_step_table_counts_each_run_in_its_bucket_against_the_standard(service, cases):
    rows = {r.step: r for r in mutu_baku.step_rows(service.verifier, ReportFilter())}
    assert rows[2].buckets == (1, 1, 1, 0, 0)
    assert rows[5].buckets == (1, 1, 1, 0, 0)
    assert [rows[n].buckets for n in (6, 8, 9)] == [(3, 0, 0, 0, 0)] * 3
    # the first two buckets are `within`, the others `overdue`
    for row in rows.values():
        assert sum(row.buckets[:2]) == row.within and sum(row.buckets[2:]) == row.overdue


def test_the_bucket_edges_are_exact(service, cases):
    """50 %, 100 %, 150 % and 200 % of a 10-minute standard: 5, 10, 15, 20 minutes, each in the
    lower bucket; one minute more, in the next."""
    for case, minutes in zip(cases.values(), (5, 15, 20), strict=False):
        StepRun.objects.filter(case=case, step=2).update(working_minutes=minutes)
    retally()
    assert {r.step: r for r in mutu_baku.step_rows(service.verifier, ReportFilter())}[2].buckets == (1, 0, 1, 1, 0)
    for case, minutes in zip(cases.values(), (6, 11, 21), strict=False):
        StepRun.objects.filter(case=case, step=2).update(working_minutes=minutes)
    retally()
    assert {r.step: r for r in mutu_baku.step_rows(service.verifier, ReportFilter())}[2].buckets == (0, 1, 1, 0, 1)


def test_each_chart_is_well_formed_svg_with_the_plotted_values(service, cases):
    drawn = _drawn(service.verifier)
    assert list(drawn) == ["langkah", "bulan", "sebaran", "pelaksana", "jam"]
    for chart in drawn.values():
        _parse(chart.svg)

    steps = _parse(drawn["langkah"].svg)
    assert _values(steps) == pytest.approx([2 / 3, 2 / 3, 1, 1, 1])  # steps 2, 5, 6, 8, 9
    assert "66,7% (2/3)" in _texts(steps) and "100%" in _texts(steps)
    assert drawn["langkah"].rows[0][1:] == ["2", "3", "66,7%"]

    month = _parse(drawn["bulan"].svg)
    assert _values(month) == pytest.approx([13 / 15])
    assert "86,7%" in _texts(month)
    local = timezone.localdate(timezone=WITA)
    assert drawn["bulan"].rows == [[f"{figures.MONTHS[local.month - 1]} {local.year}", "13", "15", "86,7%"]]

    spread = _parse(drawn["sebaran"].svg)
    # step 2: one run in each of the first three buckets (drawn as thirds of its bar)
    assert _values(spread)[:3] == [1, 1, 1]
    assert drawn["sebaran"].rows[0][1:] == ["1", "1", "1", "0", "0", "3"]

    lanes = _parse(drawn["pelaksana"].svg)
    assert drawn["pelaksana"].rows == [[VERIFIER, "13", "2", "0", "1"]]  # step 2 of D is running
    assert sorted(_values(lanes)) == [2, 13]


def test_the_heat_map_counts_in_the_units_local_weekday_and_hour(service, cases):
    # Monday 2 March 2026, 09:15 WITA is 01:15 UTC; Sunday 1 March 23:30 WITA is 15:30 UTC.
    monday = dt.datetime(2026, 3, 2, 9, 15, tzinfo=WITA)
    sunday = dt.datetime(2026, 3, 1, 23, 30, tzinfo=WITA)
    StepRun.objects.filter(by__in=["staf", "sistem"], finished_at__isnull=False).update(finished_at=monday)
    StepRun.objects.filter(case=cases["A"], step=2).update(finished_at=sunday)
    retally()
    grid = series.hour_grid(service.verifier, ReportFilter())
    assert grid.counts == {(1, 9): 14, (7, 23): 1}
    assert grid.hours() == list(range(8, 24))  # the working hours 08-16 and the late step
    chart = _drawn(service.verifier)["jam"]
    root = _parse(chart.svg)
    assert "14" in _texts(root) and "Senin" in _texts(root) and "Minggu" in _texts(root)
    assert "WITA" in chart.description
    monday_row = next(r for r in chart.rows if r[0] == "Senin")
    assert monday_row[1 + grid.hours().index(9)] == "14"


def test_a_month_is_the_local_month_the_case_was_submitted(service, cases):
    # 31 January 23:30 WITA is still January there (15:30 UTC); 1 March 00:30 WITA is 28 Feb UTC.
    Case.objects.filter(pk=cases["A"].pk).update(created_at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=WITA))
    Case.objects.filter(pk=cases["B"].pk).update(created_at=dt.datetime(2026, 3, 1, 0, 30, tzinfo=WITA))
    Case.objects.filter(pk=cases["C"].pk).update(created_at=dt.datetime(2026, 3, 20, 10, 0, tzinfo=WITA))
    retally()
    points = series.month_points(service.verifier, ReportFilter(date_to=dt.date(2026, 3, 31)))
    assert [(p.month, p.measured, p.within) for p in points] == [
        (dt.date(2026, 1, 1), 5, 4),  # A: step 5 (20 > 15) over
        (dt.date(2026, 2, 1), 0, 0),  # no case: drawn as "—"
        (dt.date(2026, 3, 1), 10, 9),  # B: step 2 (12 > 10) over; C within
    ]
    root = _parse(_drawn(service.verifier, ReportFilter(date_to=dt.date(2026, 3, 31)))["bulan"].svg)
    assert {"Jan 2026", "Feb 2026", "Mar 2026", "—", "80%", "90%"} <= set(_texts(root))


def test_labels_are_escaped_and_coordinates_are_whole_numbers():
    label = '<script>alert("x")</script> & "kutip"'
    svg = charts.bar_chart(
        "uji",
        [charts.BarRow(label, (0.5,), note="50%")],
        [charts.Series("dalam", charts.BLUE)],
        title="Judul <b>",
        description="Isi & keterangan",
        maximum=1.0,
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = _parse(svg)
    assert root.get("aria-label") == "Judul <b>"
    shown = _texts(root)
    assert any(t.startswith("<script>alert") for t in shown)  # the text, shortened, not markup
    numbers = re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]+)"', svg)
    assert numbers and all(n.lstrip("-").isdigit() for n in numbers)


def test_no_data_is_said_not_drawn_empty(service):
    drawn = _drawn(service.verifier)
    for key in ("langkah", "bulan", "sebaran", "pelaksana"):
        root = _parse(drawn[key].svg)
        assert _values(root) == [] and _texts(root) and drawn[key].rows == []


def test_the_page_shows_each_chart_with_its_figures_as_a_table(client, service, cases):
    client.force_login(service.verifier)
    html = client.get(URL + "?langkah=2").content.decode()
    assert html.count('role="img"') == 5
    assert html.count('<div class="visually-hidden"><table class="chart-data">') == 5
    section = html[html.index('id="grafik"') :]
    assert "66,7% (2/3)" in section and '<th scope="row">' in section
    # the charts follow the filters: only step 2 is drawn
    root = etree.fromstring(re.search(r"<svg.*?</svg>", section, re.S).group(0).encode())  # type: ignore[union-attr]
    assert _values(root) == pytest.approx([2 / 3])
