"""URLs of the account pages (mounted at `akun/`): the one-time credential link and the sign-in
that stands in for SPSE."""

from django.urls import path

from . import views

app_name = "akun"
urlpatterns = [
    # The token is in the fragment (/akun/tautan/#<token>), never in the path.
    path("tautan/", views.credential_link, name="tautan"),
    # Links mailed before that: sent on to the fragment form.
    path("tautan/<str:token>/", views.old_credential_link, name="tautan_lama"),
    path("masuk/", views.sign_in, name="masuk"),
    path("ganti-password/", views.change_password, name="ganti_password"),
    path("keluar/", views.sign_out, name="keluar"),
    path("", views.home, name="beranda"),
]
