"""The public (no sign-in) URLs of loket.service_standard: the index of the services, the
Standar Pelayanan of one (its newest installed version, or `?versi=N`), and its PDF."""

from django.urls import path

from . import views

app_name = "service_standard"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kode>/", views.detail, name="detail"),
    path("<slug:kode>/standar-pelayanan.pdf", views.pdf, name="pdf"),
]
