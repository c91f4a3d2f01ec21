"""Admin for units: a new unit is data, added here with no code change."""

from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["kode", "nama", "zona_waktu", "jam_kerja"]
    search_fields = ["kode", "nama"]
