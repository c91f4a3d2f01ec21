"""Malformed and hostile uploads, generated (no fixture files): the corpus of the upload tests
(tests/cases/test_upload_payloads.py, tests/api/test_upload_fuzz.py, tests/web/test_upload_limits.py).

Each `Sample` says what Loket must do with it:

- `refuse`: never accepted (active or encrypted PDFs, truncations, wrong types, pixel bombs...);
- `clean`: accepted, but the stored bytes are the re-encoded image, without `marker` (the
  polyglot tail, a comment), so what is stored is an image and nothing else;
- `either`: a bit flip may leave a readable file; if accepted, what is stored must pass the
  checks again (and for an image, be Pillow's own encoding).

The corpus is deterministic (a seeded random generator), so a failure names the same sample on
every run.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from tests.factories import pdf_bytes


@dataclass(frozen=True)
class Sample:
    label: str
    name: str
    content: bytes
    expect: str  # "refuse", "clean" or "either"
    marker: bytes = b""


# -- building blocks --------------------------------------------------------------------------------


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/" + kind)})
    for key, value in entries.items():
        action[NameObject("/" + key)] = value  # type: ignore[assignment]
    return action


def _with_annotation(subtype: str, **entries: object) -> bytes:
    writer = _writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/" + subtype),
            NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(100), FloatObject(40)]),
        }
    )
    for key, value in entries.items():
        annotation[NameObject("/" + key)] = value  # type: ignore[assignment]
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _written(writer)


def _link(action: DictionaryObject) -> bytes:
    return _with_annotation("Link", A=action)


def _catalog(key: str, value: object) -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/" + key)] = value  # type: ignore[assignment]
    return _written(writer)


def _page_aa(trigger: str, action: DictionaryObject) -> bytes:
    writer = _writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/" + trigger): action})
    return _written(writer)


JS = TextStringObject("app.alert('x')")


def active_pdfs() -> list[tuple[str, bytes]]:
    """One PDF per kind of active content, each otherwise a plain one-page PDF."""
    out: list[tuple[str, bytes]] = []
    names = ArrayObject([TextStringObject("x"), _action("JavaScript", JS=JS)])
    tree = DictionaryObject({NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})})
    out.append(("names-javascript", _catalog("Names", tree)))
    writer = _writer()
    writer.add_attachment("program.exe", b"MZ\x90\x00 This program cannot be run in DOS mode")
    out.append(("embedded-file", _written(writer)))
    out.append(("openaction-javascript", _catalog("OpenAction", _action("JavaScript", JS=JS))))
    out.append(("openaction-launch", _catalog("OpenAction", _action("Launch", F=TextStringObject("cmd.exe")))))
    out.append(("openaction-submitform", _catalog("OpenAction", _action("SubmitForm", F=TextStringObject("http://x")))))
    out.append(("openaction-importdata", _catalog("OpenAction", _action("ImportData", F=TextStringObject("a.fdf")))))
    out.append(
        ("openaction-gotor-unc", _catalog("OpenAction", _action("GoToR", F=TextStringObject("\\\\evil\\s\\a.pdf"))))
    )
    out.append(("openaction-gotoe", _catalog("OpenAction", _action("GoToE", T=DictionaryObject()))))
    out.append(("openaction-rendition", _catalog("OpenAction", _action("Rendition", OP=NumberObject(0)))))
    out.append(
        ("openaction-uri-js", _catalog("OpenAction", _action("URI", URI=TextStringObject("javascript:alert(1)"))))
    )
    out.append(("catalog-aa", _catalog("AA", DictionaryObject({NameObject("/WC"): _action("JavaScript", JS=JS)}))))
    out.append(("page-aa-open", _page_aa("O", _action("JavaScript", JS=JS))))
    out.append(("page-aa-goto", _page_aa("C", _action("GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")])))))
    out.append(
        (
            "acroform-xfa",
            _catalog(
                "AcroForm",
                DictionaryObject(
                    {NameObject("/XFA"): TextStringObject("<xdp/>"), NameObject("/Fields"): ArrayObject()}
                ),
            ),
        )
    )
    for uri in (
        "javascript:alert(1)",
        "  JaVaScRiPt:alert(1)",
        "data:text/html,<b>x",
        "file:///etc/passwd",
        "vbscript:x",
    ):
        out.append((f"link-uri-{uri.strip()[:10]}", _link(_action("URI", URI=TextStringObject(uri)))))
    out.append(("link-launch", _link(_action("Launch", F=TextStringObject("calc.exe")))))
    out.append(("link-submitform", _link(_action("SubmitForm", F=TextStringObject("https://x.example")))))
    out.append(("link-javascript", _link(_action("JavaScript", JS=JS))))
    out.append(
        (
            "link-goto-next-js",
            _link(_action("GoTo", D=ArrayObject([NumberObject(0)]), Next=_action("JavaScript", JS=JS))),
        )
    )
    out.append(
        (
            "link-untyped-js",
            _link(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): JS})),
        )
    )
    for subtype in ("FileAttachment", "RichMedia", "3D", "Movie", "Sound", "Screen"):
        out.append((f"annotation-{subtype}", _with_annotation(subtype)))
    out.append(
        ("widget-aa", _with_annotation("Widget", AA=DictionaryObject({NameObject("/K"): _action("JavaScript", JS=JS)})))
    )
    js_stream = StreamObject()
    js_stream._data = b"app.alert(1)"
    out.append(("openaction-js-stream", _catalog("OpenAction", _action("JavaScript", JS=js_stream))))
    # Written by hand: an escaped name (/J#61vaScript), an object no reference reaches, and one
    # behind a broken cross-reference table.
    out.append(
        ("escaped-name", _raw_pdf(b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >>", referenced=True))
    )
    out.append(
        ("fully-escaped-name", _raw_pdf(b"<< /S /#4A#61#76#61#53#63#72#69#70#74 /#4A#53 (x) >>", referenced=True))
    )
    out.append(("orphan-object", _raw_pdf(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>", referenced=False)))
    out.append(("orphan-launch", _raw_pdf(b"<< /S /Launch /Win << /F (cmd.exe) >> >>", referenced=False)))
    return out


def _raw_pdf(extra: bytes, *, referenced: bool) -> bytes:
    """A one-page PDF written by hand with `extra` as object 4 (the catalog's OpenAction when
    `referenced`)."""
    open_action = b" /OpenAction 4 0 R" if referenced else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + open_action + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        extra,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdfs() -> list[tuple[str, bytes]]:
    out = []
    for label, user, owner, algorithm in (
        ("rc4-password", "rahasia", "pemilik", "RC4-128"),
        ("rc4-empty-user-password", "", "pemilik", "RC4-128"),
        ("aes-password", "rahasia", "pemilik", "AES-128"),
        ("aes256-empty-user-password", "", "pemilik", "AES-256"),
    ):
        writer = _writer()
        writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
        out.append((label, _written(writer)))
    return out


def image(kind: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **params: object) -> bytes:
    rng = random.Random(f"{kind}{size}{mode}")
    picture = Image.new(mode, size, "white")
    for _ in range(40):
        picture.putpixel(
            (rng.randrange(size[0]), rng.randrange(size[1])),
            rng.randrange(255) if mode in {"L", "P"} else (rng.randrange(255),) * len(mode),
        )
    out = io.BytesIO()
    picture.save(out, format=kind, **params)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_size(width: int, height: int, *, body: bytes = b"\x00" * 16) -> bytes:
    """A PNG header claiming width × height, with a tiny IDAT: a pixel bomb's header."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(body))
        + _png_chunk(b"IEND", b"")
    )


