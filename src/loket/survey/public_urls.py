"""The public (no sign-in) URLs of loket.survey, under /survei/ (namespace `survei`): the survey of
a mailed link, its thank-you page, and the counter's tablet."""

from django.urls import path

from . import public_views

app_name = "survei"
urlpatterns = [
    path("terima-kasih/", public_views.thanks, name="thanks"),
    path("tablet/<str:token>/", public_views.tablet, name="tablet"),
    path("<str:token>/", public_views.survey_form, name="form"),
]
