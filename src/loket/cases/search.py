"""Finding any case in a staff member's scope (issue 11, point 3): the search box, the filters,
the sort orders, keyset pages, and the cases the staff member acted on last.

Pure query building: every function returns a queryset or a page read from one, nothing is
written. The scope is `loket.staff.rules.visible_q` (every status, not only the work queue); the
"terlambat" filter is `loket.cases.selectors.overdue_q`, the query form of `is_overdue`.

**The search box** matches, by what was typed:
- with an `@`: the e-mail address, whole and case-insensitive, the requester's or the linked
  directory account's;
- with a digit: the reference (exact or prefix, case-insensitive; also with a `-`), the NIP
  (spaces dropped as `normalise_nip` does; the requester's or the account's), the user ID (exact;
  the requester's or the account's);
- otherwise: the requester's name (contains, case-insensitive) or the user ID.
Every match but the name is an index look-up, and they run as one UNION of index searches under
`id IN (...)`. A name has no index (a "contains" match cannot use one), so a name search reads the
scope's rows in the page's order until the page is full.

**Pages** are keyset (seek) pages on (sort key, id), never OFFSET: a page starts after (or ends
before) the cursor's row, so page 10,000 costs what page 1 costs. A cursor is an opaque string
(`encode_cursor`); a bad one is refused with `BadCursor`. The due-time order puts the cases with
no due time (waiting on the requester, closed, untimed) after the others in both directions, by
id: it is read as two segments, each in index order, so a page is at most two queries (and one
each for the page's units and SOP versions). The work queue's order ("queue": due time, nulls
last, then submitted time and id; `loket.cases.selectors.work_queue`) is read the same way, on
the keys (due, submitted, id) and then (submitted, id).

Django's Paginator counts and slices with OFFSET, and no well-kept library does keyset pages for
the Django ORM with a nullable sort key (django-cursor-pagination assumes non-null keys), hence
these few lines.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Max, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Lower

from loket.directory.models import Account
from loket.directory.nip import normalise_nip
from loket.staff import rules

from .models import Case
from .selectors import overdue_q, work_queue

PAGE_SIZE = 50
RECENT_SIZE = 10
SORTS = ("submitted", "due", "queue")
# The highest code point: every string with the prefix sorts below prefix + this (binary order).
_TOP = "\U0010ffff"


def _prefix_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as an index range. SQLite's LIKE ignores case and so uses no
    index on a column of its default (BINARY) collation: a range does. On PostgreSQL, LIKE 'p%'
    uses the `varchar_pattern_ops` index Django adds to a unique CharField, and a range would
    depend on the database's collation."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _TOP})
    return Q(**{f"{field}__startswith": prefix})


class BadCursor(ValueError):
    """A cursor that was not made by `encode_cursor` for this sort order."""


@dataclass(frozen=True)
class CaseFilter:
    """What a search asks for: the box (`q`), the filters and the order."""

    q: str = ""
    status: str = ""
    sop: str = ""  # the SOP's kode (every versi)
    lane: str = ""  # the lane the case waits on now (current_lane)
    date_from: dt.date | None = None  # submitted on or after this local day of the case's unit
    date_to: dt.date | None = None  # submitted on or before this local day
    overdue: bool = False
    sort: str = "submitted"  # "submitted" (created_at) or "due" (current_due_at); "queue": see above
    descending: bool = True

    @property
    def is_search(self) -> bool:
        return bool(
            self.q.strip() or self.status or self.sop or self.lane or self.date_from or self.date_to or self.overdue
        )


@dataclass
class CasePage:
    """One keyset page: the cases, and the cursors of the pages before and after it (None: none)."""

    cases: list[Case]
    next_cursor: str | None = None
    prev_cursor: str | None = None
    size: int = PAGE_SIZE


# -- the search box -------------------------------------------------------------------------------


def _ids_matching(*parts: Q) -> QuerySet[Case, Any]:
    """The ids of the cases matching any of `parts`, as one compound SELECT (UNION), each part
    its own index look-up: an OR over several columns in one WHERE would make the database walk
    the whole scope and test each row."""
    selects = [Case.objects.filter(part).values("pk").order_by() for part in parts]
    first, *rest = selects
    return first.union(*rest) if rest else first


def text_q(q: str, *, unit_ids: Sequence[int] = ()) -> Q:
    """Filter over Case for what was typed in the search box (see the module docstring).
    `unit_ids`: the units whose directory accounts are looked up by user ID (the caller's scope;
    the directory's unique index is (unit, user ID))."""
    text = " ".join(q.split())
    if not text:
        return Q()
    if "@" in text:
        email = text.lower()
        accounts = Account.objects.annotate(email_lower=Lower("email")).filter(email_lower=email)
        by_email = Case.objects.annotate(email_lower=Lower("requester_email")).filter(email_lower=email)
        return Q(pk__in=by_email.values("pk").order_by().union(_ids_matching(Q(account__in=accounts.values("pk")))))
    parts = [Q(requester_user_id=text)]
    if unit_ids:
        parts.append(Q(account__in=Account.objects.filter(unit_id__in=list(unit_ids), user_id=text).values("pk")))
    if any(ch.isdigit() or ch == "-" for ch in text):
        prefix = text.upper()
        parts.append(_prefix_q("reference", prefix))
    if any(ch.isdigit() for ch in text):
        nip = normalise_nip(text)
        if nip.isdigit():
            parts.append(Q(requester_nip=nip))
            parts.append(Q(account__in=Account.objects.filter(nip=nip).values("pk")))
        return Q(pk__in=_ids_matching(*parts))
    # A name cannot be looked up in an index: the scope's rows are read in the page's order.
    return Q(pk__in=_ids_matching(*parts)) | Q(requester_name__icontains=text)


# -- the filters ----------------------------------------------------------------------------------


def _units_of(user: Any) -> dict[int, str]:
    """The units of the user's roles and their time zones (read with the roles: no query)."""
    return {role.unit_id: role.unit.zona_waktu for role in rules.roles_of(user)}


def submitted_between_q(user: Any, date_from: dt.date | None, date_to: dt.date | None) -> Q:
    """Filter over Case: submitted within the local days `date_from`..`date_to` (either may be
    None) of the case's own unit, for each unit of the user's roles."""
    if date_from is None and date_to is None:
        return Q()
    parts = Q(pk__in=[])
    for unit_id, zone_name in _units_of(user).items():
        zone = zoneinfo.ZoneInfo(zone_name)
        part = Q(unit_id=unit_id)
        if date_from is not None:
            part &= Q(created_at__gte=dt.datetime.combine(date_from, dt.time(), zone))
        if date_to is not None:
            part &= Q(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone))
        parts |= part
    return parts


