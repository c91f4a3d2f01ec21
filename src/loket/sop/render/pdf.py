"""The official document as PDF: the HTML document set by WeasyPrint (A4 landscape)."""

from __future__ import annotations

import logging
from pathlib import Path

from ..model import Sop
from .document import render_html

# WeasyPrint warns about every CSS property it ignores; the document is tested as a PDF instead.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_pdf(sop: Sop, *, unit_name: str | None = None, logo: str | Path | None = None) -> bytes:
    from weasyprint import HTML

    html = render_html(sop, unit_name=unit_name, logo=logo)
    document = HTML(string=html).render()
    document.metadata.title = f"SOP {sop.nomor} {sop.nama}"
    document.metadata.authors = [unit_name or sop.unit]
    return document.write_pdf()
