"""The console's URLs of loket.reports, included in loket.web.console_urls (namespace `console`).
The report page itself (`mutu_baku`) is listed there; here its exports through the worker."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("laporan/mutu-baku/unduh/", views.export_new, name="mutu_baku_export"),
    path("laporan/unduhan/<uuid:job_id>/", views.export_job, name="mutu_baku_job"),
    path("laporan/unduhan/<uuid:job_id>/status.json", views.export_status, name="mutu_baku_job_status"),
    path("laporan/unduhan/<uuid:job_id>/berkas/", views.export_file, name="mutu_baku_job_file"),
]
