"""Admin for units: a new unit is data, added here (or by `loket unit add`) with no code change."""

from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["kode", "nama", "zona_waktu", "jam_kerja", "direktori"]
    list_filter = ["zona_waktu", "direktori"]
    search_fields = ["kode", "nama"]
    fields = ["kode", "nama", "zona_waktu", "jam_kerja", "direktori", "logo"]
