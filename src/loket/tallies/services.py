"""Keeping the tallies (loket.tallies.models): one more for each step run as it finishes, and a
rebuild from the steps for a database that had steps before the tallies (the migration) or whose
tallies an operator wants checked (`loket tally rebuild`).

A finished step is counted once, in the transaction that finishes it: `count_runs` is called by
`loket.cases.services` wherever a run is written finished (the requester's first step at
submission, the system's steps, and `_finish` for every other). A step is never un-finished, and
its minutes never change once written, so a tally only ever grows.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from django.db import connection, transaction

from .models import HourTally, StepTally

_STEP_COLUMNS = ("unit_id", "sop_id", "agency_id", "channel", "day", "step", "lane", "by", "actor_id")


def _minutes(run: Any) -> int:
    """Working minutes for staff and system steps; the requester's wait in whole calendar
    minutes (their clock of working minutes is paused)."""
    if run.by != "pemohon" and run.working_minutes is not None:
        return int(run.working_minutes)
    return max(0, int((run.finished_at - run.started_at).total_seconds() // 60))


def _keys(run: Any, case: Any, zone: zoneinfo.ZoneInfo) -> tuple[Any, ...]:
    day = case.created_at.astimezone(zone).date()
    return (case.unit_id, case.sop_id, case.agency_id, case.channel, day, run.step, run.lane, run.by, run.actor_id)


def _key(parts: Iterable[Any]) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def _rows(run: Any, case: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    zone = zoneinfo.ZoneInfo(case.unit.zona_waktu)
    keys = _keys(run, case, zone)
    finished = run.finished_at.astimezone(zone)
    step = (*keys, _minutes(run), run.standard_minutes)
    hour = (*keys, finished.isoweekday(), finished.hour)
    return step, hour


# Rows per statement in a rebuild: 13 parameters each, well under SQLite's 32,766.
_ROWS_PER_STATEMENT = 500


def _upsert(model: type[Any], rows: dict[tuple[Any, ...], int], extra: tuple[str, ...]) -> None:
    """Add `rows` (keys -> how many) to the tally table of `model` in one statement (per
    _ROWS_PER_STATEMENT rows): an insert that adds to the row already there (ON CONFLICT ... DO
    UPDATE, in both databases; the keys are distinct, as one statement may touch a row once)."""
    if not rows:
        return
    table = model._meta.db_table
    columns = ("key", *_STEP_COLUMNS, *extra, "n")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = [(_key(parts), *parts, n) for parts, n in rows.items()]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(values), _ROWS_PER_STATEMENT):
            chunk = values[start : start + _ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT (key) DO UPDATE SET n = {table}.n + excluded.n",
                [value for row in chunk for value in row],
            )


def count_runs(runs: Iterable[Any], case: Any) -> None:
    """Count `runs` of `case` (just written finished) in both tallies: one statement each."""
    steps: Counter[tuple[Any, ...]] = Counter()
    hours: Counter[tuple[Any, ...]] = Counter()
    for run in runs:
        if run.finished_at is None:
            continue
        step, hour = _rows(run, case)
        steps[step] += 1
        hours[hour] += 1
    _upsert(StepTally, dict(steps), ("minutes", "standard"))
    _upsert(HourTally, dict(hours), ("weekday", "hour"))


@transaction.atomic
def rebuild(
    *, units: Collection[int] | None = None, chunk_size: int = 5000, models: tuple[Any, Any, Any] | None = None
) -> int:
    """Empty both tallies and count every finished step again (streamed from the database, one
    chunk of steps in memory at a time); with `units` (ids), only those units' tallies and steps,
    the other units' left as they are: one unit of a national deployment is recounted in its own
    share of the time. Returns the number of steps counted. `models`: the (StepRun, StepTally,
    HourTally) classes to use (a migration passes its historical ones)."""
    if models is None:
        from loket.cases.models import StepRun

        models = (StepRun, StepTally, HourTally)
    run_model, step_model, hour_model = models
    runs = run_model.objects.filter(finished_at__isnull=False)
    tallies = [step_model.objects.all(), hour_model.objects.all()]
    if units is not None:
        runs = runs.filter(case__unit_id__in=list(units))
        tallies = [qs.filter(unit_id__in=list(units)) for qs in tallies]
    for qs in tallies:
        qs.delete()
    steps: Counter[tuple[Any, ...]] = Counter()
    hours: Counter[tuple[Any, ...]] = Counter()
    counted = 0
    runs = (
        runs.select_related("case", "case__unit")
        .only(
            "step",
            "lane",
            "by",
            "actor_id",
            "started_at",
            "finished_at",
            "standard_minutes",
            "working_minutes",
            "case__unit_id",
            "case__sop_id",
            "case__agency_id",
            "case__channel",
            "case__created_at",
            "case__unit__zona_waktu",
        )  # fmt: skip
        .order_by("pk")
    )
    for run in runs.iterator(chunk_size=chunk_size):
        step, hour = _rows(run, run.case)
        steps[step] += 1
        hours[hour] += 1
        counted += 1
        if len(steps) >= chunk_size:
            _upsert(step_model, dict(steps), ("minutes", "standard"))
            _upsert(hour_model, dict(hours), ("weekday", "hour"))
            steps.clear()
            hours.clear()
    _upsert(step_model, dict(steps), ("minutes", "standard"))
    _upsert(hour_model, dict(hours), ("weekday", "hour"))
    return counted
