"""The outbox in the admin: read-only, never showing a secret; failed mail can be sent again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import OutboxMessage
from .services import resend_messages

SHOWN_FIELDS = (
    "created_at",
    "to",
    "subject",
    "template",
    "case",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "body",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts"]
    list_filter = ["status", "template"]
    list_select_related = ["case"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    # The secret fields are left out of every page on purpose (the body holds only markers).
    fields = SHOWN_FIELDS
    readonly_fields = SHOWN_FIELDS
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # mail is queued by the services, never typed in

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False  # the outbox is part of the record of a case

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.change_outboxmessage")

    @admin.action(description=gettext_lazy("Kirim ulang e-mail yang gagal"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        selected = list(queryset)  # counted before: a status filter would no longer match them
        count = resend_messages(messages=selected, actor=request.user)
        erased = sum(m.status == OutboxMessage.Status.FAILED and m.secret_erased for m in selected)
        skipped = len(selected) - count - erased
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail dimasukkan lagi ke antrean kirim.",
                "%(count)d e-mail dimasukkan lagi ke antrean kirim.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if erased:
            self.message_user(
                request,
                _(
                    "%(erased)d e-mail dilewati karena tautan atau kode rahasianya sudah dihapus; "
                    "terbitkan yang baru lewat kasusnya."
                )
                % {"erased": erased},
                messages.WARNING,
            )
        if skipped:
            self.message_user(
                request,
                _("%(skipped)d e-mail dilewati karena tidak berstatus gagal.") % {"skipped": skipped},
                messages.INFO,
            )
