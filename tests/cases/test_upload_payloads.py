"""What an uploaded file may carry (loket.cases.uploads): PDFs with active content or encryption
are refused, images are stored re-encoded, pixel bombs and cut-off files are refused with a
message, a request carries one file per document; and the typed fields refuse control
characters (loket.cases.services.text_problems). Through the channels: tests/api/test_upload_fuzz.py
and tests/web/test_upload_limits.py."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from PIL import Image
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from loket.cases import uploads
from loket.cases.errors import Invalid
from loket.cases.models import Case, Document
from loket.cases.uploads import MAX_FILES_READ, CheckedFile, Refused, UploadReader, check_file, check_files
from tests.factories import pdf_bytes, png_bytes
from tests.sop_factory import submit

from .upload_corpus import _action, _catalog, _link, active_pdfs, corpus, encrypted_pdfs, image, png_with_size

ACTIVE = "konten aktif"
ENCRYPTED = "terenkripsi"
UNREADABLE = "rusak atau tidak dapat dibuka"


def _refusal(content: bytes, name: str = "surat.pdf") -> str:
    result = check_file(kode="surat", name=name, content=content)
    assert isinstance(result, str), "accepted"
    return result


def _accepted(content: bytes, name: str = "surat.pdf") -> CheckedFile:
    result = check_file(kode="surat", name=name, content=content)
    assert isinstance(result, CheckedFile), result
    return result


def test_the_corpus_through_the_checks_never_raises_and_meets_every_expectation():
    for sample in corpus():
        result = check_file(kode="k", name=sample.name, content=sample.content)
        if sample.expect == "refuse":
            assert isinstance(result, str), sample.label
        elif sample.expect == "clean":
            assert isinstance(result, CheckedFile), (sample.label, result)
            assert not sample.marker or sample.marker not in result.content, sample.label
            assert result.sha256 == hashlib.sha256(result.content).hexdigest()


def test_cut_off_images_are_refused_even_where_pillow_is_told_to_pad_them(monkeypatch):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process when imported."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    cut = [
        s for s in corpus() if "-truncated-" in s.label and not s.label.startswith("pdf") or "without-iend" in s.label
    ]
    assert len(cut) > 50
    for sample in cut:
        assert isinstance(check_file(kode="k", name=sample.name, content=sample.content), str), sample.label
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was


@pytest.mark.parametrize(("label", "content"), active_pdfs(), ids=[label for label, _c in active_pdfs()])
def test_a_pdf_with_active_content_is_refused(label, content):
    assert ACTIVE in _refusal(content)


@pytest.mark.parametrize(
    ("label", "content"),
    [(label, content) for label, content in active_pdfs() if not label.startswith(("orphan", "escaped", "fully"))],
    ids=[label for label, _c in active_pdfs() if not label.startswith(("orphan", "escaped", "fully"))],
)
def test_the_object_walk_alone_finds_each_kind_of_active_content(monkeypatch, label, content):
    """The raw scan is a second net: without it, the walk over what pypdf reads finds the same."""
    monkeypatch.setattr(uploads, "RAW_NAMES", frozenset())
    assert ACTIVE in _refusal(content)


def test_an_object_no_reference_reaches_is_found_by_the_raw_scan_alone():
    orphan = dict(active_pdfs())["orphan-object"]
    assert ACTIVE in _refusal(orphan)
    reader_sees_nothing = uploads._raw_names(orphan) & uploads.RAW_NAMES
    assert reader_sees_nothing == {"JavaScript", "JS"}


@pytest.mark.parametrize(("label", "content"), encrypted_pdfs(), ids=[label for label, _c in encrypted_pdfs()])
def test_an_encrypted_pdf_is_refused_even_without_a_password_to_open_it(label, content):
    assert ENCRYPTED in _refusal(content)


def test_ordinary_pdfs_are_accepted_links_destinations_and_all():
    goto = _action("GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")]))
    for content in (
        pdf_bytes(),
        pdf_bytes(3),
        _link(_action("URI", URI=TextStringObject("https://lpse.kaltimprov.go.id/eproc4"))),
        _link(_action("URI", URI=TextStringObject("mailto:lpse@kaltimprov.go.id"))),
        _link(goto),
        _catalog("OpenAction", ArrayObject([NumberObject(0), NameObject("/XYZ")])),  # a destination
        _catalog("OpenAction", goto),
        _catalog(
            "PageLabels",
            DictionaryObject(
                {
                    NameObject("/Nums"): ArrayObject(
                        [NumberObject(0), DictionaryObject({NameObject("/S"): NameObject("/r")})]
                    )
                }
            ),
        ),
    ):
        _accepted(content)


def test_a_pdf_as_weasyprint_writes_it_is_accepted():
    """Tagged, with links, bookmarks and metadata: what an office's own system may well produce."""
    from weasyprint import HTML

    html = (
        "<html lang='id'><head><title>Surat</title></head><body><h1>Surat Permohonan</h1>"
        "<p>Lihat <a href='https://lpse.kaltimprov.go.id'>LPSE</a> dan <a href='#lampiran'>lampiran</a>.</p>"
        "<h2 id='lampiran' style='break-before: page'>Lampiran</h2></body></html>"
    )
    _accepted(HTML(string=html).write_pdf(pdf_tags=True))


