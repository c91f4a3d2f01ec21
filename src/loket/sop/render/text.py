"""Measuring text the way the page will set it, so that row heights are known before printing.

The document's font (DejaVu Sans Condensed, shipped in `fonts/` under its free licence and
embedded in every HTML and PDF) is measured with Pillow (already required by WeasyPrint) and
wrapped greedily word by word, as browsers and WeasyPrint do.
"""

from __future__ import annotations

import base64
import io
import logging
from functools import lru_cache
from pathlib import Path

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont
from PIL import ImageFont

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Loket Sans, DejaVu Sans Condensed, DejaVu Sans, sans-serif"
PT_TO_MM = 25.4 / 72
_MEASURE_SIZE = 100  # measure at a large size and scale: Pillow rounds lengths to whole pixels


@lru_cache(maxsize=4)
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansCondensed-Bold.ttf" if bold else "DejaVuSansCondensed.ttf"
    return ImageFont.truetype(str(FONTS / name), _MEASURE_SIZE)


def text_width(text: str, size_pt: float, *, bold: bool = False) -> float:
    """Width in millimetres of `text` on one line."""
    return _font(bold).getlength(text) * size_pt / _MEASURE_SIZE * PT_TO_MM


def wrap(text: str, width_mm: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """Lines of `text` wrapped to `width_mm`; a word longer than a line stands on its own line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size_pt, bold=bold) > width_mm:
                lines.append(line)
                # a word wider than the column breaks anywhere (overflow-wrap), one line per width
                extra = int(text_width(word, size_pt, bold=bold) // width_mm)
                lines.extend([""] * extra)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def height(text: str, width_mm: float, size_pt: float, *, line_height: float = 1.25, bold: bool = False) -> float:
    """Height in millimetres that `text` takes in a column `width_mm` wide."""
    return len(wrap(text, width_mm, size_pt, bold=bold)) * size_pt * line_height * PT_TO_MM


# Latin with Indonesian's needs, typographic quotes and dashes, the bullet and the arrow.
_SUBSET = [*range(0x20, 0x250), 0xA0, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2192, 0x2265]


def _subset(name: str) -> bytes:
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # it chatters about tables it drops
    font = TTFont(str(FONTS / name))
    subsetter = Subsetter(Options())
    subsetter.populate(unicodes=_SUBSET)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def font_face_css() -> str:
    """@font-face rules embedding the document's font (a Latin subset), so every reader sets the
    same lines as were measured."""
    rules = []
    for weight, name in (("normal", "DejaVuSansCondensed.ttf"), ("bold", "DejaVuSansCondensed-Bold.ttf")):
        data = base64.b64encode(_subset(name)).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: 'Loket Sans'; font-weight: {weight}; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
        )
    return "\n".join(rules)
