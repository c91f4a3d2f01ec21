"""How much of a request the server reads: no more than the largest request an installed SOP
allows, and of each file no more than one byte past the file limit.

* `RequestSizeMiddleware` answers 413 to a request whose declared length (Content-Length) is
  over `request_limit()` before anything reads its body: an anonymous client cannot make the
  server take in, buffer or write 30 MB to learn that 5 MB is the limit. The API answers in its
  JSON shape, the pages with a page that says what to do.
* `CappedUploadHandler` (the only upload handler) keeps at most LOKET_UPLOAD_MAX_BYTES + 1 bytes
  of each file and counts the rest. A file over the limit inside a request under it is then
  refused by `cases.uploads` with its true size, while the form's other fields arrive whole, so
  the requester corrects one file and loses nothing else.

The request limit follows the SOPs: the most documents any installed SOP asks for, times the
file limit, plus LOKET_REQUEST_FIELDS_BYTES for the form's fields and the multipart framing.
LOKET_REQUEST_MAX_BYTES, when set, replaces it (e.g. to match a proxy's `client_max_body_size`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def most_documents() -> int:
    """The most documents (`berkas`) one installed SOP's request carries (at least one)."""
    from loket.catalog.selectors import latest_versions, parsed

    return max((len(parsed(version).berkas) for version in latest_versions()), default=1) or 1


def request_limit() -> int:
    """The largest request body read at all, in bytes."""
    if settings.LOKET_REQUEST_MAX_BYTES:
        return int(settings.LOKET_REQUEST_MAX_BYTES)
    return most_documents() * settings.LOKET_UPLOAD_MAX_BYTES + settings.LOKET_REQUEST_FIELDS_BYTES


def limit_passed(length: int) -> int | None:
    """The request limit when `length` is over it, else None. The SOPs are read only for a body
    larger than a one-document request could be."""
    if not settings.LOKET_REQUEST_MAX_BYTES and length <= (
        settings.LOKET_UPLOAD_MAX_BYTES + settings.LOKET_REQUEST_FIELDS_BYTES
    ):
        return None
    limit = request_limit()
    return limit if length > limit else None


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large_message(length: int, limit: int) -> str:
    return _(
        "Kiriman terlalu besar (%(size)s); satu permohonan paling besar %(limit)s, "
        "%(file)s untuk setiap berkas. Kecilkan berkasnya (misalnya pindai ulang dengan "
        "resolusi lebih rendah) lalu kirim kembali."
    ) % {
        "size": filesizeformat(length),
        "limit": filesizeformat(limit),
        "file": filesizeformat(settings.LOKET_UPLOAD_MAX_BYTES),
    }


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS:
            length = declared_length(request)
            limit = limit_passed(length)
            if limit is not None:
                return refuse(request, length, limit)
        return self.get_response(request)


def refuse(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    message = too_large_message(length, limit)
    # The body stays unread. No `Connection: close` here: it is a hop-by-hop header, which WSGI
    # leaves to the server (the WSGI servers close or drain a connection whose body was not read).
    if request.path_info.startswith("/api/"):  # where loket.urls mounts the API
        response: HttpResponse = JsonResponse({"detail": message, "problems": {}}, status=413)
    else:
        response = render(request, "web/request_too_large.html", {"message": message}, status=413)
    return response


class CappedUploadHandler(FileUploadHandler):
    """Keeps each file's first LOKET_UPLOAD_MAX_BYTES + 1 bytes (in memory up to
    FILE_UPLOAD_MAX_MEMORY_SIZE, then in a temporary file) and its true size."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.keep = settings.LOKET_UPLOAD_MAX_BYTES + 1
        self.size = 0
        self.file = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115 (closed with the request, as Django closes its uploads)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.keep - self.size
        if room > 0:
            self.file.write(raw_data[:room])
        self.size += len(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.seek(0)
        return UploadedFile(
            file=self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()
