"""The console's URLs of loket.survey, included in loket.web.console_urls (namespace `console`)."""

from django.urls import path

from . import console_views

urlpatterns = [
    path("survei/", console_views.survey_page, name="survey"),
    path("survei/loket/<int:counter_id>/tawarkan/", console_views.offer, name="survey_offer"),
]
