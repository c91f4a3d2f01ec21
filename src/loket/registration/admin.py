"""Admin for registrations: the requests themselves (read-only: they change through their case),
the training sessions and their seats, and each unit's letter settings, whose patterns and body
are checked before they are saved (registration.letters, registration.user_ids)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .letters import (
    DEFAULT_NUMBER_PATTERN,
    DEFAULT_USER_ID_PATTERN,
    body_problems,
    default_body,
    default_signer_position,
    pattern_problems,
    peek_number,
)
from .models import LetterSettings, Registration, TrainingSeat, TrainingSession
from .user_ids import propose_user_id, user_id_pattern_problems


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["case", "candidate_name", "candidate_nip", "agency", "letter_number", "trained_at", "activated_at"]
    list_filter = ["case__unit", "trained_at", "activated_at"]
    search_fields = ["case__reference", "candidate_name", "candidate_nip", "candidate_email", "new_agency_name"]
    list_select_related = ["case", "case__agency"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Registration._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=gettext_lazy("instansi"))
    def agency(self, obj: Registration) -> str:
        agency = obj.case.agency
        return agency.name if agency is not None else obj.new_agency_name


class TrainingSeatInline(admin.TabularInline):
    model = TrainingSeat
    extra = 0
    fields = ["registration", "status", "invited_at", "invited_by", "recorded_at", "recorded_by"]
    readonly_fields = ["registration", "status", "invited_at", "invited_by", "recorded_at", "recorded_by"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "unit",
        "starts_at",
        "ends_at",
        "place",
        "capacity",
        "seat_count",
        "attendance_recorded_at",
    ]
    list_filter = ["unit"]
    search_fields = ["title", "place"]
    list_select_related = ["unit"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_by", "created_at", "attendance_recorded_at"]
    inlines = [TrainingSeatInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrainingSession]:
        return super().get_queryset(request).annotate(n_seats=Count("seats"))

    @admin.display(description=gettext_lazy("peserta"), ordering="n_seats")
    def seat_count(self, obj: Any) -> int:
        return int(obj.n_seats)

    def save_model(self, request: HttpRequest, obj: TrainingSession, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(TrainingSeat)
class TrainingSeatAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "status", "invited_at", "recorded_at"]
    list_filter = ["status", "session__unit"]
    search_fields = ["registration__candidate_name", "registration__case__reference"]
    list_select_related = ["registration", "session"]
    autocomplete_fields = ["registration"]
    readonly_fields = ["invited_by", "recorded_by"]


class LetterSettingsForm(forms.ModelForm):
    class Meta:
        model = LetterSettings
        fields = [
            "unit",
            "letterhead",
            "city",
            "number_pattern",
            "body",
            "signer_name",
            "signer_nip",
            "signer_position",
            "user_id_pattern",
        ]

    def clean_number_pattern(self) -> str:
        pattern = self.cleaned_data.get("number_pattern", "")
        problems = pattern_problems(pattern)
        if problems:
            raise forms.ValidationError(problems)
        return pattern

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body", "")
        problems = body_problems(body)
        if problems:
            raise forms.ValidationError(problems)
        return body

    def clean_user_id_pattern(self) -> str:
        pattern = self.cleaned_data.get("user_id_pattern", "")
        problems = user_id_pattern_problems(pattern)
        if problems:
            raise forms.ValidationError(problems)
        return pattern


@admin.register(LetterSettings)
class LetterSettingsAdmin(admin.ModelAdmin):
    form = LetterSettingsForm
    list_display = ["unit", "city", "signer_name", "signer_position", "number_pattern", "user_id_pattern"]
    list_select_related = ["unit"]
    readonly_fields = ["next_number", "sample_user_id"]
    fieldsets = [
        (None, {"fields": ["unit", "letterhead", "city"]}),
        (gettext_lazy("Nomor surat"), {"fields": ["number_pattern", "next_number"]}),
        (gettext_lazy("Isi dan penanda tangan"), {"fields": ["body", "signer_position", "signer_name", "signer_nip"]}),
        (gettext_lazy("Akun baru"), {"fields": ["user_id_pattern", "sample_user_id"]}),
    ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        initial.setdefault("number_pattern", DEFAULT_NUMBER_PATTERN)
        initial.setdefault("body", default_body())
        initial.setdefault("signer_position", default_signer_position())
        initial.setdefault("user_id_pattern", DEFAULT_USER_ID_PATTERN)
        return initial

    @admin.display(description=gettext_lazy("nomor surat berikutnya"))
    def next_number(self, obj: LetterSettings | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(obj.unit.zona_waktu)).date()
        try:
            return peek_number(obj.unit, today)
        except ValueError as exc:
            return str(exc)

    @admin.display(description=gettext_lazy("contoh user ID"))
    def sample_user_id(self, obj: LetterSettings | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        return propose_user_id(
            unit=obj.unit,
            pattern=obj.user_id_pattern,
            candidate_name="Siti Rahmawati",
            agency_name="Dinas Pekerjaan Umum dan Penataan Ruang",
            nip="199001012015012001",
        )
