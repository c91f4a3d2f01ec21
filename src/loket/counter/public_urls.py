"""The visitor's ticket look-up (mounted under /antrian/ in loket.urls)."""

from django.urls import path

from . import public_views

app_name = "queue"
urlpatterns = [path("tiket/", public_views.ticket_status, name="ticket")]
