"""URLs of the requester portal: the landing page, choosing a service, the request form, the
receipt, and the status pages. No tracking code ever appears in one of them."""

from django.urls import path

from . import portal_views as views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("permohonan/", views.start, name="start"),
    path("permohonan/tanda-terima/", views.receipt, name="receipt"),
    path("permohonan/status/", views.status, name="status"),
    # Before the request form: `status/<reference>` has the same shape as `<unit>/<sop>`.
    path("permohonan/status/<str:reference>/", views.status_case, name="status_case"),
    path("permohonan/status/<str:reference>/lengkapi/", views.supply, name="supply"),
    path("permohonan/status/<str:reference>/batalkan/", views.withdraw, name="withdraw"),
    path("permohonan/<slug:unit_kode>/<slug:sop_kode>/", views.request_form, name="form"),
]
