"""The mailboxes (password write-only) and the mail read from them (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import InboundMail, Mailbox


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password kotak surat"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Tidak pernah ditampilkan. Kosongkan untuk tetap memakai password yang tersimpan."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "unit",
            "host",
            "port",
            "security",
            "username",
            "password",
            "inbox_folder",
            "processed_folder",
            "failed_folder",
            "enabled",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("password") and not (self.instance.pk and self.instance.password_sealed):
            self.add_error("password", _("Isi password kotak surat."))
        return data

    def save(self, commit: bool = True) -> Mailbox:
        mailbox: Mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox.set_password(self.cleaned_data["password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["unit", "username", "host", "port", "security", "enabled", "last_polled_at", "last_error"]
    list_filter = ["enabled"]
    readonly_fields = ["last_polled_at", "last_error"]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "mailbox", "from_address", "subject", "status", "case", "attempts", "moved_to"]
    list_filter = ["status", "mailbox"]
    search_fields = ["from_address", "subject", "message_id", "case__reference"]
    readonly_fields = [f.name for f in InboundMail._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
