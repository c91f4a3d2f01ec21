"""The admin's survey pages: the counters' tablets (their secret addresses) and, read-only, the
invitations (no token: only its digest is stored). Answers are read on the console's IKM page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Invitation, Tablet


@admin.register(Tablet)
class TabletAdmin(admin.ModelAdmin):
    list_display = ["counter", "created_at"]
    list_select_related = ["counter", "counter__unit"]
    readonly_fields = ["token", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["case", "created_at", "mailed_at", "offered_at", "used_at", "expires_at"]
    list_select_related = ["case"]
    fields = ("case", "created_at", "expires_at", "mailed_at", "offered_counter", "offered_at", "used_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False
