"""The console's front office (guest book → ticket → print) and counter (sign in, call, serve).

Scope: a page of a unit answers 404 unless the user holds, at that unit, a lane that the unit's
SOPs give the front office or the counters (loket.counter.lanes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from loket.cases.errors import Invalid
from loket.catalog.selectors import parsed
from loket.directory.models import Agency
from loket.units.models import Unit
from loket.units.services import zone_label
from loket.web.portal_forms import read_uploads

from . import export, intake, services
from .forms import CounterRequestForm, GuestForm
from .lanes import holds_lane, queue_lanes, units_of
from .models import Board, Counter, QueueTicket, ServiceQueue
from .selectors import counter_lists, day_tickets, search_guests

PRINT_SIZES = {"80mm": "80 mm", "58mm": "58 mm", "a6": "A6"}


def _unit(request: HttpRequest, unit_kode: str, *, front: bool = False, counter: bool = False) -> Unit:
    unit = Unit.objects.filter(kode=unit_kode).first()
    if unit is None:
        raise Http404("Unit tidak dikenal.")
    lanes = queue_lanes(unit)
    allowed: frozenset[str] = frozenset()
    if front:
        allowed |= lanes.front_office
    if counter:
        allowed |= lanes.counter
    if not holds_lane(request.user, unit, allowed):
        raise Http404("Halaman ini bukan untuk peran Anda di unit ini.")
    return unit


def _local(unit: Unit, moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment, services.zone(unit)) if moment else None


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    front = units_of(request.user, counter=False)
    desks = units_of(request.user, counter=True)
    if not front and not desks:
        raise Http404("Anda tidak bertugas di front office atau loket mana pun.")
    return render(request, "counter/index.html", {"front": front, "desks": desks})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def front_office(request: HttpRequest, unit_kode: str) -> HttpResponse:
    unit = _unit(request, unit_kode, front=True)
    services.setup_services(unit)
    form = GuestForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.record_guest(
                unit=unit,
                service=data["service"],
                name=data["name"],
                agency=data["agency"],
                id_number=data["id_number"],
                phone=data["phone"],
                actor=request.user,
            )
            ticket = services.issue_ticket(service=data["service"], entry=entry, actor=request.user)
        except services.CounterError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Nomor antrian {ticket.display} untuk {entry.name}.")
            return redirect("console:counter_ticket", unit_kode=unit.kode, ticket_id=ticket.pk)
    services.tidy(unit)
    tickets = [
        {"ticket": t, "issued": _local(unit, t.issued_at)} for t in day_tickets(unit).order_by("-issued_at", "-id")[:30]
    ]
    return render(
        request,
        "counter/front_office.html",
        {"unit": unit, "form": form, "tickets": tickets, "closed": services.is_closed(unit)},
    )


@login_required
@require_GET
def guest_book(request: HttpRequest, unit_kode: str) -> HttpResponse:
    unit = _unit(request, unit_kode, front=True)

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    query = request.GET.get("q", "")
    entries = search_guests(unit, query, day("dari"), day("sampai")).prefetch_related("tickets__case")
    rows = []
    for entry in entries[:2000]:
        tickets = list(entry.tickets.all())
        ticket = tickets[0] if tickets else None
        rows.append(
            {
                "entry": entry,
                "arrived": _local(unit, entry.arrived_at),
                "ticket": ticket,
                "issued": _local(unit, ticket.issued_at) if ticket else None,
                "minutes": ticket.minutes_to_ticket if ticket else None,
            }
        )
    download = request.GET.get("unduh")
    if download in ("csv", "xlsx"):
        name = f"buku-tamu-{unit.kode}"
        if download == "csv":
            response = HttpResponse(
                export.as_csv(rows, zone=zone_label(unit.zona_waktu)), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                export.as_xlsx(rows, title=f"Buku tamu {unit.nama}", zone=zone_label(unit.zona_waktu)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{download}"'
        return response
    return render(
        request,
        "counter/guest_book.html",
        {
            "unit": unit,
            "rows": rows,
            "q": query,
            "dari": request.GET.get("dari", ""),
            "sampai": request.GET.get("sampai", ""),
            "standard": _ticket_standard(unit),
        },
    )


def _ticket_standard(unit: Unit) -> int | None:
    minutes = [s.ticket_minutes for s in queue_lanes(unit).services if s.ticket_minutes is not None]
    return min(minutes) if minutes else None


def _ticket_of(unit: Unit, ticket_id: int) -> QueueTicket:
    ticket = QueueTicket.objects.select_related("service", "entry", "counter").filter(unit=unit, pk=ticket_id).first()
    if ticket is None:
        raise Http404("Tiket tidak dikenal.")
    return ticket


@login_required
@require_GET
def ticket_page(request: HttpRequest, unit_kode: str, ticket_id: int) -> HttpResponse:
    unit = _unit(request, unit_kode, front=True, counter=True)
    ticket = _ticket_of(unit, ticket_id)
    standard = _ticket_standard(unit)
    minutes = ticket.minutes_to_ticket
    return render(
        request,
        "counter/ticket.html",
        {
            "unit": unit,
            "ticket": ticket,
            "issued": _local(unit, ticket.issued_at),
            "arrived": _local(unit, ticket.entry.arrived_at) if ticket.entry else None,
            "minutes": minutes,
            "standard": standard,
            "late": standard is not None and minutes is not None and minutes > standard,
            "sizes": PRINT_SIZES,
        },
    )


@login_required
@require_GET
def ticket_print(request: HttpRequest, unit_kode: str, ticket_id: int, size: str) -> HttpResponse:
    unit = _unit(request, unit_kode, front=True, counter=True)
    if size not in PRINT_SIZES:
        raise Http404("Ukuran cetak tidak dikenal.")
    ticket = _ticket_of(unit, ticket_id)
    ahead = QueueTicket.objects.filter(
        service=ticket.service, day=ticket.day, status="menunggu", issued_at__lt=ticket.issued_at
    ).count()
    return render(
        request,
        "counter/print.html",
        {
            "unit": unit,
            "ticket": ticket,
            "issued": _local(unit, ticket.issued_at),
            "size": size,
            "ahead": ahead,
            "zone_label": zone_label(unit.zona_waktu, ticket.issued_at),
            "lookup_url": request.build_absolute_uri(reverse("queue:ticket")),
        },
    )


def _desk_action(request: HttpRequest, unit: Unit, counter: Counter | None) -> None:
    action = request.POST.get("aksi", "")
    user = request.user
    if action == "masuk":
        target = Counter.objects.filter(unit=unit, pk=request.POST.get("loket") or 0, active=True).first()
        if target is None:
            raise services.CounterError("Loket tidak dikenal.")
        services.sign_in(target, user)
        messages.success(request, f"Anda menjaga {target.name}.")
        return
    if counter is None:
        raise services.CounterError("Masuk ke salah satu loket dulu.")
    if action == "keluar":
        services.sign_out(counter, user)
        messages.success(request, f"Anda keluar dari {counter.name}.")
        return
    if action == "panggil":
        ticket = services.call_next(counter, user)
        if ticket is None:
            messages.info(request, "Tidak ada nomor yang menunggu loket ini.")
        else:
            messages.success(request, f"Memanggil {ticket.display}.")
        return
    ticket_id = int(request.POST.get("tiket") or 0)
    if action == "ulang":
        ticket = services.recall(ticket_id, counter, user)
        messages.success(request, f"Memanggil ulang {ticket.display}.")
    elif action == "layani":
        ticket = services.start_serving(ticket_id, counter, user)
        messages.success(request, f"{ticket.display} dilayani.")
    elif action == "selesai":
        ticket = services.finish(ticket_id, counter, user, note=request.POST.get("catatan", ""))
        messages.success(request, f"{ticket.display} selesai tanpa permohonan.")
    elif action == "tidak-hadir":
        ticket = services.no_show(ticket_id, counter, user)
        messages.success(request, f"{ticket.display} ditandai tidak hadir.")
    elif action == "alihkan":
        where = request.POST.get("tujuan", "")
        kind, _sep, pk = where.partition(":")
        to_counter = Counter.objects.filter(unit=unit, pk=pk or 0).first() if kind == "loket" else None
        to_service = ServiceQueue.objects.filter(unit=unit, pk=pk or 0).first() if kind == "layanan" else None
        if to_counter is None and to_service is None:
            raise services.CounterError("Pilih tujuan pengalihan.")
        ticket = services.transfer(ticket_id, counter, user, to_counter=to_counter, to_service=to_service)
        messages.success(request, f"Dialihkan: {ticket.display} menunggu.")
    else:
        raise services.CounterError("Tindakan tidak dikenal.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest, unit_kode: str) -> HttpResponse:
    unit = _unit(request, unit_kode, counter=True)
    counter = Counter.objects.filter(unit=unit, staffed_by_id=request.user.pk).first()
    if request.method == "POST":
        try:
            _desk_action(request, unit, counter)
        except services.CounterError as exc:
            messages.error(request, exc.message)
        except QueueTicket.DoesNotExist:
            messages.error(request, "Tiket tidak dikenal.")
        return redirect("console:counter_desk", unit_kode=unit.kode)
    services.tidy(unit)
    counters = list(
        Counter.objects.filter(unit=unit, active=True).select_related("staffed_by").prefetch_related("services")
    )
    context: dict[str, Any] = {"unit": unit, "counter": counter, "counters": counters}
    if counter is not None:
        lists = counter_lists(counter)
        active = services.active_ticket(counter)
        now = timezone.now()
        context.update(
            {
                "lists": lists,
                "active": active,
                "active_called": _local(unit, active.recalled_at or active.called_at) if active else None,
                "no_show_ready": bool(active and active.status == "dipanggil" and services._no_show_due(active, now)),
                "no_show_minutes": services.no_show_minutes(),
                "other_counters": [c for c in counters if c.pk != counter.pk],
                "other_services": ServiceQueue.objects.filter(unit=unit, active=True).exclude(pk=active.service_id)
                if active
                else [],
            }
        )
    context["boards"] = Board.objects.filter(unit=unit) if request.user.is_superuser else []
    return render(request, "counter/desk.html", context)


SESSION_RECEIPT = "loket.counter.receipt"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def open_request(request: HttpRequest, unit_kode: str, ticket_id: int) -> HttpResponse:
    """The request of the visitor served at the user's counter, written down from the ticket."""
    unit = _unit(request, unit_kode, counter=True)
    ticket = _ticket_of(unit, ticket_id)
    if ticket.case is not None:
        messages.info(request, f"Permohonan {ticket.case.reference} sudah dibuka dari nomor {ticket.display}.")
        return redirect("console:case", case_id=ticket.case.pk)
    counter = Counter.objects.filter(unit=unit, staffed_by_id=request.user.pk).first()
    if counter is None or ticket.counter_id != counter.pk or ticket.status != "dilayani":
        messages.error(request, f"Nomor {ticket.display} tidak sedang Anda layani di loket Anda.")
        return redirect("console:counter_desk", unit_kode=unit.kode)
    try:
        version = intake.version_of(ticket)
    except services.CounterError as exc:
        messages.error(request, exc.message)
        return redirect("console:counter_desk", unit_kode=unit.kode)
    sop = parsed(version)
    agencies = list(Agency.objects.filter(unit=unit).order_by("name"))
    originals = intake.originals_asked(version)

    def make(*args: Any, **kwargs: Any) -> CounterRequestForm:
        return CounterRequestForm(
            *args,
            berkas=sop.berkas,
            agencies=agencies,
            originals=originals,
            roles=sop.peran_akun if sop.roles_differ else (),
            **kwargs,
        )

    error = ""
    if request.method == "GET":
        form = make(initial=CounterRequestForm.initial_from(ticket.entry, agencies))
    else:
        form = make(request.POST)
        files, too_large = read_uploads(request.FILES, sop.berkas)
        if form.is_valid():
            data = form.submission(files)
            try:
                opened = intake.open_request(
                    ticket_id=ticket.pk,
                    counter=counter,
                    actor=request.user,
                    originals_shown=form.cleaned_data.get("originals") or (),
                    **data,
                )
            except Invalid as exc:
                form.add_problems({**exc.problems, **too_large})
                error = exc.message
            except services.CounterError as exc:
                messages.error(request, exc.message)
                return redirect("console:counter_desk", unit_kode=unit.kode)
            else:
                request.session[SESSION_RECEIPT] = {
                    "case": opened.submitted.case.pk,
                    "code": opened.submitted.tracking_code,
                }
                return redirect("console:counter_receipt", unit_kode=unit.kode, ticket_id=ticket.pk)
        else:
            form.add_problems(too_large)
    return render(
        request,
        "counter/open_request.html",
        {
            "unit": unit,
            "ticket": ticket,
            "sop": sop,
            "form": form,
            "error": error,
            "arrived": _local(unit, ticket.entry.arrived_at) if ticket.entry else None,
            "max_bytes": settings.LOKET_UPLOAD_MAX_BYTES,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_GET
def receipt(request: HttpRequest, unit_kode: str, ticket_id: int) -> HttpResponse:
    """The visitor's receipt (tanda terima), to print: the reference and, on its first showing
    only, the tracking code (kept in the session until then, never in a URL)."""
    unit = _unit(request, unit_kode, counter=True)
    ticket = _ticket_of(unit, ticket_id)
    if ticket.case is None:
        raise Http404("Belum ada permohonan dari nomor ini.")
    held = request.session.get(SESSION_RECEIPT) or {}
    code = ""
    if held.get("case") == ticket.case_id:
        code = held.get("code", "")
        del request.session[SESSION_RECEIPT]
    return render(
        request,
        "counter/receipt.html",
        {
            "unit": unit,
            "ticket": ticket,
            "case": ticket.case,
            "sop_name": parsed(ticket.case.sop).nama,
            "code": code,
            "opened": _local(unit, ticket.done_at),
            "zone_label": zone_label(unit.zona_waktu, ticket.done_at),
        },
    )
