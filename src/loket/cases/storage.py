"""Writing a case's documents: the requester's checked uploads, and the documents Loket makes
for a case (e.g. a reply letter), each stored under its SHA-256 with a Document row."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile

from .models import Case, Document
from .uploads import CheckedFile


def store_documents(case: Case, checked: Iterable[CheckedFile], *, step: int) -> list[Document]:
    written: list[Document] = []
    try:
        for item in checked:
            doc = Document(
                case=case,
                kode=item.kode,
                original_name=item.name,
                content_type=item.content_type,
                size=len(item.content),
                sha256=item.sha256,
                step=step,
            )
            doc.file.save(item.sha256, ContentFile(item.content), save=False)
            written.append(doc)
        Document.objects.bulk_create(written)  # one INSERT for all of them
    except Exception:
        # The transaction rolls the rows back; the files are ours to remove.
        for doc in written:
            doc.file.delete(save=False)
        raise
    return written


def store_made(case: Case, *, kode: str, name: str, content: bytes, content_type: str, step: int) -> Document:
    """A document Loket made for the case (not checked as an upload: it is ours)."""
    made = CheckedFile(kode, name, content, content_type, hashlib.sha256(content).hexdigest())
    return store_documents(case, [made], step=step)[0]
