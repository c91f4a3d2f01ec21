"""The display board: a public page per board, reached by its secret token; nothing personal."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from . import services
from .chime import chime_wav
from .models import Board
from .selectors import board_state


def _board(token: str) -> Board:
    board = Board.objects.select_related("unit").filter(token=token).first()
    if board is None:
        raise Http404("Papan tidak dikenal.")
    return board


@never_cache
@require_GET
def board_page(request: HttpRequest, token: str) -> HttpResponse:
    board = _board(token)
    response = render(request, "counter/board.html", {"board": board, "state": board_state(board.unit)})
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def board_status(request: HttpRequest, token: str) -> JsonResponse:
    board = _board(token)
    services.tidy(board.unit)
    response = JsonResponse(board_state(board.unit))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@cache_control(max_age=86400, public=True)
@require_GET
def chime(request: HttpRequest) -> HttpResponse:
    return HttpResponse(chime_wav(), content_type="audio/wav")
