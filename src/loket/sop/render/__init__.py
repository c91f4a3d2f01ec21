"""Rendering an SOP: the official document (HTML, PDF), the flowchart (SVG), BPMN and Mermaid.

`render(sop, fmt)` returns the file's bytes; `FORMATS` maps each format to its media type and
file extension, for the command line and the web downloads alike.
"""

from __future__ import annotations

from ..model import Sop

FORMATS: dict[str, tuple[str, str]] = {
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "svg": ("image/svg+xml", "svg"),
    "bpmn": ("application/xml", "bpmn"),
    "mermaid": ("text/plain; charset=utf-8", "mmd"),
}


def render(sop: Sop, fmt: str, *, unit_name: str | None = None, logo: str | None = None) -> bytes:
    """The SOP in format `fmt` (a key of FORMATS); `unit_name` heads the official document (where
    the file has no `kop`) and `logo`, an image file, stands in its logo cell."""
    if fmt == "html":
        from .document import render_html

        return render_html(sop, unit_name=unit_name, logo=logo).encode("utf-8")
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(sop, unit_name=unit_name, logo=logo)
    if fmt == "svg":
        from .svg import render_svg

        return render_svg(sop).encode("utf-8")
    if fmt == "bpmn":
        from .bpmn import render_bpmn

        return render_bpmn(sop).encode("utf-8")
    if fmt == "mermaid":
        from .mermaid import render_mermaid

        return render_mermaid(sop).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
