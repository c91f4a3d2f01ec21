"""Stored files (documents, exports) as a response, once the view has checked who may have them.

By default Django streams the file. With `LOKET_ACCEL_REDIRECT` set (an nginx `internal`
location, e.g. `/_berkas/`, whose `alias` is MEDIA_ROOT) and files on the local file system,
the response is empty and carries `X-Accel-Redirect: <prefix><storage name>`: nginx sends the
bytes and the web process is free at once. Files in object storage (LOKET_STORAGE=s3) are
streamed from the storage either way: nginx cannot read them from a path.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def stored_file_response(
    file: FieldFile, *, content_type: str, filename: str, as_attachment: bool = False
) -> HttpResponse | FileResponse:
    """The response for `file`: streamed, or handed to nginx (see the module's docstring).

    Either way it carries `content_type` and a Content-Disposition naming `filename` (inline
    unless `as_attachment`); the caller adds its own headers after."""
    prefix = settings.LOKET_ACCEL_REDIRECT
    if prefix and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(file.name or "")
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    return FileResponse(file.open("rb"), content_type=content_type, as_attachment=as_attachment, filename=filename)
