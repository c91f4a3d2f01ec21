"""The Standar Pelayanan as a PDF (A4 portrait): the unit's letterhead, the title, the table of the
14 components (No | Komponen | Uraian, in its two parts), the signature block, and the SOP's
flowchart as an attachment page (a flowchart is too tall for a table cell that cannot break).

Set by WeasyPrint in the DejaVu fonts shipped with the SOP renderer, as the unit's letters are
(loket.registration.letters), so no system font is needed."""

from __future__ import annotations

import base64
import logging

from django.template.loader import render_to_string

from loket.sop.render.text import FONTS

from .builder import ServiceStandard

# WeasyPrint warns about every CSS property it ignores; the document is tested as a PDF instead.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def letterhead(standard: ServiceStandard) -> list[str]:
    """The letterhead lines: the unit's kop (else its name), its address lines, its contact."""
    identity = standard.unit
    contact = identity.contact_line
    return [*identity.kop, *identity.alamat, *([contact] if contact else [])]


def standard_pdf(standard: ServiceStandard) -> bytes:
    from weasyprint import HTML

    flowchart = standard.component("prosedur").flowchart
    html = render_to_string(
        "service_standard/pdf.html",
        {
            "standard": standard,
            "letterhead": letterhead(standard),
            "logo": standard.unit.logo_uri(),
            "flowchart_uri": (
                "data:image/svg+xml;base64," + base64.b64encode(flowchart.encode("utf-8")).decode("ascii")
                if flowchart
                else ""
            ),
            "fonts": {
                "regular": (FONTS / "DejaVuSansCondensed.ttf").as_uri(),
                "bold": (FONTS / "DejaVuSansCondensed-Bold.ttf").as_uri(),
            },
        },
    )
    document = HTML(string=html, base_url=str(FONTS)).render()
    document.metadata.title = standard.title
    document.metadata.authors = [standard.unit.nama]
    return document.write_pdf()
