"""Admin for units: a new unit is data, added here (or by `loket unit add`) with no code change."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Unit
from .services import STANDARD_FIELDS


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["kode", "nama", "zona_waktu", "jam_kerja", "direktori"]
    list_filter = ["zona_waktu", "direktori"]
    search_fields = ["kode", "nama"]
    fieldsets = [
        (None, {"fields": ["kode", "nama", "zona_waktu", "jam_kerja", "direktori"]}),
        (
            _("Identitas (kaki halaman, tanda terima, surat, arsip)"),
            {"fields": ["logo", "kop", "alamat", "telepon", "surel", "situs", "jam_layanan"]},
        ),
        (_("Arsip"), {"fields": ["retensi_tahun"]}),
        (
            _("Standar Pelayanan (kosong: bawaan; satu baris satu butir)"),
            {"fields": list(STANDARD_FIELDS), "classes": ["collapse"]},
        ),
    ]
