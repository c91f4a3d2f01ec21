"""Admin: the queue services and their prefixes, the counters, the boards (rotate a token), and
the guest book and tickets read-only (they are the SOP's record)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from loket.read_only_admin import ReadOnlyAdmin

from .models import Board, Counter, GuestBookEntry, QueueTicket, ServiceQueue, TicketEvent, new_board_token


@admin.register(ServiceQueue)
class ServiceQueueAdmin(admin.ModelAdmin):
    list_display = ["unit", "prefix", "sop_kode", "name", "active"]
    list_filter = ["unit", "active"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["unit", "number", "name", "active", "staffed_by"]
    list_filter = ["unit", "active"]
    filter_horizontal = ["services"]
    readonly_fields = ["staffed_by", "staffed_since"]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["unit", "name", "created_at", "rotated_at"]
    readonly_fields = ["token", "created_at", "rotated_at"]
    actions = ["rotate_token"]

    @admin.action(description="Ganti token (alamat papan yang lama tidak berlaku lagi)")
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Board]) -> None:
        for board in queryset:
            board.token = new_board_token()
            board.rotated_at = timezone.now()
            board.save(update_fields=["token", "rotated_at"])
        messages.success(request, f"Token {queryset.count()} papan diganti; buka alamat barunya di layar ruang tunggu.")


@admin.register(GuestBookEntry)
class GuestBookEntryAdmin(ReadOnlyAdmin):
    list_display = ["arrived_at", "unit", "name", "agency", "service"]
    list_filter = ["unit"]
    search_fields = ["name", "agency", "id_number", "phone"]


@admin.register(QueueTicket)
class QueueTicketAdmin(ReadOnlyAdmin):
    list_display = ["day", "unit", "display", "status", "counter", "issued_at", "called_at", "done_at"]
    list_filter = ["unit", "status", "day"]
    search_fields = ["code"]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "unit", "ticket", "kind", "counter", "actor"]
    list_filter = ["unit", "kind"]
