"""The work queue's page (`/konsol/`): one keyset page of `selectors.work_queue` in its order
(`loket.cases.search.case_page`, sort "queue"), its rows ready to print, and a count that stops
at COUNT_CAP.

Why the rows are prepared here: at 50 rows a page, a `{% url %}`, two `lokal` filters, a
`truncatechars` and two translations per row were half the page's time. The link and the times
come from `case_rows.RowText`, a step's label is made once per SOP step on the page, the
translations are read once outside the loop: the template only prints strings.

The count is exact up to COUNT_CAP and "lebih dari COUNT_CAP" beyond: it reads at most
COUNT_CAP + 1 index entries, where COUNT(*) over a queue of 10,000 reads every one. The planner's
estimate would be cheaper still, but it is only as good as the last ANALYZE, far off for one
agency's lane, and SQLite has none; past a thousand cases the exact number changes no decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from loket.cases import search
from loket.cases.models import Case
from loket.cases.selectors import is_overdue, work_queue
from loket.catalog.selectors import parsed

from .case_rows import RowText

COUNT_CAP = 1000
AFTER, BEFORE = "setelah", "sebelum"  # the cursor parameters, as on the case list
# What a row prints, read and no more: a case has some thirty columns, and making each of 51
# rows' fields was half the page's query time. A field missing here would cost a query per row
# (the query-count test would see it).
FIELDS = (
    *("reference", "unit_id", "sop_id", "agency_id", "status", "current_step", "current_lane"),
    *("current_due_at", "created_at", "requester_name", "agency__name"),
)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case of the queue as the table prints it."""

    url: str
    reference: str
    service: str
    where: str  # the unit's kode, and the agency's name when the case has one
    step: str  # "3. the step's text", cut at 70 characters
    lane: str
    requester: str
    created: str
    due: str  # "" when the step has no time standard
    overdue: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    count: str  # "37 permohonan menunggu Anda." or "Lebih dari 1.000 ..."
    next_link: str = ""
    prev_link: str = ""
    bad_cursor: bool = False


def _count_text(cases: QuerySet[Case]) -> str:
    waiting = cases.order_by().values("pk")[: COUNT_CAP + 1].count()
    if waiting > COUNT_CAP:
        return _("Lebih dari %(count)s permohonan menunggu Anda.") % {
            "count": number_format(COUNT_CAP, force_grouping=True)
        }
    return _("%(count)s permohonan menunggu Anda.") % {"count": number_format(waiting, force_grouping=True)}


def _rows(cases: list[Case], now: dt.datetime) -> list[QueueRow]:
    text = RowText()
    steps: dict[tuple[str, int], str] = {}  # a step's label, once per SOP step on the page
    rows = []
    for case in cases:
        step = ""
        if case.current_step:
            key = (case.sop.sha256, case.current_step)
            if key not in steps:
                kegiatan = parsed(case.sop).step(case.current_step)
                steps[key] = f"{kegiatan.no}. {Truncator(kegiatan.uraian).chars(70)}"
            step = steps[key]
        rows.append(
            QueueRow(
                url=text.url(case),
                reference=case.reference,
                service=case.sop.nama,
                where=text.where(case),
                step=step,
                lane=case.current_lane,
                requester=case.requester_name,
                created=text.when(case, case.created_at),
                due=text.when(case, case.current_due_at),
                overdue=is_overdue(case, now),
            )
        )
    return rows


def queue_page(user: Any, *, after: str | None = None, before: str | None = None) -> QueuePage:
    """The page of the user's queue after the cursor `after` (or before `before`); the first page
    without one, and also for a cursor this page did not make (`bad_cursor`). Queries: the page's
    cases (two when the page reaches the cases with no due time), their units, their SOP
    versions and the count, whatever the number of rows."""
    bad_cursor = False
    try:
        page = search.work_queue_page(user, after=after, before=before, fields=FIELDS)
    except search.BadCursor:
        bad_cursor = True
        page = search.work_queue_page(user, fields=FIELDS)
    return QueuePage(
        rows=_rows(page.cases, timezone.now()),
        count=_count_text(work_queue(user)) if page.cases else "",
        next_link="?" + urlencode({AFTER: page.next_cursor}) if page.next_cursor else "",
        prev_link="?" + urlencode({BEFORE: page.prev_cursor}) if page.prev_cursor else "",
        bad_cursor=bad_cursor,
    )
