"""Checking uploaded documents before anything is written: type sniffed from the content (PDF,
JPEG, PNG; the file name and the browser's content type are not trusted), size, readability, and
that the file carries nothing but a document.

`filetype` reads the magic numbers; pypdf and Pillow then open the file, so a renamed, truncated
or corrupt file is refused with a message the requester understands. Nothing a parser raises on
hostile input leaves this module: any exception while reading a file means "unreadable".

**PDFs are refused, not rewritten**, when they carry active content (JavaScript, actions other
than going to a page or opening a web/mail link, additional actions `/AA`, launching programs,
submitting or importing form data, embedded files and attachments, XFA forms, rich media, 3D,
movies, sounds) or are encrypted, and when bytes follow the final `%%EOF` or HTML markup hides in
the file (PDF/HTML polyglots). Rewriting (pypdf re-saving without the dangerous keys) would have
to be proven complete against every viewer's reading of every key; a refusal is proven by the
check alone, and a requester's letter or SK never needs any of these. The check walks the whole
object graph from the trailer (catalog, page tree, annotations, outlines, name trees, AcroForm,
action chains) as pypdf reads it, and also scans the raw bytes for the same names (also when
spelled with `#xx` escapes), so objects outside the graph or a viewer that reads a damaged file
differently find nothing either; the data of binary streams that hold no object syntax (a scan's
compressed image) is left out of that scan, where names appear by chance.

**Images are re-encoded** (Pillow) and the re-encoded bytes are what is stored and hashed:
anything after the image's end (ZIP or HTML tails), comments, EXIF (GPS positions included, after
turning the picture upright), ICC profiles, text chunks and palettes do not survive. An image
over `MAX_PIXELS` is refused before its pixels are decoded (so are Pillow's decompression bombs).

Limits per request: one file per document kode, and no more files than the SOP has documents
(`check_files`); the readers (`read_upload`, `UploadReader`) never read more than one byte past
the size limit of a file, nor more than `MAX_FILES_READ` files of one request.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject, TextStringObject

# pypdf logs a warning for each oddity of a hostile file (and fails to format some of them):
# noise here, where every such file is refused anyway.
logging.getLogger("pypdf").setLevel(logging.ERROR)

ACCEPTED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

MAX_PIXELS = 40_000_000  # 40 megapixels: a 12 MP phone photo or an A4 scan at 600 dpi (35 MP) fits
MAX_FILES_READ = 20  # files of one request read at all; the SOP's own limit is checked in check_files
MAX_PDF_OBJECTS = 200_000  # a document needing more objects than this is not a letter

# Names that make a PDF active wherever they appear as a dictionary key.
ACTIVE_KEYS = frozenset(
    {"JS", "JavaScript", "AA", "EmbeddedFiles", "EmbeddedFile", "EF", "XFA", "RichMediaContent", "OnInstantiate"}
)
# Action types (/S) that may stay: going somewhere in the document, a named page move, a link.
SAFE_ACTIONS = frozenset({"GoTo", "Named", "URI", "Thread"})
ACTIVE_SUBTYPES = frozenset({"FileAttachment", "RichMedia", "3D", "Movie", "Sound", "Screen"})
SAFE_URI = re.compile(r"^\s*(https?|mailto):", re.IGNORECASE)
# The same names found anywhere in the raw bytes (a name ends at whitespace or a delimiter).
RAW_NAMES = frozenset(
    {
        *ACTIVE_KEYS,
        "Launch",
        "SubmitForm",
        "ImportData",
        "GoToE",
        "GoToR",
        "Rendition",
        "RichMedia",
        "FileAttachment",
        "Encrypt",
    }
)
RAW_NAME = re.compile(rb"/([A-Za-z0-9#]{1,127})(?=[\s/<>\[\]()%{}]|$)")
# What makes a viewer read objects inside a stream's data (object syntax), and the name of an
# object stream, in any spelling of `/ObjStm` (#xx escapes).
OBJECT_WORDS = (b"obj", b"trailer", b"startxref")
HEAD_WINDOW = 1024  # bytes before `stream` read for its dictionary (a scan's is ~200)
OBJECT_STREAM = re.compile(rb"/(?:O|#4[Ff])(?:b|#62)(?:j|#6[Aa])(?:S|#53)(?:t|#74)(?:m|#6[Dd])")
HTML = re.compile(rb"<\s*(script|html|body|iframe|svg|object|embed|meta|form|style|!doctype)\b", re.IGNORECASE)
EOF_TAIL = re.compile(rb"%%EOF[\s\x00]*\Z")
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk, whole with its checksum
JPEG_END = b"\xff\xd9"  # EOI


@dataclass(frozen=True)
class CheckedFile:
    kode: str
    name: str
    content: bytes  # for an image, the re-encoded bytes
    content_type: str
    sha256: str  # of `content`


class UploadRejected(ValueError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class Refused(bytes):
    """The content of a file its reader refused without reading it (a second file for one
    document, a file past MAX_FILES_READ): empty, carrying the reason to `check_file`."""

    reason: str

    def __new__(cls, reason: str) -> Refused:
        made = super().__new__(cls, b"")
        made.reason = reason
        return made


def too_large(name: str, size: int) -> str:
    # Sizes as the form's hint gives the limit (filesizeformat: "31,5 MB" beside "5,0 MB").
    return _("Berkas %(name)s terlalu besar (%(size)s); paling besar %(limit)s.") % {
        "name": name,
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.LOKET_UPLOAD_MAX_BYTES),
    }


def one_file_only(kode: str) -> str:
    return _("Unggah satu berkas saja untuk %(kode)s (gabungkan beberapa halaman menjadi satu PDF).") % {"kode": kode}


def too_many_files(limit: int) -> str:
    return ngettext(
        "Terlalu banyak berkas: paling banyak %(n)d berkas per permohonan.",
        "Terlalu banyak berkas: paling banyak %(n)d berkas per permohonan, satu untuk setiap jenis berkas.",
        limit,
    ) % {"n": limit}


def unreadable(name: str) -> str:
    return _("Berkas %(name)s rusak atau tidak dapat dibuka. Periksa berkasnya lalu unggah kembali.") % {"name": name}


def too_many_pixels(name: str, width: int = 0, height: int = 0) -> str:
    size = f" ({width} × {height} piksel)" if width and height else ""
    return _(
        "Gambar %(name)s terlalu besar%(size)s; paling besar %(mp)d megapiksel. Kecilkan resolusinya atau simpan sebagai PDF lalu unggah kembali."
    ) % {"name": name, "size": size, "mp": MAX_PIXELS // 1_000_000}


def clean_name(name: str, default: str) -> str:
    """The file name as shown to staff: no control characters or path, at most 255 characters."""
    name = "".join(ch for ch in name if ch.isprintable()).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or default)[:255]


def read_upload(upload: Any, *, default_name: str) -> tuple[str, bytes, str | None]:
    """(name, content, refusal) of an uploaded file. Never more than one byte past the limit is
    read: that byte is enough for `check_file` to refuse it; the refusal here gives the real size."""
    limit = settings.LOKET_UPLOAD_MAX_BYTES
    name = clean_name(upload.name or "", default_name)
    content = upload.read(limit + 1)
    size = upload.size or 0
    return name, content, too_large(name, size) if size > limit else None


class UploadReader:
    """Reads the file parts of one request: the first file of each kode (at most MAX_FILES_READ
    files in all); every further file is passed on as `Refused` content, unread, so that
    `check_files` refuses the request and names the field."""

    def __init__(self) -> None:
        self.read = 0
        self.too_large: dict[str, str] = {}

    def parts(self, kode: str, uploads: Iterable[Any]) -> Iterator[tuple[str, str, bytes]]:
        for i, upload in enumerate(uploads):
            name = clean_name(getattr(upload, "name", "") or "", kode)
            if i > 0:
                yield kode, name, Refused(one_file_only(kode))
            elif self.read >= MAX_FILES_READ:
                yield kode, name, Refused(too_many_files(MAX_FILES_READ))
            else:
                self.read += 1
                name, content, refusal = read_upload(upload, default_name=kode)
                if refusal:
                    self.too_large[kode] = refusal
                yield kode, name, content


def check_file(*, kode: str, name: str, content: bytes) -> CheckedFile | str:
    """The checked file (an image re-encoded), or the reason it is refused (Indonesian). Never
    raises for any content."""
    name = clean_name(name, kode)
    if isinstance(content, Refused):
        return content.reason
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
    if mime == "application/pdf":
        problem = _pdf_problem(content, name)
        if problem:
            return problem
        stored = content
    else:
        result = _reencoded(content, ACCEPTED[mime], name)
        if isinstance(result, str):
            return result
        stored = result
    return CheckedFile(kode, name, stored, mime, hashlib.sha256(stored).hexdigest())


# -- PDF --------------------------------------------------------------------------------------------


class _Active(Exception):
    """Found active content (the message says what, for the log; the requester's is one)."""


class _Unreadable(Exception):
    """Too many objects to walk."""


def _pdf_problem(content: bytes, name: str) -> str | None:
    """Why this PDF cannot be accepted, or None."""
    active = _(
        'Berkas %(name)s memuat konten aktif (JavaScript, tindakan otomatis, lampiran atau formulir XFA) yang tidak diterima. Cetak ulang sebagai PDF biasa (misalnya "Print to PDF" atau pindai ulang) lalu unggah kembali.'
    ) % {"name": name}
    encrypted = _(
        "Berkas %(name)s dilindungi password atau terenkripsi. Simpan ulang tanpa password lalu unggah kembali."
    ) % {"name": name}
    if not EOF_TAIL.search(content[-2048:]):
        # Cut off, or something (HTML, a ZIP) follows the PDF's end.
        return unreadable(name)
    if HTML.search(content):
        return active
    names = _raw_names(content)
    if "Encrypt" in names:
        return encrypted
    if names & RAW_NAMES:
        return active
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return encrypted
        if len(reader.pages) == 0:
            return unreadable(name)
        _walk(reader.trailer)
    except _Active:
        return active
    except Exception:  # _Unreadable, or any failure of the parser on this input
        return unreadable(name)
    return None


def _outside_binary_streams(content: bytes) -> bytes:
    """The bytes the raw name search reads: the whole file but the data of streams that can hold
    no object (a scan's compressed image, a font). Binary data spells a name like `/JS ` by
    chance (about one 200 KB scan in 300, one 2 MB scan in 30, measured by the production-shape
    bench), so searching it refused honest files; a stream is still searched when its data holds
    object syntax (`obj` anywhere, `trailer`, `startxref`) or it is an object stream (a repairing
    viewer may read objects there). Found with `bytes.find`, not a regex: a 200 KB file in ~1 ms."""
    kept, start, at = [], 0, 0
    while (at := content.find(b"stream", at)) != -1:
        if content[at - 3 : at] == b"end":  # an `endstream` with no `stream` before it
            at += 6
            continue
        data_from = at + 6
        if content[data_from : data_from + 2] == b"\r\n":
            data_from += 2
        elif content[data_from : data_from + 1] in (b"\n", b"\r"):
            data_from += 1
        else:  # `stream` inside a name or a string, not the keyword
            at += 6
            continue
        data_to = content.find(b"endstream", data_from)
        if data_to == -1:
            break
        data = content[data_from:data_to]
        head = content[max(0, at - HEAD_WINDOW) : at]
        # This stream's dictionary: after its `obj`. One longer than the window might hide an
        # `/ObjStm` before it, so such a stream is searched.
        opened = head.rfind(b"obj")
        head = head[opened + 3 :]
        if (
            opened != -1
            and _binary(data)
            and not OBJECT_STREAM.search(head)
            and not any(w in data for w in OBJECT_WORDS)
        ):
            kept.append(content[start:data_from])
            start = data_to
        at = data_to + 9
    kept.append(content[start:])
    return b"".join(kept)


def _binary(data: bytes) -> bool:
    """Compressed or image data (a third of its bytes or more outside ASCII), not text a
    viewer could read as PDF syntax."""
    sample = data[:4096]
    return bool(sample) and len(sample.translate(None, _ASCII)) * 3 >= len(sample)


_ASCII = bytes(range(0x80))


def _raw_names(content: bytes) -> set[str]:
    names = set()
    for match in RAW_NAME.finditer(_outside_binary_streams(content)):
        raw = match.group(1)
        if b"#" in raw:
            try:
                raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
            except ValueError:
                continue
        names.add(raw.decode("latin-1"))
    return names


def _walk(root: PdfObject) -> None:
    """Every dictionary and array reachable from the trailer; raise _Active at active content.

    An action is a dictionary with `/S` found under `/A`, `/OpenAction`, `/Next` or `/PA`, or
    typed `/Action` (other dictionaries use `/S` for other things: page labels, structure
    elements, soft masks). A destination (an array) under `/OpenAction` is no action."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        item = _resolved(stack.pop(), seen)
        if item is None:
            continue
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise _Unreadable("too many objects")
        if isinstance(item, DictionaryObject):  # streams are dictionaries too (their data is not read)
            keys = {str(key).lstrip("/") for key in item}
            if keys & ACTIVE_KEYS:
                raise _Active(f"key {sorted(keys & ACTIVE_KEYS)}")
            if _name(item.get("/Subtype")) in ACTIVE_SUBTYPES:
                raise _Active("annotation")
            if _name(item.get("/Type")) == "Action":
                _check_action(item)
            for key in ACTION_KEYS & keys:
                value = _resolved(item["/" + key], set())
                for action in value if isinstance(value, ArrayObject) else [value]:
                    action = _resolved(action, set())
                    if isinstance(action, DictionaryObject) and "/S" in action:
                        _check_action(action)
            stack.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))


ACTION_KEYS = frozenset({"A", "OpenAction", "Next", "PA"})


def _resolved(item: Any, seen: set[tuple[int, int]]) -> Any:
    """The object an indirect reference points at (None when already seen)."""
    while isinstance(item, IndirectObject):
        ref = (item.idnum, item.generation)
        if ref in seen:
            return None
        seen.add(ref)
        item = item.get_object()
    return item


def _check_action(action: DictionaryObject) -> None:
    kind = _name(action.get("/S"))
    if kind not in SAFE_ACTIONS:
        raise _Active(f"action {kind}")
    if kind == "URI":
        uri = _resolved(action.get("/URI"), set())
        text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri or "")
        if not SAFE_URI.match(text):
            raise _Active("uri")


def _name(value: Any) -> str | None:
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if isinstance(value, NameObject | TextStringObject):
        return str(value).lstrip("/")
    return None


# -- images -----------------------------------------------------------------------------------------


def _reencoded(content: bytes, kind: str, name: str) -> bytes | str:
    """The image saved again by Pillow from its decoded pixels (nothing of the original file
    travels but the pixels), or why it cannot be."""
    if kind == "PNG" and PNG_END not in content or kind == "JPEG" and JPEG_END not in content:
        return unreadable(name)  # cut off before its end (Pillow may read such a file without complaint)
    try:
        with _truncated_images_refused():
            with Image.open(io.BytesIO(content), formats=[kind]) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    return too_many_pixels(name, width, height)
                probe.verify()  # chunk checksums and structure (PNG up to IEND)
            with Image.open(io.BytesIO(content), formats=[kind]) as image:
                image.load()  # every pixel decoded: a cut-off file fails here
                return _encode(image, kind)
    except Image.DecompressionBombError:
        return too_many_pixels(name)  # Pillow's own limit (2 × 89 MP), met while opening
    except Exception:  # any failure of the decoder on this input: unreadable
        return unreadable(name)


_truncation_lock = threading.Lock()


@contextlib.contextmanager
def _truncated_images_refused() -> Iterator[None]:
    """Pillow's decoders pad a cut-off image when `ImageFile.LOAD_TRUNCATED_IMAGES` is set, and
    WeasyPrint sets it for the whole process when it is imported (it renders the archive): while
    an upload is decoded, it is unset again."""
    with _truncation_lock:  # one upload decoded at a time per process (and so its memory)
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _encode(image: Image.Image, kind: str) -> bytes:
    upright = ImageOps.exif_transpose(image) or image
    if kind == "PNG":
        if upright.mode in {"P", "PA"} or "transparency" in upright.info:
            upright = upright.convert("RGBA" if upright.mode != "L" or "transparency" in upright.info else "L")
    elif upright.mode not in {"L", "RGB", "CMYK"}:
        upright = upright.convert("RGB")
    upright.info = {}  # no comment, EXIF, ICC profile or text travels to the new file
    out = io.BytesIO()
    if kind == "PNG":
        upright.save(out, format="PNG")
    else:
        upright.save(out, format="JPEG", quality=90)
    return out.getvalue()


# -- a request's files ------------------------------------------------------------------------------


def check_files(files: list[tuple[str, str, bytes]], *, allowed_kodes: set[str]) -> list[CheckedFile]:
    """Check every (kode, name, content); raise UploadRejected naming each bad one, or return all.
    One file per kode, and no more files than there are kodes."""
    problems: dict[str, str] = {}
    checked: list[CheckedFile] = []
    counts: dict[str, int] = {}
    for kode, _name, _content in files:
        counts[kode] = counts.get(kode, 0) + 1
    for kode, name, content in files:
        if kode in problems:
            continue
        if kode not in allowed_kodes:
            problems[kode] = _("Jenis berkas %(kode)s tidak diminta oleh SOP layanan ini.") % {"kode": kode}
            continue
        if counts[kode] > 1:
            problems[kode] = one_file_only(kode)
            continue
        result = check_file(kode=kode, name=name, content=content)
        if isinstance(result, str):
            problems[kode] = result
        else:
            checked.append(result)
    if len(files) > len(allowed_kodes):
        problems["files"] = too_many_files(len(allowed_kodes))
    if problems:
        raise UploadRejected(problems)
    return checked
