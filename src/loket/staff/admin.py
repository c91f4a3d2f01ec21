"""Admin for staff: roles per unit (also inline on each user), API tokens read-only with a revoke
action. Changes made here are written to the audit trail like those made by `loket staff`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.audit.services import log_action
from loket.catalog.models import UnitLane

from .models import ApiToken, StaffProfile, StaffRole
from .services import revoke_api_token


def _lane_choices() -> list[tuple[str, Any]]:
    """Every unit's staff lanes, grouped by unit (read when the form is drawn); StaffRole.clean
    then checks that the chosen one is a lane of the chosen unit, with the agency its scope asks."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for lane in UnitLane.objects.select_related("unit").order_by("unit__kode", "name"):
        label = f"{lane.name} ({_('per instansi')})" if lane.agency_scoped else lane.name
        groups.setdefault(f"{lane.unit.kode}: {lane.unit.nama}", []).append((lane.name, label))
    return [("", "---------"), *groups.items()]


class StaffRoleForm(forms.ModelForm):
    # A choice of the installed SOPs' staff lanes rather than free text (the model keeps a plain
    # CharField: a new lane comes with an SOP, not with a migration).
    role = forms.ChoiceField(
        label=gettext_lazy("peran"),
        choices=_lane_choices,
        help_text=gettext_lazy(
            "Lajur petugas SOP unit yang dipilih; lajur per instansi (lingkup_instansi) wajib menyebut instansinya."
        ),
    )

    class Meta:
        model = StaffRole
        fields = ["user", "unit", "role", "agency"]


def _audit_role(request: HttpRequest, role: StaffRole, action: str) -> None:
    log_action(
        action,
        actor=request.user,
        username=role.user.get_username(),
        unit=role.unit.kode,
        role=role.role,
        agency=role.agency.name if role.agency else None,
    )


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    form = StaffRoleForm
    list_display = ["user", "unit", "role", "agency"]
    list_filter = ["unit", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    list_select_related = ["user", "unit", "agency"]
    autocomplete_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit_role(request, obj, "staff.role_changed" if change else "staff.role_added")

    def delete_model(self, request: HttpRequest, obj: StaffRole) -> None:
        _audit_role(request, obj, "staff.role_removed")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StaffRole]) -> None:
        for role in queryset.select_related("user", "unit", "agency"):
            _audit_role(request, role, "staff.role_removed")
        super().delete_queryset(request, queryset)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    form = StaffRoleForm
    fields = ["unit", "role", "agency"]
    extra = 0
    verbose_name = gettext_lazy("peran petugas")
    verbose_name_plural = gettext_lazy("peran petugas (unit, lajur, instansi)")


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["user", "nip"]

    def clean_nip(self) -> str:
        from loket.directory.nip import normalise_nip

        # Typed as printed (19720528 200502 1 001), kept as its 18 digits; the model checks it.
        return normalise_nip(self.cleaned_data.get("nip") or "")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    """A staff member's NIP (also set by `loket staff nip`); kept apart from the user page, whose
    form stays Django's own."""

    form = StaffProfileForm
    list_display = ["user", "nip"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "nip"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    def get_fields(self, request: HttpRequest, obj: StaffProfile | None = None) -> Any:
        return ["nip"] if obj else ["user", "nip"]

    def save_model(self, request: HttpRequest, obj: StaffProfile, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_action("staff.nip_set", actor=request.user, username=obj.user.get_username(), nip=obj.nip)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin, with the user's staff roles on the same page."""

    inlines = [StaffRoleInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for role in formset.deleted_objects:
            if isinstance(role, StaffRole):
                _audit_role(request, role, "staff.role_removed")
            role.delete()
        for role in instances:
            action = "staff.role_changed" if role.pk else "staff.role_added"
            role.save()
            if isinstance(role, StaffRole):
                _audit_role(request, role, action)
        formset.save_m2m()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by `loket token create` (the token is shown once there); here they are
    only seen and revoked."""

    list_display = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # a revoked token stays, so that its use before revocation can be traced

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("staff.change_apitoken")

    @admin.action(description=gettext_lazy("Cabut token terpilih"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at=None).values_list("pk", flat=True))
        for pk in live:
            revoke_api_token(actor=request.user, token_id=pk)
        self.message_user(request, _("%(n)s token dicabut.") % {"n": len(live)}, messages.SUCCESS)