def scoped_cases(user: Any, spec: CaseFilter, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases in the user's scope (any status) that the search and filters of `spec` match,
    unordered; rows carry their unit, SOP version (without its text) and agency."""
    qs = Case.objects.filter(rules.visible_q(user))
    if spec.q.strip():
        qs = qs.filter(text_q(spec.q, unit_ids=list(_units_of(user))))
    if spec.status:
        qs = qs.filter(status=spec.status)
    if spec.sop:
        qs = qs.filter(sop__kode=spec.sop)
    if spec.lane:
        qs = qs.filter(current_lane=spec.lane)
    if spec.date_from or spec.date_to:
        qs = qs.filter(submitted_between_q(user, spec.date_from, spec.date_to))
    if spec.overdue:
        qs = qs.filter(overdue_q(now))
    # Unit and SOP are read by `case_page`, a query each for the whole page, not joined: a join
    # lets SQLite start from the unit table and sort the whole scope rather than walk an index
    # in the page's order.
    return qs.select_related("agency")


def _sops() -> Prefetch:
    """The SOP versions of the listed cases, without their text (8-13 KB each): a list shows only
    the name and kode."""
    from loket.catalog.models import SopVersion

    return Prefetch("sop", queryset=SopVersion.objects.defer("content"))


# -- keyset pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """Rows read in one index order: `where` selects them, `keys` are the sort fields before the
    id (none: id only)."""

    where: Q
    keys: tuple[str, ...]


def _segments(sort: str) -> list[_Segment]:
    if sort == "due":
        return [
            _Segment(Q(current_due_at__isnull=False), ("current_due_at",)),
            _Segment(Q(current_due_at__isnull=True), ()),
        ]
    if sort == "queue":
        # The work queue's order (selectors.work_queue): due time, nulls last, then submitted.
        return [
            _Segment(Q(current_due_at__isnull=False), ("current_due_at", "created_at")),
            _Segment(Q(current_due_at__isnull=True), ("created_at",)),
        ]
    return [_Segment(Q(), ("created_at",))]


def encode_cursor(sort: str, segment: int, case: Case, keys: Sequence[str]) -> str:
    values = [getattr(case, key).isoformat() for key in keys]
    raw = json.dumps([sort, segment, values, case.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, list[dt.datetime], int]:
    """(segment, sort key values, id) of a cursor of `sort`; BadCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got_sort, segment, values, pk = json.loads(raw)
        when = [dt.datetime.fromisoformat(value) for value in values]
        for value in when:
            # A forged time at the calendar's edge (9999-12-31T23:00-05:00) has no UTC: the
            # database would fail on it (OverflowError), so it is no cursor of ours.
            value.astimezone(dt.UTC)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    segments = _segments(sort)
    if (
        got_sort != sort
        or not isinstance(segment, int)
        or not 0 <= segment < len(segments)
        or not isinstance(pk, int)
        or len(segments[segment].keys) != len(when)
        or any(value.tzinfo is None for value in when)
    ):
        raise BadCursor(cursor)
    return segment, when, pk


def _order(seg: _Segment, descending: bool) -> list[Any]:
    return [F(name).desc() if descending else F(name).asc() for name in (*seg.keys, "id")]


def _beyond(seg: _Segment, values: Sequence[dt.datetime], pk: int, *, descending: bool) -> Q:
    """Rows of the segment strictly after (values..., pk) in the direction given. The redundant
    range on the first key (>= or <=) lets the database seek the index to the cursor."""
    after, from_ = ("lt", "lte") if descending else ("gt", "gte")
    tail = Q(**{f"id__{after}": pk})
    for key, value in reversed(list(zip(seg.keys[1:], values[1:], strict=True))):
        tail = Q(**{f"{key}__{after}": value}) | (Q(**{key: value}) & tail)
    if not seg.keys:
        return tail
    first, value = seg.keys[0], values[0]
    return Q(**{f"{first}__{from_}": value}) & (Q(**{f"{first}__{after}": value}) | tail)


def case_page(
    cases: QuerySet[Case],
    *,
    sort: str = "submitted",
    descending: bool = True,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> CasePage:
    """One keyset page of `cases` in the order `sort` (`descending`): the first page, the page
    after the cursor `after`, or the page before the cursor `before`. At most one query per
    segment of the order (one for "submitted", two for "due") and one each for the page's units
    and SOP versions, whatever the page."""
    if sort not in SORTS:
        raise BadCursor(sort)
    segments = _segments(sort)
    backwards = before is not None
    cursor = before if backwards else after
    # Reading backwards is reading forwards in the reversed order, from the cursor.
    direction = descending != backwards
    if cursor:
        start, values, pk = decode_cursor(cursor, sort)
    else:
        start, values, pk = (len(segments) - 1 if backwards else 0), [], 0
    order = range(start, -1, -1) if backwards else range(start, len(segments))
    rows: list[tuple[int, Case]] = []
    for index in order:
        seg = segments[index]
        qs = cases.filter(seg.where)
        if cursor and index == start:
            qs = qs.filter(_beyond(seg, values, pk, descending=direction))
        wanted = size + 1 - len(rows)
        rows.extend((index, case) for case in qs.order_by(*_order(seg, direction))[:wanted])
        if len(rows) > size:
            break
    more = len(rows) > size
    rows = rows[:size]
    prefetch_related_objects([case for _, case in rows], "unit", _sops())
    if backwards:
        rows.reverse()
    page = CasePage(cases=[case for _, case in rows], size=size)
    if rows:
        first, last = rows[0], rows[-1]
        first_cursor = encode_cursor(sort, first[0], first[1], segments[first[0]].keys)
        last_cursor = encode_cursor(sort, last[0], last[1], segments[last[0]].keys)
        if backwards:
            page.prev_cursor = first_cursor if more else None
            page.next_cursor = last_cursor
        else:
            page.next_cursor = last_cursor if more else None
            page.prev_cursor = first_cursor if cursor else None
    return page


def work_queue_page(
    user: Any,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    fields: Sequence[str] = (),
) -> CasePage:
    """One keyset page of the user's work queue (`selectors.work_queue`) in its order ("queue"),
    for the console's queue and the API's: the page's units and SOP versions a query each
    (`case_page`), not joined to every row. `fields`: the columns the rows need (all without)."""
    cases = work_queue(user).select_related(None).select_related("agency")
    if fields:
        cases = cases.only(*fields)
    return case_page(cases, sort="queue", descending=False, after=after, before=before, size=size)


def search_cases(
    user: Any,
    spec: CaseFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    now: dt.datetime | None = None,
    fields: Sequence[str] = (),
) -> CasePage:
    """One keyset page of the cases in the user's scope matching `spec`, in its order; `fields`:
    only these of each case (and its agency, "agency__name"), for a page that prints no more."""
    cases = scoped_cases(user, spec, now=now)
    return case_page(
        cases.only(*fields) if fields else cases,
        sort=spec.sort,
        descending=spec.descending,
        after=after,
        before=before,
        size=size,
    )


# -- what I did last ------------------------------------------------------------------------------


RECENT_CHUNK = 60  # step runs read at a time, newest first, when looking for my recent cases


def recently_acted(user: Any, *, size: int = RECENT_SIZE, fields: Sequence[str] = ()) -> list[Case]:
    """The cases in the user's scope whose steps the user answered (StepRun.actor) most recently,
    the latest first (by their latest such step).

    Not one GROUP BY over all the user's step runs: a staff member of a large unit has answered
    hundreds of thousands, every one read to find ten. The newest step runs are read instead,
    RECENT_CHUNK at a time, newest first (the index on actor and -id), until `size` cases in
    scope are among them, with the latest step and time of each (a GROUP BY over those cases'
    steps only). The cases met first are the cases of the GROUP BY over every step run: a case's
    latest step is the first of its steps the walk meets. Usually three queries (the step runs'
    ids, their cases, the cases in scope), and one each for the units and SOP versions; each
    query holds at most RECENT_CHUNK + `size` ids, however far the walk goes. `fields`: as for
    `search_cases`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    from .models import StepRun

    scope = rules.visible_q(user)
    mine = StepRun.objects.filter(actor=user)
    lowest: int | None = None  # the oldest step run the walk has read
    kept: set[int] = set()  # the cases in scope met so far (fewer than `size`, or the walk ends)
    while True:
        runs = mine if lowest is None else mine.filter(id__lt=lowest)
        # Ids alone: an index-only scan of steprun_actor_recent_idx. With the case id as well,
        # PostgreSQL walked the primary key backwards instead, filtering on the actor (3.4 ms
        # for 40,000 newer step runs of others at 10^6 cases; this read is 0.03 ms), and so it
        # does for a range of ids; their cases are then read by primary key.
        chunk = list(runs.order_by("-id").values_list("id", flat=True)[:RECENT_CHUNK])
        if chunk:
            lowest = chunk[-1]
        met = kept | set(StepRun.objects.filter(pk__in=chunk).order_by().values_list("case_id", flat=True))
        found = Case.objects.filter(scope, pk__in=sorted(met), steps__actor=user)
        cases: list[Case] = list(
            (found.only(*fields) if fields else found)
            .annotate(last_acted=Max("steps__id"), last_acted_at=Max("steps__finished_at"))
            .select_related("agency")
            .order_by("-last_acted")[:size]
        )
        if len(cases) >= size or len(chunk) < RECENT_CHUNK:
            break
        kept = {case.pk for case in cases}
    prefetch_related_objects(cases, "unit", _sops())
    return cases


def lane_choices(user: Any) -> list[str]:
    """The lanes of the units in the user's scope, for the lane filter (the roles' lanes and the
    units' other staff lanes); no query beyond the roles."""
    from loket.catalog.models import UnitLane

    units = list(_units_of(user))
    if not units:
        return []
    return sorted(set(UnitLane.objects.filter(unit_id__in=units).values_list("name", flat=True)))


def sop_choices(user: Any) -> list[tuple[str, str]]:
    """(kode, name) of the SOPs of the units in the user's scope, newest name of each kode."""
    from loket.catalog.models import SopVersion

    units = list(_units_of(user))
    if not units:
        return []
    names: dict[str, str] = {}
    for kode, nama in (
        SopVersion.objects.filter(unit_id__in=units).order_by("kode", "-versi").values_list("kode", "nama")
    ):
        names.setdefault(kode, nama)
    return sorted(names.items())
