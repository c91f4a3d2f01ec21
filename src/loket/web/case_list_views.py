"""The console's "Semua permohonan" page (`/konsol/kasus/`): every case in the staff member's
scope, whatever its status, with the search box, the filters, the two orders and keyset pages
(`loket.cases.search`); above it, when nothing is searched, the cases I acted on last.

Thin: the form reads the query string, the selectors build the queries, the rows come ready to
print (`case_rows`), times in each case's unit's zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from loket.cases import search
from loket.cases.models import Case, Status
from loket.cases.selectors import is_overdue

from .case_rows import RowText

SORT_CHOICES = [
    ("diajukan-turun", _("Diajukan, terbaru dulu")),
    ("diajukan-naik", _("Diajukan, terlama dulu")),
    ("tenggat-naik", _("Tenggat, terdekat dulu")),
    ("tenggat-turun", _("Tenggat, terjauh dulu")),
]
_SORTS = {
    "diajukan-turun": ("submitted", True),
    "diajukan-naik": ("submitted", False),
    "tenggat-naik": ("due", False),
    "tenggat-turun": ("due", True),
}


class CaseSearchForm(forms.Form):
    """The query string of the page (every field optional; a bad value is shown, not guessed)."""

    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("nomor, nama, NIP, user ID, e-mail")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    layanan = forms.ChoiceField(label=_("Layanan"), required=False)
    pelaksana = forms.ChoiceField(label=_("Pelaksana"), required=False)
    dari = forms.DateField(label=_("Diajukan dari"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(label=_("sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    terlambat = forms.BooleanField(label=_("Hanya yang terlambat"), required=False)
    urut = forms.ChoiceField(label=_("Urutan"), required=False, choices=SORT_CHOICES)

    def __init__(self, data: Any, *, sops: list[tuple[str, str]], lanes: list[str]) -> None:
        super().__init__(data)
        everything: list[tuple[str, str]] = [("", str(_("semua")))]
        choices: dict[str, list[tuple[str, str]]] = {
            "status": everything + [(value, str(label)) for value, label in Status.choices],
            "layanan": everything + sops,
            "pelaksana": everything + [(lane, lane) for lane in lanes],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options

    def spec(self) -> search.CaseFilter:
        data = self.cleaned_data if self.is_valid() else {}
        sort, descending = _SORTS.get(data.get("urut") or "diajukan-turun", _SORTS["diajukan-turun"])
        return search.CaseFilter(
            q=data.get("q", ""),
            status=data.get("status", ""),
            sop=data.get("layanan", ""),
            lane=data.get("pelaksana", ""),
            date_from=data.get("dari"),
            date_to=data.get("sampai"),
            overdue=bool(data.get("terlambat")),
            sort=sort,
            descending=descending,
        )


# What a row prints, read and no more (a case has some thirty columns); a field missing here
# would cost a query per row, which tests/web/test_case_list.py's query count would see.
FIELDS = (
    *("reference", "requester_name", "requester_nip", "requester_user_id", "unit_id", "sop_id", "agency_id"),
    *("status", "current_lane", "created_at", "current_due_at", "agency__name"),
)


def _rows(cases: list[Case], now: Any) -> list[dict[str, Any]]:
    """The rows as the table prints them (`case_rows`: no tag or filter per row in the template)."""
    text = RowText()
    statuses = {value: str(label) for value, label in Status.choices}
    return [
        {
            "url": text.url(case),
            "reference": case.reference,
            "requester": case.requester_name,
            "requester_id": case.requester_nip or case.requester_user_id,
            "service": case.sop.nama,
            "where": text.where(case),
            "status": statuses.get(case.status, case.status),
            "lane": case.current_lane,
            "created": text.when(case, case.created_at),
            "due": text.when(case, case.current_due_at),
            "acted": text.when(case, getattr(case, "last_acted_at", None)),
            "overdue": is_overdue(case, now),
        }
        for case in cases
    ]


def _link(request: HttpRequest, **cursor: str) -> str:
    """The page's own query string with the cursor replaced."""
    params = {k: str(request.GET.get(k)) for k in request.GET if k not in {"setelah", "sebelum"} and request.GET.get(k)}
    params.update(cursor)
    return "?" + urlencode(params)


def _filters_set(spec: search.CaseFilter) -> bool:
    return bool(spec.status or spec.sop or spec.lane or spec.date_from or spec.date_to or spec.overdue)


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    """Every case in my scope: search, filters, order, keyset pages ("berikutnya"/"sebelumnya")."""
    form = CaseSearchForm(
        request.GET or None, sops=search.sop_choices(request.user), lanes=search.lane_choices(request.user)
    )
    spec = form.spec()
    now = timezone.now()  # one instant for the whole page
    bad_cursor = False
    try:
        page = search.search_cases(
            request.user,
            spec,
            after=request.GET.get("setelah") or None,
            before=request.GET.get("sebelum") or None,
            now=now,
            fields=FIELDS,
        )
    except search.BadCursor:
        bad_cursor = True
        page = search.search_cases(request.user, spec, now=now, fields=FIELDS)
    recent = [] if spec.is_search else _rows(search.recently_acted(request.user, fields=FIELDS), now)
    return render(
        request,
        "web/console/cases.html",
        {
            "form": form,
            "spec": spec,
            # The filters stay open when one of them (or the order) is set.
            "filtered": _filters_set(spec) or request.GET.get("urut", "diajukan-turun") != "diajukan-turun",
            "rows": _rows(page.cases, now),
            "recent": recent,
            "bad_cursor": bad_cursor,
            "next_link": _link(request, setelah=page.next_cursor) if page.next_cursor else "",
            "prev_link": _link(request, sebelum=page.prev_cursor) if page.prev_cursor else "",
        },
    )
