"""The periodic jobs and the workers' heartbeats in the admin, for the operator: read-only but
for one action, "run at the next sweep", which makes a job due now (the next worker to sweep
claims and runs it, once, as any due job; `loket worker --once --force` runs every job at once)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from loket.audit.services import log_action
from loket.read_only_admin import ReadOnlyAdmin

from .models import Heartbeat, PeriodicJob


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    list_display = readonly_fields = ("name", "due_at", "last_run_at", "last_worker", "runs")
    ordering = ["name"]
    actions = ["run_next_sweep"]

    def has_run_next_sweep_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(description=gettext_lazy("Jalankan pada sapuan pekerja berikutnya"), permissions=["run_next_sweep"])
    def run_next_sweep(self, request: HttpRequest, queryset: QuerySet[PeriodicJob]) -> None:
        names = list(queryset.values_list("name", flat=True))
        count = PeriodicJob.objects.filter(name__in=names).update(due_at=timezone.now())
        log_action("operations.job_due_now", actor=request.user, jobs=names)
        self.message_user(
            request,
            ngettext(
                "%(count)d pekerjaan dijalankan pada sapuan berikutnya.",
                "%(count)d pekerjaan dijalankan pada sapuan berikutnya.",
                count,
            )
            % {"count": count},
        )


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = readonly_fields = ("name", "seen_at")
    ordering = ["-seen_at"]
