"""The admin's survey pages: the counters' tablets (their secret addresses) and, read-only, the
invitations (no token: only its digest is stored). Answers are read on the console's IKM page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loket.web.templatetags.local_time import lokal

from .models import Invitation, Tablet


@admin.register(Tablet)
class TabletAdmin(admin.ModelAdmin):
    list_display = ["counter", "made"]
    list_select_related = ["counter", "counter__unit"]
    fields = ("counter", "token", "made")
    readonly_fields = ("token", "made")

    @admin.display(description=_("dibuat"))
    def made(self, obj: Tablet) -> str:
        return lokal(obj.created_at, obj.counter.unit) if obj.pk else ""


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    # Times as the console writes them (the case's unit's zone, "d-m-Y H:i WITA"), never Django's
    # month names.
    list_display = ["case", "made", "mailed", "answered", "until"]
    list_select_related = ["case", "case__unit"]
    fields = ("case", "made", "until", "mailed", "offered_counter", "offered", "answered")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.display(description=_("dibuat"))
    def made(self, obj: Invitation) -> str:
        return lokal(obj.created_at, obj.case)

    @admin.display(description=_("dikirim"))
    def mailed(self, obj: Invitation) -> str:
        return lokal(obj.mailed_at, obj.case)

    @admin.display(description=_("ditawarkan di loket"))
    def offered(self, obj: Invitation) -> str:
        return lokal(obj.offered_at, obj.case)

    @admin.display(description=_("dijawab"))
    def answered(self, obj: Invitation) -> str:
        return lokal(obj.used_at, obj.case)

    @admin.display(description=_("berlaku sampai"))
    def until(self, obj: Invitation) -> str:
        return lokal(obj.expires_at, obj.case)
