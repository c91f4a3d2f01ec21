"""Admin for the directory: agencies and accounts (the password hash is never editable; a new
password reaches its holder only through a case and a one-time link), and the sign-in attempts
behind the rate limit, read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Account, Agency, SignInAttempt
from .nip import nip_problems, normalise_nip
from .roles import role_choices


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "account_count"]
    list_filter = ["unit"]
    search_fields = ["name"]
    list_select_related = ["unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return super().get_queryset(request).annotate(n_accounts=Count("accounts"))

    @admin.display(description=gettext_lazy("jumlah akun"), ordering="n_accounts")
    def account_count(self, obj: Any) -> int:
        return int(obj.n_accounts)


class AccountForm(forms.ModelForm):
    role = forms.ChoiceField(label=gettext_lazy("peran"), choices=role_choices)

    class Meta:
        model = Account
        fields = [
            "unit",
            "user_id",
            "name",
            "nip",
            "role",
            "agency",
            "satker",
            "sk_number",
            "email",
            "phone",
            "is_active",
            "must_change_password",
        ]

    def clean_nip(self) -> str:
        nip = normalise_nip(self.cleaned_data.get("nip", ""))
        if nip:
            problems = nip_problems(nip, strict=False)
            if problems:
                raise forms.ValidationError(problems)
        return nip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, agency = data.get("unit"), data.get("agency")
        if unit is not None and agency is not None and agency.unit_id != unit.pk:
            self.add_error("agency", _("Instansi ini bukan milik unit yang dipilih."))
        return data


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm
    list_display = ["user_id", "name", "nip", "role", "agency", "unit", "is_active", "must_change_password"]
    list_filter = ["unit", "role", "agency", "is_active", "must_change_password"]
    search_fields = ["user_id", "name", "nip"]
    list_select_related = ["unit", "agency"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["password", "password_changed_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["unit", "user_id", "name", "nip", "role", "agency", "satker", "sk_number"]}),
        (gettext_lazy("Kontak"), {"fields": ["email", "phone"]}),
        (
            gettext_lazy("Status"),
            {
                "fields": [
                    "is_active",
                    "must_change_password",
                    "password",
                    "password_changed_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "unit_kode", "user_id", "ip", "outcome"]
    list_filter = ["outcome", "unit_kode"]
    search_fields = ["user_id", "ip"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
