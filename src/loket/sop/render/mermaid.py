"""The SOP as a Mermaid flowchart, for Markdown pages and quick previews.

`render_mermaid` writes a `flowchart TD` with one subgraph per `pelaksana` (the swimlanes, in their
order), a stadium `Mulai` before the first step, a stadium `Selesai` after every step that ends the
flow, a rectangle "<no>. <uraian>" per step and a rhombus per decision step, whose two edges are
labelled Ya and Tidak. A decision shows "<no>. <pertanyaan>": the question is what the diamond of the
printed SOP stands for, and the full activity text would blow the rhombus up.

Node ids follow the step numbers (`s5`, `selesai_7`), so the text is stable for the same SOP.
Pure Python, no Django.
"""

from __future__ import annotations

from ..model import SELESAI, Kegiatan, Sop, Target

INDENT = "    "

# Mermaid entity codes (#name; or #decimal;). Quotes would end the label; "#" would start an
# entity; "<"/">" would be read as HTML; a leading backtick would make a Markdown string.
_ESCAPES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "`": "#96;"}


def render_mermaid(sop: Sop) -> str:
    """The SOP as Mermaid flowchart text (ends with a newline)."""
    steps = sorted(sop.kegiatan, key=lambda k: k.no)
    known = {k.no for k in steps}
    first = sop.first

    def node_id(k: Kegiatan, t: Target) -> str:
        if t == SELESAI:
            return f"selesai_{k.no}"
        if t not in known:
            raise ValueError(f"kegiatan {k.no} menuju kegiatan {t} yang tidak ada")
        return f"s{t}"

    lines = ["flowchart TD"]
    for i, lane in enumerate(sop.pelaksana):
        lines.append(f'{INDENT}subgraph lane_{i + 1}["{_escape(lane)}"]')
        if sop.lane(first) == i:
            lines.append(f"{INDENT * 2}mulai([Mulai])")
        for k in steps:
            if sop.lane(k) != i:
                continue
            if k.keputusan is not None:
                lines.append(f'{INDENT * 2}s{k.no}{{"{_escape(f"{k.no}. {k.keputusan.pertanyaan}")}"}}')
            else:
                lines.append(f'{INDENT * 2}s{k.no}["{_escape(f"{k.no}. {k.uraian}")}"]')
            if SELESAI in k.targets:
                lines.append(f"{INDENT * 2}selesai_{k.no}([Selesai])")
        lines.append(f"{INDENT}end")

    lines.append(f"{INDENT}mulai --> s{first.no}")
    for k in steps:
        for key, target in k.branches:
            arrow = "-->" if key == "lanjut" else f"-->|{key.capitalize()}|"
            lines.append(f"{INDENT}s{k.no} {arrow} {node_id(k, target)}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    text = " ".join(text.split())
    return "".join(_ESCAPES.get(c, c) for c in text)