def test_a_pdf_cut_off_or_followed_by_something_else_is_refused():
    pdf = pdf_bytes()
    assert UNREADABLE in _refusal(pdf[: len(pdf) // 2])
    assert UNREADABLE in _refusal(pdf + b"<html><script>alert(1)</script></html>")
    assert ACTIVE in _refusal(pdf.replace(b"\n", b"\n%<script>alert(1)</script>\n", 1))
    _accepted(pdf + b"\r\n\x00\x00")  # padding after the end is no content


def test_an_image_is_stored_re_encoded_upright_without_its_metadata_or_tail():
    picture = Image.new("RGB", (60, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show upright
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # a GPS position
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, comment=b"<script>x</script>")
    original = out.getvalue() + b"PK\x03\x04tail"
    checked = _accepted(original, "foto.jpg")
    assert checked.content != original and checked.sha256 == hashlib.sha256(checked.content).hexdigest()
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.size == (20, 60)  # turned upright
    assert not stored.getexif() and "comment" not in stored.info
    assert b"PK\x03\x04" not in checked.content and b"<script>" not in checked.content


def test_a_palette_png_is_stored_without_its_palette_bytes():
    checked = _accepted(image("PNG", (30, 30), mode="P"), "foto.png")
    assert Image.open(io.BytesIO(checked.content)).mode in {"RGB", "RGBA"}


@pytest.mark.parametrize(("width", "height"), [(14_000, 12_000), (1, 100_000_000), (6_325, 6_325)])
def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(width, height):
    message = _refusal(png_with_size(width, height), "foto.png")
    assert "megapiksel" in message and "40" in message


def test_a_png_cut_off_before_its_end_is_refused_as_unreadable():
    png = png_bytes()
    assert UNREADABLE in _refusal(png[: png.rindex(b"IEND") - 4], "foto.png")
    assert UNREADABLE in _refusal(png[:-6], "foto.png")


def test_one_file_per_document_and_no_more_files_than_documents():
    with pytest.raises(uploads.UploadRejected) as caught:
        check_files([("a", "1.pdf", pdf_bytes()), ("a", "2.pdf", pdf_bytes())], allowed_kodes={"a", "b"})
    assert "satu berkas saja" in caught.value.problems["a"]
    with pytest.raises(uploads.UploadRejected) as caught:
        check_files(
            [("a", "1.pdf", pdf_bytes()), ("b", "2.pdf", pdf_bytes()), ("c", "3.pdf", pdf_bytes())],
            allowed_kodes={"a", "b"},
        )
    assert "paling banyak 2 berkas" in caught.value.problems["files"] and "tidak diminta" in caught.value.problems["c"]


class _Upload:
    """An upload that counts the bytes read from it."""

    def __init__(self, name: str, content: bytes):
        self.name, self.size, self._content, self.bytes_read = name, len(content), content, 0

    def read(self, size: int = -1) -> bytes:
        part = self._content if size < 0 else self._content[:size]
        self.bytes_read += len(part)
        return part


def test_the_reader_reads_one_file_per_kode_at_most_one_byte_past_the_limit(settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 1000
    first, second, big = _Upload("a.pdf", b"x" * 10), _Upload("b.pdf", b"y" * 10), _Upload("c.pdf", b"z" * 50_000)
    reader = UploadReader()
    parts = [*reader.parts("a", [first, second]), *reader.parts("c", [big])]
    assert (first.bytes_read, second.bytes_read, big.bytes_read) == (10, 0, 1001)
    assert isinstance(parts[1][2], Refused) and "satu berkas saja" in parts[1][2].reason
    assert "terlalu besar (48,8\xa0KB)" in reader.too_large["c"]
    many = [_Upload(f"{i}.pdf", b"x") for i in range(MAX_FILES_READ + 5)]
    reader = UploadReader()
    for i, upload in enumerate(many):
        list(reader.parts(f"k{i}", [upload]))
    assert sum(1 for u in many if u.bytes_read) == MAX_FILES_READ


def test_a_file_name_keeps_no_control_characters_or_path():
    assert _accepted(pdf_bytes(), "..\\..\\sur\x00at\r\n.pdf").name == "surat.pdf"
    assert _accepted(pdf_bytes(), "\x00\x01").name == "surat"  # nothing left: the document's kode


# -- typed fields -----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "email", "user_id", "nip", "phone"])
@pytest.mark.parametrize("char", ["\x00", "\x01", "\t", "\n", "\x7f", "\x85", "\ud800", "\u202e"])
def test_a_control_character_in_a_typed_field_is_refused_beside_it(service, field, char):
    with pytest.raises(Invalid) as caught:
        submit(service, **{field: f"ab{char}cd"})
    assert "karakter kontrol" in caught.value.problems[field]
    assert (Case.objects.count(), Document.objects.count()) == (0, 0)


def test_a_note_may_hold_tabs_and_line_breaks_but_no_other_control_character(service):
    from loket.cases import services

    assert services.text_problems(note="baris\r\nbaris\tdua", multiline=frozenset({"note"})) == {}
    assert set(services.text_problems(note="a\x00", multiline=frozenset({"note"}))) == {"note"}
    assert set(services.text_problems(name="a\nb")) == {"name"}
    assert services.text_problems(name="Siti Rahmawati, S.T.", email="siti@example.go.id") == {}
    assert re.search("NUL", services.text_problems(name="\x00")["name"])