def png_bomb(width: int, height: int) -> bytes:
    """A real, complete grey PNG of width × height whose zeros compress to almost nothing."""
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def jpeg_with_size(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) is patched to claim width × height."""
    content = bytearray(image("JPEG", (16, 16)))
    at = content.index(b"\xff\xc0")
    struct.pack_into(">HH", content, at + 5, height, width)
    return bytes(content)


ZIP_TAIL = (
    b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    + b"\x00" * 12
    + b"\x07\x00\x00\x00a.phtml<?php system($_GET[c]); ?>"
)
HTML_TAIL = b"<html><body><script>alert(document.domain)</script></body></html>"


def _flip(content: bytes, rng: random.Random, flips: int) -> bytes:
    data = bytearray(content)
    for _ in range(flips):
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
    return bytes(data)


# -- the corpus -------------------------------------------------------------------------------------


@functools.cache
def corpus() -> tuple[Sample, ...]:
    rng = random.Random(20260508)
    samples: list[Sample] = []

    def add(label: str, name: str, content: bytes, expect: str = "refuse", marker: bytes = b"") -> None:
        samples.append(Sample(label, name, content, expect, marker))

    pdf = pdf_bytes(2)
    png = image("PNG", (120, 80))
    jpeg = image("JPEG", (120, 80))

    for label, content in active_pdfs():
        add(f"pdf-active-{label}", "surat.pdf", content)
    for label, content in encrypted_pdfs():
        add(f"pdf-encrypted-{label}", "surat.pdf", content)

    # Polyglots: a PDF with HTML or a ZIP after its end or hidden inside, images with tails.
    add("pdf-html-tail", "surat.pdf", pdf + HTML_TAIL)
    add("pdf-zip-tail", "surat.pdf", pdf + ZIP_TAIL)
    add("pdf-html-comment", "surat.pdf", pdf.replace(b"\n", b"\n%" + HTML_TAIL + b"\n", 1))
    add("pdf-html-then-eof", "surat.pdf", pdf + HTML_TAIL + b"\n%%EOF\n")
    add("html-then-pdf", "surat.pdf", HTML_TAIL + pdf)
    for tail_name, tail in (("zip", ZIP_TAIL), ("html", HTML_TAIL)):
        add(f"png-{tail_name}-tail", "foto.png", png + tail, "clean", tail[:12])
        add(f"jpeg-{tail_name}-tail", "foto.jpg", jpeg + tail, "clean", tail[:12])
    comment = b"<script>alert(1)</script>"
    add("jpeg-html-comment", "foto.jpg", image("JPEG", (50, 50), comment=comment), "clean", comment)
    add("jpeg-html-exif", "foto.jpg", image("JPEG", (50, 50), exif=b"Exif\x00\x00" + comment), "clean", comment)
    add("png-html-text", "foto.png", image("PNG", (50, 50), pnginfo=_pnginfo(comment.decode())), "clean", comment)
    add("png-html-icc", "foto.png", image("PNG", (50, 50), icc_profile=comment * 4), "clean", comment)
    add("png-html-palette", "foto.png", _palette_png(comment), "clean", comment)
    for i in range(8):
        # a polyglot tail at a random size, random bytes after the image's end
        tail = HTML_TAIL + rng.randbytes(rng.randrange(1, 4000))
        add(f"png-random-tail-{i}", "foto.png", png + tail, "clean", HTML_TAIL)
        add(f"jpeg-random-tail-{i}", "foto.jpg", jpeg + tail, "clean", HTML_TAIL)

    # Truncations: every kind cut at many places (a PDF without its end, a PNG without IEND).
    for kind, content, name in (("pdf", pdf, "surat.pdf"), ("png", png, "foto.png"), ("jpeg", jpeg, "foto.jpg")):
        cuts = sorted({1, 4, 8, 16, 33, len(content) // 2, len(content) - 1, len(content) - 2, len(content) - 12})
        cuts += sorted(rng.sample(range(2, len(content) - 1), 20))
        for cut in cuts:
            # Only the newline after %%EOF cut: still a whole PDF.
            add(
                f"{kind}-truncated-at-{cut}",
                name,
                content[:cut],
                "either" if content[:cut].endswith(b"%%EOF") else "refuse",
            )
    add("png-without-iend", "foto.png", png[: png.rindex(b"IEND") - 4])

    # Bit flips: may leave a readable file; what is stored must then still be clean.
    for kind, content, name in (("pdf", pdf, "surat.pdf"), ("png", png, "foto.png"), ("jpeg", jpeg, "foto.jpg")):
        for i in range(35):
            add(f"{kind}-bitflip-{i}", name, _flip(content, rng, rng.choice((1, 2, 8, 64))), "either")

    # Headers of one type, bodies of another.
    add("pdf-header-png-body", "surat.pdf", b"%PDF-1.7\n" + png)
    add("pdf-header-jpeg-body", "surat.pdf", b"%PDF-1.4\n" + jpeg)
    add("pdf-header-html", "surat.pdf", b"%PDF-1.7\n" + HTML_TAIL)
    add("pdf-header-only", "surat.pdf", b"%PDF-1.7\n%%EOF\n")
    add("png-signature-jpeg-body", "foto.png", b"\x89PNG\r\n\x1a\n" + jpeg)
    add("png-signature-pdf-body", "foto.png", b"\x89PNG\r\n\x1a\n" + pdf)
    add("png-signature-html", "foto.png", b"\x89PNG\r\n\x1a\n" + HTML_TAIL)
    add("jpeg-soi-png-body", "foto.jpg", b"\xff\xd8\xff\xe0" + png)
    add("jpeg-soi-pdf-body", "foto.jpg", b"\xff\xd8\xff\xe0" + pdf)
    add("jpeg-soi-html", "foto.jpg", b"\xff\xd8\xff\xdb" + HTML_TAIL)
    add("png-bad-crc", "foto.png", png[:29] + bytes([png[29] ^ 0xFF]) + png[30:])
    add(
        "png-idat-garbage",
        "foto.png",
        png_with_size(100, 100, body=b"")[:-24] + _png_chunk(b"IDAT", b"\x00garbage") + _png_chunk(b"IEND", b""),
    )

    # Pixel bombs and absurd dimensions.
    for width, height in (
        (14_000, 12_000),
        (1, 100_000_000),
        (100_000_000, 1),
        (65_535, 65_535),
        (8_000, 5_001),
        (2**31 - 1, 2**31 - 1),
        (0, 10),
        (10, 0),
    ):
        add(f"png-claims-{width}x{height}", "foto.png", png_with_size(width, height))
    add("png-bomb-real-7000x6000", "foto.png", png_bomb(7_000, 6_000))
    for width, height in ((14_000, 12_000), (65_535, 65_535), (1, 65_535 * 0 + 65_535), (7_000, 6_000)):
        add(f"jpeg-claims-{width}x{height}", "foto.jpg", jpeg_with_size(width, height))
    add("png-ztxt-bomb", "foto.png", _ztxt_bomb(png))

    # Other types, and no type at all.
    for kind in ("GIF", "BMP", "TIFF", "WEBP", "ICO"):
        add(f"other-{kind.lower()}", f"foto.{kind.lower()}", image(kind, (32, 32)))
    add("svg-script", "foto.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    add("html-named-pdf", "surat.pdf", HTML_TAIL)
    add("exe-named-pdf", "surat.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200)
    add("zip-named-pdf", "surat.pdf", ZIP_TAIL)
    add("empty", "surat.pdf", b"")
    add("one-byte", "surat.pdf", b"%")
    add("nul-bytes", "surat.pdf", b"\x00" * 4096)
    for i in range(6):
        add(f"random-{i}", "surat.pdf", rng.randbytes(rng.randrange(1, 20_000)))

    # Control characters and paths in names: a good file, whose name must come out clean.
    for i, name in enumerate(
        (
            "sur\x00at.pdf",
            "a\r\nb.pdf",
            "..\\..\\win.ini.pdf",
            "../../etc/passwd.pdf",
            "\x1b[31mred.pdf",
            "\u202egnp.pdf",
            "x" * 400 + ".pdf",
        )
    ):
        add(f"name-{i}", name, pdf, "clean")
    return tuple(samples)


def _pnginfo(text: str):  # type: ignore[no-untyped-def]
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", text)
    return info


def _palette_png(payload: bytes) -> bytes:
    picture = Image.new("P", (40, 40), 0)
    palette = (payload + b"\x00" * 768)[:768]
    picture.putpalette(palette)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _ztxt_bomb(png: bytes) -> bytes:
    """A PNG with a compressed text chunk that inflates to 50 MB."""
    data = b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000, 9)
    at = png.index(b"IDAT") - 4
    return png[:at] + _png_chunk(b"zTXt", data) + png[at:]
