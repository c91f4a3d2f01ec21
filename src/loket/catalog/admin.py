"""Admin for the SOP catalogue: installed versions are read-only; "add" is an upload of a file."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .forms import SopUploadForm
from .models import SopVersion
from .services import SopRejected, install_sop


@admin.register(SopVersion)
class SopVersionAdmin(admin.ModelAdmin):
    list_display = ["kode", "versi", "unit", "nomor", "nama", "installed_at", "installed_by"]
    list_filter = ["unit", "layanan"]
    search_fields = ["kode", "nomor", "nama"]
    readonly_fields = [f.name for f in SopVersion._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: SopVersion | None = None) -> bool:
        return False  # an installed version is never edited: install a new versi instead

    def has_delete_permission(self, request: HttpRequest, obj: SopVersion | None = None) -> bool:
        return False  # cases pin the version they started on

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = SopUploadForm(request.POST or None, request.FILES or None)
        violations = []
        if request.method == "POST" and form.is_valid():
            try:
                source = getattr(request.FILES.get("berkas"), "name", "") or "unggahan.yaml"
                result = install_sop(text=form.cleaned_data["berkas"], source=source, actor=request.user)
            except SopRejected as exc:
                violations = exc.violations
            else:
                v = result.version
                if result.created:
                    messages.success(
                        request, _("SOP %(kode)s versi %(versi)s dipasang.") % {"kode": v.kode, "versi": v.versi}
                    )
                else:
                    messages.info(
                        request,
                        _("SOP %(kode)s versi %(versi)s sudah terpasang dengan isi yang sama.")
                        % {"kode": v.kode, "versi": v.versi},
                    )
                for warning in result.warnings:  # a lane nobody holds: installed all the same
                    messages.warning(request, warning)
                return HttpResponseRedirect(reverse("admin:catalog_sopversion_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Pasang berkas SOP"),
            "form": form,
            "violations": violations,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/sopversion/upload.html", context)
