"""URLs of the SOP catalogue: the list, one page per SOP (and per version), the downloads."""

from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("sop/", views.sop_list, name="sop_list"),
    path("sop/<slug:kode>/", views.sop_detail, name="sop_detail"),
    path("sop/<slug:kode>/v<int:versi>/", views.sop_detail, name="sop_version"),
    path("sop/<slug:kode>/v<int:versi>/unduh/<str:fmt>", views.sop_download, name="sop_download"),
]
