"""Checking uploaded documents before anything is written: type sniffed from the content (PDF,
JPEG, PNG; the file name and the browser's content type are not trusted), size, readability.

`filetype` reads the magic numbers; pypdf and Pillow then open the file, so a renamed or
truncated file is refused with a message the requester understands.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

ACCEPTED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class CheckedFile:
    kode: str
    name: str
    content: bytes
    content_type: str
    sha256: str


class UploadRejected(ValueError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def too_large(name: str, size: int) -> str:
    return _("Berkas %(name)s terlalu besar (%(size).1f MB); paling besar %(limit).0f MB.") % {
        "name": name,
        "size": size / 1e6,
        "limit": settings.LOKET_UPLOAD_MAX_BYTES / 1e6,
    }


def read_upload(upload: Any, *, default_name: str) -> tuple[str, bytes, str | None]:
    """(name, content, refusal) of an uploaded file. Never more than one byte past the limit is
    read: that byte is enough for `check_file` to refuse it; the refusal here gives the real size."""
    limit = settings.LOKET_UPLOAD_MAX_BYTES
    name = upload.name or default_name
    content = upload.read(limit + 1)
    size = upload.size or 0
    return name, content, too_large(name, size) if size > limit else None


def check_file(*, kode: str, name: str, content: bytes) -> CheckedFile | str:
    """The checked file, or the reason it is refused (Indonesian)."""
    if not content:
        return _("Berkas %(name)s kosong.") % {"name": name}
    if len(content) > settings.LOKET_UPLOAD_MAX_BYTES:
        return too_large(name, len(content))
    kind = filetype.guess(content)
    mime = kind.mime if kind else ""
    if mime not in ACCEPTED:
        return _("Berkas %(name)s bukan PDF, JPEG atau PNG. Simpan ulang sebagai PDF lalu unggah kembali.") % {
            "name": name
        }
    if not _readable(content, mime):
        return _("Berkas %(name)s rusak atau tidak dapat dibuka. Periksa berkasnya lalu unggah kembali.") % {
            "name": name
        }
    return CheckedFile(kode, name[:255], content, mime, hashlib.sha256(content).hexdigest())


def _readable(content: bytes, mime: str) -> bool:
    try:
        if mime == "application/pdf":
            reader = PdfReader(io.BytesIO(content))
            return len(reader.pages) > 0
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        return True
    except (PdfReadError, OSError, ValueError, KeyError, IndexError, TypeError, Image.DecompressionBombError):
        return False


def check_files(files: list[tuple[str, str, bytes]], *, allowed_kodes: set[str]) -> list[CheckedFile]:
    """Check every (kode, name, content); raise UploadRejected naming each bad one, or return all."""
    problems: dict[str, str] = {}
    checked: list[CheckedFile] = []
    for kode, name, content in files:
        if kode not in allowed_kodes:
            problems[kode] = _("Jenis berkas %(kode)s tidak diminta oleh SOP layanan ini.") % {"kode": kode}
            continue
        result = check_file(kode=kode, name=name, content=content)
        if isinstance(result, str):
            problems[kode] = result
        else:
            checked.append(result)
    if problems:
        raise UploadRejected(problems)
    return checked
