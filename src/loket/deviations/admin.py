"""Deviations in the admin: read-only (they change only through loket.deviations.services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Deviation, DeviationEvent


class EventInline(admin.TabularInline):
    model = DeviationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "text")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Deviation)
class DeviationAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "executor", "status", "recorded_at", "reviewer")
    list_filter = ("kind", "status", "case__unit")
    search_fields = ("case__reference", "executor__username")
    list_select_related = ("case", "executor", "reviewer")
    inlines = [EventInline]
    readonly_fields = [f.name for f in Deviation._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
