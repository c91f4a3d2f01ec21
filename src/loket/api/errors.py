"""One error shape for the whole API: `{"detail": message, "problems": {field: message}}`.

The case services' errors keep their status (400, 403, 404, 409) and their Indonesian message;
input that does not fit an operation's schema answers 400 in the same shape (instead of
ninja's 422 list), so a client reads every refusal the same way. So does a request body Django
refuses to read (too many fields or files, too large, a malformed multipart body or a part
header over Django's limit): Django raises those when the operation first reads `request.POST`
or `request.FILES`, inside the operation, where ninja hands them to the handlers here. An
exception no handler knows still answers 500, in this shape, and is logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from loket.cases.errors import CaseError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    detail: str
    problems: dict[str, str] = {}


def refusals(*statuses: int) -> dict[int, type[Schema]]:
    """The error statuses an operation may answer, for its `response=` (and so its OpenAPI)."""
    return dict.fromkeys(statuses, ErrorOut)


def problem_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Wajib diisi.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Harus berupa bilangan bulat.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Harus true atau false.")
    if kind == "list_type":
        return _("Harus berupa daftar.")
    if kind == "less_than_equal":
        return _("Paling besar %(n)s.") % {"n": ctx.get("le")}
    if kind == "greater_than_equal":
        return _("Paling kecil %(n)s.") % {"n": ctx.get("ge")}
    if kind == "json_invalid":
        return _("Isi permintaan bukan JSON yang sah.")
    return _("Isian tidak valid.")


def problems_of(errors: Iterable[dict[str, Any]], *, skip: int = 0) -> dict[str, str]:
    """Field path (`answers.0.step`) -> message, from pydantic's error list; `skip` drops the
    leading parts of each location that name the source rather than the field."""
    problems: dict[str, str] = {}
    for error in errors:
        parts = [str(part) for part in error.get("loc", ())][skip:]
        problems.setdefault(".".join(parts) or "body", problem_message(error))
    return problems


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the one shape. (ninja types a handler's
    exception as "the class or an instance", hence `exc: Any`; it always passes the instance.)"""

    def case_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message, "problems": exc.problems}, status=exc.status)

    def invalid_input(request: HttpRequest, exc: Any) -> HttpResponse:
        problems: dict[str, str] = {}
        for error in exc.errors:
            # ("body", "payload", "answers", 0, "step"): the source, then for a body the
            # parameter's name; ("query", "limit") and ("path", "case_id"): the source only.
            loc = error.get("loc", ())
            skip = 2 if loc[:1] == ("body",) and len(loc) > 2 else 1
            for field, message in problems_of([error], skip=skip).items():
                problems.setdefault(field, message)
        return api.create_response(
            request, {"detail": _("Isian belum sesuai. Periksa isian yang ditandai."), "problems": problems}, status=400
        )

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(
            request,
            {
                "detail": _("Sertakan token API petugas yang masih berlaku (Authorization: Bearer <token>)."),
                "problems": {},
            },
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": _("Alamat tidak ditemukan."), "problems": {}}, status=404)

    def unreadable_body(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, TooManyFilesSent):
            detail = _("Terlalu banyak berkas dalam satu permintaan (paling banyak %(n)d).") % {
                "n": settings.DATA_UPLOAD_MAX_NUMBER_FILES
            }
        elif isinstance(exc, TooManyFieldsSent):
            detail = _("Terlalu banyak isian dalam satu permintaan (paling banyak %(n)d).") % {
                "n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            }
        elif isinstance(exc, RequestDataTooBig):
            detail = _("Isian permintaan terlalu besar.")
        else:
            detail = _("Isi permintaan tidak dapat dibaca (multipart/form-data yang rusak).")
        logger.info("API request body refused: %s", exc)
        return api.create_response(request, {"detail": detail, "problems": {}}, status=400)

    def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        if settings.DEBUG:
            raise exc  # the debug page (and a test) shows the traceback
        logger.exception("API error at %s", request.path)
        return api.create_response(
            request,
            {
                "detail": _("Terjadi kesalahan di server. Coba lagi nanti; bila berulang, hubungi unit layanan."),
                "problems": {},
            },
            status=500,
        )

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc), "problems": {}}, status=exc.status_code)

    api.add_exception_handler(CaseError, case_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Exception, unexpected)
    # Django refuses to read the body: too many fields or files, too large, malformed.
    for refused in (SuspiciousOperation, BadRequest, MultiPartParserError, UnreadablePostError):
        api.add_exception_handler(refused, unreadable_body)
    api.add_exception_handler(ValidationError, invalid_input)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(Http404, not_found)
