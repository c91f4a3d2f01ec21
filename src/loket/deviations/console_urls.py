"""The console's URLs of loket.deviations, included in loket.web.console_urls (namespace `console`)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("penyimpangan/", views.review_list, name="deviations"),
    path("penyimpangan/saya/", views.my_list, name="my_deviations"),
    path("penyimpangan/<int:deviation_id>/", views.detail, name="deviation"),
    path("penyimpangan/<int:deviation_id>/jawab/", views.answer, name="deviation_answer"),
    path("penyimpangan/<int:deviation_id>/tinjau/", views.review, name="deviation_review"),
]
