"""URL map: the portal (requesters), the console (staff), account pages, the API, the SOP
catalogue and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konsol/", include("loket.web.console_urls")),
    path("akun/", include("loket.directory.urls")),
    path("api/v1/", include("loket.api.urls")),
    path("papan/", include("loket.counter.board_urls")),
    path("antrian/", include("loket.counter.public_urls")),
    path("survei/", include("loket.survey.public_urls")),
    path("standar-pelayanan/", include("loket.service_standard.public_urls")),
    path("ops/", include("loket.operations.urls")),
    path("", include("loket.web.portal_urls")),
    path("", include("loket.web.urls")),
]
