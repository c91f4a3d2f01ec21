"""Staff operation (API token): finding any case in the caller's scope, `GET /search/cases`.

The console's "Semua permohonan" search (`loket.cases.search`) with the same parameters in
English: the search box `q`, the filters, the order, and keyset pages (`after` / `before` take
the `next_cursor` / `prev_cursor` of an answer; never an offset). A case outside the caller's
unit or agency is never in an answer; a token whose user has no staff role finds nothing.
`/search/cases` rather than `/cases/search`, so that the path cannot be read as a case id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Literal

import pydantic
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from loket.cases import search
from loket.cases.errors import Invalid
from loket.cases.models import Status
from loket.cases.selectors import is_overdue

from .auth import StaffToken, staff_user
from .errors import refusals

router = Router(tags=["staff"], auth=StaffToken())


class SearchIn(Schema):
    q: str = pydantic.Field(
        "",
        max_length=200,
        description="Reference (exact or prefix), requester name (contains), NIP (spaces ignored), user ID or "
        "e-mail (exact) of the requester or of the linked directory account.",
    )
    status: Status | None = pydantic.Field(None, description="The case's status.")
    service: str = pydantic.Field("", max_length=80, description="The SOP's kode (every version).")
    lane: str = pydantic.Field("", max_length=60, description="The lane the case waits on now.")
    submitted_from: dt.date | None = pydantic.Field(None, description="Submitted on or after this day (unit's zone).")
    submitted_to: dt.date | None = pydantic.Field(None, description="Submitted on or before this day (unit's zone).")
    overdue: bool = pydantic.Field(False, description="Only cases whose current step is past its due time.")
    sort: Literal["submitted", "due"] = pydantic.Field(
        "submitted", description="`due`: cases without a due time come last, in either order."
    )
    order: Literal["asc", "desc"] = "desc"
    limit: int = pydantic.Field(20, ge=1, le=100)
    after: str = pydantic.Field("", max_length=200, description="`next_cursor` of the previous answer.")
    before: str = pydantic.Field("", max_length=200, description="`prev_cursor` of the previous answer.")


class FoundCaseOut(Schema):
    id: int
    reference: str
    status: str
    unit: str
    agency: str | None
    service: str
    service_version: int
    service_name: str
    requester_name: str
    current_lane: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool
    closed_at: dt.datetime | None
    version: int


class SearchOut(Schema):
    limit: int
    next_cursor: str | None = pydantic.Field(description="Pass as `after` for the next page; null on the last.")
    prev_cursor: str | None = pydantic.Field(description="Pass as `before` for the page before; null on the first.")
    items: list[FoundCaseOut]


def one_cursor(after: str, before: str) -> None:
    """A page is asked after a cursor or before one, not both."""
    if after and before:
        raise Invalid(_("Isi salah satu saja: after atau before."), {"before": _("Isi salah satu saja.")})


@contextlib.contextmanager
def cursor_problems(before: str) -> Iterator[None]:
    """A cursor that is not one of ours (or of another order) as a 400 under its parameter."""
    try:
        yield
    except search.BadCursor as exc:
        field = "before" if before else "after"
        raise Invalid(_("Kursor halaman tidak berlaku."), {field: _("Kursor halaman tidak berlaku.")}) from exc


@router.get(
    "/search/cases",
    response={200: SearchOut, **refusals(400, 401)},
    operation_id="search_cases",
    summary="Find any case in my scope",
)
def search_cases(request: HttpRequest, params: Query[SearchIn]) -> SearchOut:
    """Every case in the caller's scope (any status) matching the search and the filters, one
    keyset page at a time."""
    one_cursor(params.after, params.before)
    spec = search.CaseFilter(
        q=params.q,
        status=params.status or "",
        sop=params.service,
        lane=params.lane,
        date_from=params.submitted_from,
        date_to=params.submitted_to,
        overdue=params.overdue,
        sort=params.sort,
        descending=params.order == "desc",
    )
    now = timezone.now()
    with cursor_problems(params.before):
        page = search.search_cases(
            staff_user(request),
            spec,
            after=params.after or None,
            before=params.before or None,
            size=params.limit,
            now=now,
        )
    return SearchOut(
        limit=params.limit,
        next_cursor=page.next_cursor,
        prev_cursor=page.prev_cursor,
        items=[
            FoundCaseOut(
                id=case.pk,
                reference=case.reference,
                status=case.status,
                unit=case.unit.kode,
                agency=case.agency.name if case.agency else None,
                service=case.sop.kode,
                service_version=case.sop.versi,
                service_name=case.sop.nama,
                requester_name=case.requester_name,
                current_lane=case.current_lane,
                submitted_at=case.created_at,
                due_at=case.current_due_at,
                overdue=is_overdue(case, now),
                closed_at=case.closed_at,
                version=case.version,
            )
            for case in page.cases
        ],
    )
