"""A scan's compressed image data spells PDF names by chance (`/JS `, `/EF` followed by a
delimiter: about one 200 KB scan in 300): the raw name search leaves such binary stream data
out, so an honest scan is accepted, while a stream that could hide objects is still searched."""

from __future__ import annotations

import io
import random

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject

from loket.cases.uploads import CheckedFile, check_file


def _scan(data: bytes, **entries: object) -> bytes:
    """A one-page PDF whose page draws an image XObject holding `data` (as a scanner writes it)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    image = StreamObject()
    image._data = data
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(8),
            NameObject("/Height"): NumberObject(8),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
            **{NameObject(k): v for k, v in entries.items()},  # type: ignore[misc]
        }
    )
    resources = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _noise(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def _checked(content: bytes) -> CheckedFile | str:
    return check_file(kode="sk", name="sk.pdf", content=content)


def test_a_scan_whose_image_data_spells_an_active_name_by_chance_is_accepted():
    for chance in (b"/JS ", b"/EF\n", b"/AA(", b"/J#53<"):
        content = _scan(_noise(20_000) + chance + _noise(20_000, seed=8))
        assert chance in content
        assert isinstance(_checked(content), CheckedFile), chance


def test_object_syntax_inside_binary_stream_data_is_still_searched():
    hidden = b"\n9 0 obj << /Type /Action /S /JavaScript /JS (app.alert(1)) >> endobj\n"
    refused = _checked(_scan(_noise(20_000) + hidden + _noise(20_000, seed=8)))
    assert isinstance(refused, str) and "konten aktif" in refused


def test_text_stream_data_is_still_searched():
    refused = _checked(_scan(b"q 1 0 0 1 0 0 cm /JS (app.alert(1)) Tj Q " * 50))
    assert isinstance(refused, str) and "konten aktif" in refused


def test_an_object_stream_is_still_searched_however_binary_its_data():
    refused = _checked(_scan(_noise(20_000) + b"/JS " + _noise(2_000, seed=8), **{"/Type": NameObject("/ObjStm")}))
    assert isinstance(refused, str) and "konten aktif" in refused


def test_a_stream_dictionary_too_long_to_read_is_searched():
    # `/Type /ObjStm` more than the window before `stream`: the scan cannot tell it is no object
    # stream, so it searches the data rather than trust it.
    padding = TextStringObject("x" * 2_000)
    content = _scan(
        _noise(20_000) + b"/JS " + _noise(2_000, seed=8), **{"/Type": NameObject("/ObjStm"), "/Pad": padding}
    )
    assert content.find(b"/ObjStm") < content.find(b"stream") - 1024
    refused = _checked(content)
    assert isinstance(refused, str) and "konten aktif" in refused
