"""The reports' tallies (loket.tallies): what the services count as steps finish is exactly what
the steps hold, read back as the same figures a query over the steps gives.

The cases run through the real services on a test SOP (unit `uji`, WITA, 08:00-16:00) on a
clock this module moves: requests handed in at various local times (one on a Friday afternoon,
answered on Monday morning, so the weekend is not counted; one late in the evening, counted on
the next local day), staff answering after various working minutes. The figures the tallies give
are then compared with the same figures computed here from the StepRun rows themselves.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict
from fractions import Fraction
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from loket.calendar.units import calendar_for
from loket.cases.models import StepRun
from loket.cases.services import Decision, StepAnswer, decide
from loket.catalog.selectors import parsed
from loket.reports.mutu_baku import ReportFilter
from loket.tallies import selectors
from loket.tallies.models import HourTally, StepTally
from loket.tallies.selectors import percentile
from loket.tallies.services import rebuild
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
# (handed in, local WITA; minutes after which staff answer step 2, then step 5; agency index)
PLAN = [
    (dt.datetime(2026, 11, 6, 15, 30), 0, 7, 0),  # Friday 15:30, answered Monday 08:20
    (dt.datetime(2026, 11, 9, 9, 0), 4, 20, 0),
    (dt.datetime(2026, 11, 9, 10, 0), 12, 15, 1),
    (dt.datetime(2026, 11, 10, 22, 45), 10, 6, 1),  # late evening: a working day's start next day
    (dt.datetime(2026, 11, 11, 8, 5), 3, 31, 0),
]


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now


def _answer(case, actor, no):  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    step = parsed(case.sop).step(no)
    ticked = list(range(len(step.kelengkapan))) if step.aksi == "periksa-kelengkapan" else []
    decide(
        case_id=case.pk,
        actor=actor,
        version=case.version,
        decision=Decision(answers=[StepAnswer(no, "ya", "")], values={"kelengkapan": ticked}),
    )


@pytest.fixture
def world(service):  # type: ignore[no-untyped-def]
    clock = Clock(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    agencies = list(service.agencies)
    cases = []
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        for handed_in, after_two, after_five, agency_index in PLAN:
            clock.now = handed_in.replace(tzinfo=WITA).astimezone(dt.UTC)
            agency = agencies[agency_index]
            case = submit(service, service.accounts[agency]).case
            calendar_add = calendar_for(service.unit).add
            verifier = service.staff_of(next(lane for lane, ag in service.staff if ag == agency), agency)
            if handed_in.weekday() == 4:  # the Friday case: answered on Monday 08:20
                clock.now = dt.datetime(2026, 11, 9, 8, 20, tzinfo=WITA).astimezone(dt.UTC)
            else:
                clock.now = calendar_add(clock.now, after_two)
            _answer(case, verifier, 2)
            clock.now = calendar_add(clock.now, after_five)
            _answer(case, verifier, 5)
            cases.append(case)
    return cases


def _oracle(user_runs):  # type: ignore[no-untyped-def]
    """The figures per (unit, sop, step, lane) computed here from the steps themselves."""
    groups = defaultdict(list)
    standards = {}
    for run in user_runs:
        key = (run.case.unit_id, run.case.sop_id, run.step, run.lane)
        groups[key].append(run.working_minutes)
        standards[key] = run.standard_minutes
    out = {}
    for key, values in groups.items():
        values.sort()
        std = standards[key]
        # statistics.quantiles(method="inclusive") is the continuous percentile (percentile_cont)
        p90 = statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]
        out[key] = (
            len(values),
            _r(statistics.median(values)),
            _r(p90),
            sum(v <= std for v in values) if std is not None else 0,
            sum(v > std for v in values) if std is not None else 0,
        )
    return out


def _figures(user, spec=None):  # type: ignore[no-untyped-def]
    got = selectors.step_figures(user, spec or ReportFilter())
    return {
        key: (f.count, _r(f.percentile(Fraction(1, 2))), _r(f.percentile(Fraction(9, 10))), f.within, f.overdue)
        for key, f in got.items()
    }


def _r(value):  # type: ignore[no-untyped-def]
    return round(float(value), 6)


def _staff_runs(**filters):  # type: ignore[no-untyped-def]
    return StepRun.objects.filter(by__in=["staf", "sistem"], finished_at__isnull=False, **filters).select_related(
        "case"
    )


def test_the_tallies_give_the_figures_of_the_steps_themselves(service, world, superuser):
    two = {r.case_id: r.working_minutes for r in StepRun.objects.filter(step=2)}
    # The Friday case: 30 minutes on Friday and 20 on Monday, none over the weekend.
    assert two[world[0].pk] == 50
    # The evening case: counted from 08:00 the next morning.
    assert two[world[3].pk] == 10
    expected = _oracle(_staff_runs())
    assert _figures(superuser) == expected
    assert expected[(service.unit.pk, service.version.pk, 2, next(iter(service.staff))[0])][0] == len(PLAN)


def test_the_requester_waits_and_the_hours_are_counted_too(service, world, superuser):
    waits = selectors.wait_figures(superuser, ReportFilter())
    assert sum(f.count for f in waits.values()) == len(PLAN)  # step 1 of each case
    hours = selectors.hour_counts(superuser, ReportFilter())
    assert sum(hours.values()) == _staff_runs().count()
    # The Friday case's step 2 finished on Monday (ISO 1) at 08:20 local.
    assert hours.get((1, 8), 0) >= 1


def test_the_period_is_the_local_day_of_submission(service, world, superuser):
    # The evening case was handed in on 10 November 22:45 WITA (14:45 UTC): it is in the 10th.
    only_tenth = ReportFilter(date_from=dt.date(2026, 11, 10), date_to=dt.date(2026, 11, 10))
    counted = sum(f.count for f in selectors.step_figures(superuser, only_tenth).values())
    assert counted == _staff_runs(case=world[3]).count() > 0
    months = selectors.month_points(superuser, ReportFilter())
    assert list(months) == [dt.date(2026, 11, 1)]


def test_an_agency_scoped_verifier_sees_only_their_agency(service, world):
    lane, agency = next((lane, ag) for lane, ag in service.staff if ag)
    verifier = service.staff_of(lane, agency)
    mine = [c for c in world if c.agency.name == agency]
    assert _figures(verifier) == _oracle(_staff_runs(case__in=mine))
    assert len(mine) < len(world)


def test_an_outsider_and_a_stranger_see_nothing(service, world, outsider):
    assert selectors.step_figures(outsider, ReportFilter()) == {}
    assert selectors.step_figures(None, ReportFilter()) == {}


def test_a_rebuild_gives_the_same_tallies_as_counting_on_the_way(world):
    def snapshot(model):  # type: ignore[no-untyped-def]
        return sorted(model.objects.values_list("key", "n"))

    before = snapshot(StepTally), snapshot(HourTally)
    assert rebuild() == StepRun.objects.filter(finished_at__isnull=False).count()
    assert (snapshot(StepTally), snapshot(HourTally)) == before


def test_the_check_command_tells_a_drift_and_rebuild_mends_it(world):
    out = StringIO()
    call_command("tally", "check", stdout=out)
    assert "BEDA" not in out.getvalue() and "sama" in out.getvalue()
    StepTally.objects.filter(pk=StepTally.objects.order_by("pk").first().pk).delete()
    out = StringIO()
    call_command("tally", "check", stdout=out)
    assert "BEDA" in out.getvalue() and "loket tally rebuild" in out.getvalue()
    call_command("tally", "rebuild", stdout=StringIO())
    out = StringIO()
    call_command("tally", "check", stdout=out)
    assert "BEDA" not in out.getvalue()


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([4, 10, 12], Fraction(1, 2), 10),
        ([4, 10, 12], Fraction(9, 10), 11.6),
        ([1, 2, 4, 6], Fraction(9, 10), 5.4),
        ([1, 2, 4, 6], Fraction(1, 2), 3),
        ([7], Fraction(9, 10), 7),
        ([5, 5, 5, 9], Fraction(9, 10), 7.8),
    ],
)
def test_a_percentile_from_a_histogram_is_the_percentile_of_the_values(values, p, expected):
    histogram = sorted({v: values.count(v) for v in values}.items())
    assert percentile(histogram, p) == pytest.approx(expected)
    assert percentile([], p) is None


def test_a_rebuild_of_one_unit_mends_it_and_leaves_the_others_as_they_are(world, other_service):
    """A national deployment recounts the one unit that drifted, not all 600."""
    submit(other_service)  # the other unit's first step (handing in) is counted
    mine, theirs = world[0].unit, other_service.unit

    def rows(unit):  # type: ignore[no-untyped-def]
        return [sorted(model.objects.filter(unit=unit).values_list("key", "n")) for model in (StepTally, HourTally)]

    counted = rows(mine)
    # Both drift: a tally row of mine is lost; theirs count five steps too many.
    StepTally.objects.filter(pk=StepTally.objects.filter(unit=mine).order_by("pk").first().pk).delete()
    StepTally.objects.filter(unit=theirs).update(n=F("n") + 5)
    drifted = rows(theirs)
    assert drifted[0] and rows(mine) != counted
    out = StringIO()
    call_command("tally", "check", stdout=out)
    only = " ".join(f"--unit {kode}" for kode in sorted([mine.kode, theirs.kode]))
    assert f"jalankan `loket tally rebuild {only}`." in out.getvalue()
    out = StringIO()
    call_command("tally", "rebuild", "--unit", mine.kode, "--unit", mine.kode, stdout=out)
    steps = StepRun.objects.filter(finished_at__isnull=False, case__unit=mine).count()
    assert out.getvalue().strip() == f"{steps} langkah unit {mine.kode} selesai direkap."
    assert rows(mine) == counted and rows(theirs) == drifted
    out = StringIO()
    call_command("tally", "check", stdout=out)
    marks = {line.split()[0]: line.split()[-1] for line in out.getvalue().splitlines() if "langkah" in line}
    assert (marks[mine.kode], marks[theirs.kode]) == ("sama", "BEDA")


def test_a_rebuild_of_a_unit_that_does_not_exist_says_so_and_changes_nothing(world):
    before = sorted(StepTally.objects.values_list("key", "n"))
    with pytest.raises(CommandError, match="Unit tidak dikenal: tidak-ada."):
        call_command("tally", "rebuild", "--unit", "tidak-ada", stdout=StringIO())
    assert sorted(StepTally.objects.values_list("key", "n")) == before
