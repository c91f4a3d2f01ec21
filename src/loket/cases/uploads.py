"""Checking uploaded documents before anything is written: type sniffed from the content (PDF,
JPEG, PNG; the file name and the browser's content type are not trusted), size, readability.

`filetype` reads the magic numbers; pypdf and Pillow then open the file, so a renamed or
truncated file is refused with a message the requester understands.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

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


def check_file(*, kode: str, name: str, content: bytes) -> CheckedFile | str:
    """The checked file, or the reason it is refused (Indonesian)."""
    limit = settings.LOKET_UPLOAD_MAX_BYTES
    if not content:
        return _("Berkas %(name)s kosong.") % {"name": name}
    if len(content) > limit:
        return _("Berkas %(name)s terlalu besar (%(size).1f MB); paling besar %(limit).0f MB.") % {
            "name": name,
            "size": len(content) / 1e6,
            "limit": limit / 1e6,
        }
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
