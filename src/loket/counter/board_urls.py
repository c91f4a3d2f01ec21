"""The public board URLs (mounted under /papan/ in loket.urls)."""

from django.urls import path

from . import board_views

app_name = "board"
urlpatterns = [
    path("bel.wav", board_views.chime, name="chime"),
    path("<str:token>/", board_views.board_page, name="page"),
    path("<str:token>/status.json", board_views.board_status, name="status"),
]
