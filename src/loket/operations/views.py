"""The health endpoint (see health.py): JSON, no sign-in, never cached."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_health


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 with status "ok"; 503 with "degraded" (worker or mail late) or "down" (no database)."""
    result = check_health()
    return JsonResponse(result.as_json(), status=result.http_status, json_dumps_params={"ensure_ascii": False})
