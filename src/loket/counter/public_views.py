"""The visitor's own look at their queue ticket, by the short code printed on the slip.

Nothing personal is shown: the number, the service, where the queue stands and, once the request
is opened from the ticket, its registration number and where it stands (its requester's text of
the current step); the case itself opens only with its tracking code. Wrong codes count against
the portal's limit for tracking codes (web.portal_rate_limit), so the code cannot be guessed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from loket.cases.actions import requester_text
from loket.catalog.selectors import parsed
from loket.web.portal_rate_limit import record_wrong_code, render_limited, too_many_wrong_codes

from .models import CODE_ALPHABET, QueueTicket, Status
from .services import zone

TEMPLATE = "counter/ticket_status.html"


class TicketCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode tiket"),
        max_length=12,
        help_text=_("Enam huruf/angka di bawah nomor antrian pada tiket Anda."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).upper().replace("-", "")
        if len(code) != 6 or any(c not in CODE_ALPHABET for c in code):
            raise forms.ValidationError(_("Kode tiket terdiri atas 6 huruf/angka, seperti tercetak di tiket."))
        return code


def _ahead(ticket: QueueTicket) -> int:
    waiting = QueueTicket.objects.filter(unit_id=ticket.unit_id, day=ticket.day, status=Status.WAITING)
    if ticket.counter_id is not None:
        waiting = waiting.filter(counter_id=ticket.counter_id)
    else:
        waiting = waiting.filter(service_id=ticket.service_id, counter=None)
    return waiting.filter(issued_at__lt=ticket.issued_at).count()


def ticket_state(ticket: QueueTicket) -> dict[str, Any]:
    """What the visitor is told about `ticket` (following a transfer to its new number)."""
    moved = ticket.transferred_to.select_related("service", "counter").first()
    while moved is not None:
        ticket = moved
        moved = ticket.transferred_to.select_related("service", "counter").first()
    tz = zone(ticket.unit)
    state: dict[str, Any] = {
        "ticket": ticket,
        "unit": ticket.unit,
        "counter": ticket.counter.name if ticket.counter else "",
        "called": timezone.localtime(ticket.recalled_at or ticket.called_at, tz) if ticket.called_at else None,
    }
    if ticket.status == Status.WAITING:
        state["ahead"] = _ahead(ticket)
    if ticket.case_id is not None:
        case = ticket.case
        assert case is not None
        sop = parsed(case.sop)
        step = sop.step(case.current_step) if case.current_step else None
        state.update({"case": case, "step_text": requester_text(step) if step else ""})
    return state


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_status(request: HttpRequest) -> HttpResponse:
    form = TicketCodeForm(request.POST or None)
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": form})
    if too_many_wrong_codes(request):
        return render_limited(request, TEMPLATE, {"form": form})
    if form.is_valid():
        ticket = (
            QueueTicket.objects.select_related("unit", "service", "counter", "case__sop")
            .filter(code=form.cleaned_data["code"])
            .first()
        )
        if ticket is not None:
            return render(request, TEMPLATE, {"form": TicketCodeForm(), "state": ticket_state(ticket)})
        record_wrong_code(request)
        form.add_error("code", _("Tiket dengan kode itu tidak ditemukan. Periksa kode pada tiket Anda."))
    return render(request, TEMPLATE, {"form": form}, status=400)
