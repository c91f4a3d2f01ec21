"""The registration's documents: the reply letter and the filled application form as PDFs (read
back with pypdf), the letter number patterns and the per-unit, per-year counter, and the letter
settings in the admin. On a test unit with a test SOP (tests/sop_factory.py): the letters are not
about one built-in SOP."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.db import connection, connections
from pypdf import PdfReader

from loket.cases.models import Case, Channel, Need
from loket.registration import letters
from loket.registration.letters import (
    RequestForm,
    addressee,
    body_problems,
    config_for,
    format_number,
    pattern_problems,
    peek_number,
    reply_letter_pdf,
    request_form_pdf,
    take_number,
    tanggal_indonesia,
)
from loket.registration.models import LetterCounter, LetterSettings, Registration
from tests.sop_factory import AGENCIES, add_unit, make_service

SIGNER_NIP = "197205282005021001"
CANDIDATE_NIP = "199001012015012001"


def pdf_text(data: bytes) -> str:
    """The PDF's text with its whitespace made single spaces (lines wrap where the page says)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pdf_title(data: bytes) -> str:
    return str(PdfReader(io.BytesIO(data)).metadata.title)


@pytest.fixture
def service(db):
    return make_service()


def make_registration(service, *, agency=True, **fields) -> Registration:  # type: ignore[no-untyped-def]
    case = Case.objects.create(
        unit=service.unit,
        sop=service.version,
        reference=fields.pop("reference", "UJI-2026-000042"),
        tracking_digest=fields.pop("digest", "0" * 64),
        channel=Channel.WEB,
        need=Need.NEW_ACCOUNT,
        requester_name=fields.pop("head_name", "Ir. Bambang Wijaya, M.T."),
        requester_email="kadis@perkim.uji.go.id",
        agency=service.agency if agency else None,
    )
    # Filed at 17:30 UTC on 1 December: 2 December in the unit's zone (WITA, UTC+8).
    Case.objects.filter(pk=case.pk).update(created_at=dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC))
    case.refresh_from_db()
    values = {
        "head_position": "Kepala Dinas",
        "new_agency_name": "" if agency else "Badan Riset dan Inovasi Daerah",
        "candidate_name": "Siti Rahmawati, S.Kom.",
        "candidate_nip": CANDIDATE_NIP,
        "candidate_email": "siti@perkim.uji.go.id",
        "candidate_phone": "081234567890",
        "candidate_position": "Pranata Komputer Ahli Pertama",
        "sk_number": "800/123/DPR/2026",
        "sk_date": dt.date(2026, 11, 20),
    }
    values.update(fields)
    return Registration.objects.create(case=case, **values)


def settings_for(unit, **fields) -> LetterSettings:  # type: ignore[no-untyped-def]
    values = {
        "letterhead": "PEMERINTAH KABUPATEN UJI\nUNIT KERJA PENGADAAN BARANG/JASA\n\nJl. Merdeka No. 1, Uji 75111",
        "city": "Samarinda",
        "number_pattern": "{no:03d}/UKPBJ-{unit}/{bulan}/{tahun}",
        "body": "Permohonan akun untuk {calon} (NIP {nip_calon}) dari {instansi}, diajukan {tanggal_permohonan} "
        "dengan nomor {nomor_registrasi}, kami terima.\n\nDemikian kami sampaikan.",
        "signer_name": "Drs. Hendra Saputra, M.Si.",
        "signer_nip": SIGNER_NIP,
        "signer_position": "Kepala UKPBJ",
        "user_id_pattern": "{nama}.{instansi}",
    }
    values.update(fields)
    return LetterSettings.objects.create(unit=unit, **values)


# --- dates, numbers, patterns ------------------------------------------------------------------


def test_dates_are_written_the_indonesian_way():
    assert tanggal_indonesia(dt.date(2026, 12, 2)) == "2 Desember 2026"
    assert tanggal_indonesia(dt.date(2027, 2, 28)) == "28 Februari 2027"


@pytest.mark.parametrize(("month", "roman"), [(1, "I"), (4, "IV"), (8, "VIII"), (9, "IX"), (11, "XI"), (12, "XII")])
def test_the_number_pattern_writes_the_month_in_roman_numerals(db, month, roman):
    unit = add_unit("uji")
    when = dt.date(2026, month, 15)
    assert format_number(letters.DEFAULT_NUMBER_PATTERN, no=7, when=when, unit=unit) == f"007/LPSE-UJI/{roman}/2026"
    assert format_number("{no}.{bulan_angka}.{tahun}", no=12, when=when, unit=unit) == f"12.{month:02d}.2026"


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("{nomor}/LPSE/{tahun}", "{nomor} tidak dikenal"),
        ("{no:zz}/LPSE/{tahun}", "format 'zz' tidak sah"),
        ("{no:03d}/LPSE/{tahun", "tidak berpasangan"),
        ("{no!r}/LPSE", "!r"),
        ("{unit.__class__}/{no}", "tidak dikenal"),
        ("{}/{no}", "tidak dikenal"),
        ("{no:{tahun}}", "penanda lain"),
        ("LPSE/{bulan}/{tahun}", "harus memuat {no}"),
        ("", "tidak boleh kosong"),
        ("{no}" + "x" * 150, "paling banyak 120"),
    ],
)
def test_pattern_problems_name_what_is_wrong(pattern, fragment):
    problems = pattern_problems(pattern)
    assert problems and any(fragment in problem for problem in problems), problems


def test_the_default_pattern_and_every_placeholder_are_accepted():
    assert pattern_problems(letters.DEFAULT_NUMBER_PATTERN) == []
    assert pattern_problems("{no:04d}-{bulan}-{bulan_angka}-{tahun}-{unit} {{tetap}}") == []


def test_body_problems_allow_the_body_placeholders_only():
    every = (
        "{instansi} {pimpinan} {jabatan_pimpinan} {calon} {nip_calon} {tanggal_permohonan} {nomor_registrasi} {unit}"
    )
    assert body_problems(every) == []
    assert any("{no} tidak dikenal" in p for p in body_problems("Nomor {no} untuk {calon}"))
    assert any("tidak berpasangan" in p for p in body_problems("Untuk {calon"))
    assert body_problems("   ") == ["Isi surat tidak boleh kosong."]


def test_a_stored_pattern_that_does_not_format_is_refused_not_evaluated(db):
    unit = add_unit("uji")
    with pytest.raises(ValueError, match="tidak dikenal"):
        format_number("{unit.__class__}-{no}", no=1, when=dt.date(2026, 1, 1), unit=unit)


# --- the unit's settings -----------------------------------------------------------------------


def test_a_unit_without_settings_gets_the_defaults(db):
    unit = add_unit("uji", nama="UKPBJ Kabupaten Uji")
    config = config_for(unit)
    assert config.letterhead == ["UKPBJ Kabupaten Uji"]
    assert (config.city, config.signer_name, config.signer_nip) == ("", "", "")
    assert config.signer_position == "Kepala LPSE"
    assert config.number_pattern == "{no:03d}/LPSE-{unit}/{bulan}/{tahun}"
    assert config.user_id_pattern == "{nama}.{instansi}"
    assert body_problems(config.body) == []
    for placeholder in ("{calon}", "{nip_calon}", "{tanggal_permohonan}", "{nomor_registrasi}"):
        assert placeholder in config.body
    assert "pelatihan" in config.body and "e-mail" in config.body and "Admin PPE" in config.body


def test_a_unit_with_settings_gets_its_own_lines_without_blank_ones(db):
    unit = add_unit("uji")
    settings_for(unit, city="  Samarinda ")
    config = config_for(unit)
    assert config.letterhead == [
        "PEMERINTAH KABUPATEN UJI",
        "UNIT KERJA PENGADAAN BARANG/JASA",
        "Jl. Merdeka No. 1, Uji 75111",
    ]
    assert (config.city, config.signer_position) == ("Samarinda", "Kepala UKPBJ")


# --- the counter -------------------------------------------------------------------------------


def test_numbers_count_per_unit_and_per_year(db):
    uji, lain = add_unit("uji"), add_unit("uji-lain", zona_waktu="WIT")
    december = dt.date(2026, 12, 2)
    assert take_number(uji, december) == "001/LPSE-UJI/XII/2026"
    assert take_number(uji, december) == "002/LPSE-UJI/XII/2026"
    assert take_number(lain, december) == "001/LPSE-UJI-LAIN/XII/2026"  # its own counter
    assert take_number(uji, dt.date(2027, 1, 4)) == "001/LPSE-UJI/I/2027"  # a new year starts at 1
    assert take_number(uji, december) == "003/LPSE-UJI/XII/2026"
    assert {(c.unit_id, c.year, c.last) for c in LetterCounter.objects.all()} == {
        (uji.pk, 2026, 3),
        (uji.pk, 2027, 1),
        (lain.pk, 2026, 1),
    }


def test_peek_shows_the_next_number_without_taking_it(db):
    unit = add_unit("uji")
    settings_for(unit)
    when = dt.date(2026, 3, 9)
    assert peek_number(unit, when) == "001/UKPBJ-UJI/III/2026"
    assert peek_number(unit, when) == "001/UKPBJ-UJI/III/2026"
    assert not LetterCounter.objects.filter(last__gt=0).exists()
    assert take_number(unit, when) == "001/UKPBJ-UJI/III/2026"
    assert peek_number(unit, when) == "002/UKPBJ-UJI/III/2026"


def test_a_broken_pattern_takes_no_number(db):
    unit = add_unit("uji")
    settings_for(unit, number_pattern="{nomor}")  # written past the admin's check
    with pytest.raises(ValueError):
        take_number(unit, dt.date(2026, 5, 1))
    assert not LetterCounter.objects.filter(last__gt=0).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks; CI's PostgreSQL pass (DATABASE_URL) runs it",
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_taking_numbers_at_once_get_distinct_consecutive_numbers():
    unit = add_unit("uji")
    when = dt.date(2026, 12, 2)
    barrier = threading.Barrier(2)
    taken: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def take_several() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                number = take_number(unit, when)
                with lock:
                    taken.append(number)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_several) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(taken) == [f"{n:03d}/LPSE-UJI/XII/2026" for n in range(1, 21)]
    assert LetterCounter.objects.get(unit=unit, year=2026).last == 20


# --- the reply letter --------------------------------------------------------------------------


def test_the_addressee_does_not_repeat_what_the_position_and_agency_both_say():
    assert addressee("Kepala Dinas", "Dinas Perumahan Rakyat") == "Kepala Dinas Perumahan Rakyat"
    assert addressee("Kepala", "Dinas Perumahan Rakyat") == "Kepala Dinas Perumahan Rakyat"
    assert addressee("Kepala Dinas Perumahan Rakyat", "Dinas Perumahan Rakyat") == "Kepala Dinas Perumahan Rakyat"
    assert addressee("Sekretaris Daerah", "Pemerintah Kabupaten Uji") == "Sekretaris Daerah Pemerintah Kabupaten Uji"


def test_the_reply_letter_holds_number_addressee_body_and_signer(service):
    settings_for(service.unit)
    registration = make_registration(service)
    data = reply_letter_pdf(
        registration,
        number="007/UKPBJ-UJI/XII/2026",
        date=dt.date(2026, 12, 3),
        note="Mohon calon membawa laptop pada saat pelatihan.",
    )
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "PEMERINTAH KABUPATEN UJI" in text
    assert "Nomor : 007/UKPBJ-UJI/XII/2026" in text
    assert "Perihal : Jawaban Permohonan Pembuatan Akun Admin Agency" in text
    assert "Samarinda, 3 Desember 2026" in text
    assert f"Yth. Kepala {AGENCIES[0]} di tempat" in text
    # The body with its placeholders filled: the filing date in the unit's zone (WITA).
    assert "Permohonan akun untuk Siti Rahmawati, S.Kom. (NIP 19900101 201501 2 001)" in text
    assert f"dari {AGENCIES[0]}, diajukan 2 Desember 2026 dengan nomor UJI-2026-000042" in text
    assert "UJI-2026-000042, kami terima. Mohon calon membawa laptop pada saat pelatihan. Demikian" in text
    assert "Kepala UKPBJ, Drs. Hendra Saputra, M.Si. NIP. 19720528 200502 1 001" in text
    assert "{" not in text
    assert "007/UKPBJ-UJI/XII/2026" in pdf_title(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_the_default_letter_reads_as_a_letter(service):
    registration = make_registration(service, agency=False, head_position="Kepala Badan")
    data = reply_letter_pdf(registration, number="001/LPSE-UJI/XII/2026", date=dt.date(2026, 12, 3))
    text = pdf_text(data)
    assert text.startswith(service.unit.nama)
    assert "3 Desember 2026" in text and ", 3 Desember" not in text  # no city set: the date alone
    assert "Yth. Kepala Badan Riset dan Inovasi Daerah" in text  # the agency as the request names it
    assert "Siti Rahmawati, S.Kom." in text and "UJI-2026-000042" in text
    assert "Admin PPE" in text and "pelatihan penggunaan aplikasi SPSE" in text
    assert "Kepala LPSE" in text and "NIP." not in text  # no signer's NIP set
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_what_was_typed_is_printed_as_text_in_the_letter(service):
    settings_for(service.unit, signer_name="<b>Hendra</b>")
    registration = make_registration(service, candidate_name="<script>alert(1)</script>")
    text = pdf_text(reply_letter_pdf(registration, number="1", date=dt.date(2026, 12, 3), note="<i>catatan</i>"))
    assert "<script>alert(1)</script>" in text and "<b>Hendra</b>" in text and "<i>catatan</i>" in text


def test_a_body_that_does_not_format_is_refused(service):
    settings_for(service.unit, body="Untuk {nama}")  # written past the admin's check
    with pytest.raises(ValueError, match="tidak dikenal"):
        reply_letter_pdf(make_registration(service), number="1", date=dt.date(2026, 12, 3))


# --- the application form ----------------------------------------------------------------------


def request_form(**fields) -> RequestForm:  # type: ignore[no-untyped-def]
    values = {
        "unit_name": "UKPBJ Kabupaten Uji",
        "agency_name": "Dinas Pekerjaan Umum dan Penataan Ruang",
        "head_name": "Ir. H. Ahmad Fauzi, M.T.",
        "head_position": "Kepala Dinas",
        "head_email": "kadis@pupr.uji.go.id",
        "head_phone": "0541-123456",
        "filed_by": "Rudi Hartono (Sekretaris Dinas)",
        "candidate_name": "Siti Rahmawati, S.Kom.",
        "candidate_nip": CANDIDATE_NIP,
        "candidate_email": "siti.r@pupr.uji.go.id",
        "candidate_phone": "081234567890",
        "candidate_position": "Pranata Komputer Ahli Pertama",
        "sk_number": "800/123/DPUPR/2026",
        "sk_date": dt.date(2026, 11, 20),
        "date": dt.date(2026, 12, 2),
    }
    values.update(fields)
    return RequestForm(**values)


def test_the_filled_form_holds_what_was_typed_on_one_page():
    data = request_form_pdf(request_form())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = pdf_text(data)
    assert "FORMULIR PERMOHONAN PEMBUATAN AKUN ADMIN AGENCY" in text
    assert "Yth. Pimpinan UKPBJ Kabupaten Uji" in text
    for value in (
        "Ir. H. Ahmad Fauzi, M.T.",
        "Kepala Dinas",
        "kadis@pupr.uji.go.id",
        "0541-123456",
        "Rudi Hartono (Sekretaris Dinas)",
        "Siti Rahmawati, S.Kom.",
        "19900101 201501 2 001",
        "siti.r@pupr.uji.go.id",
        "081234567890",
        "Pranata Komputer Ahli Pertama",
        "800/123/DPUPR/2026",
        "20 November 2026",
    ):
        assert value in text, value
    assert "berdasarkan Surat Keputusan nomor 800/123/DPUPR/2026 tanggal 20 November 2026" in text
    assert "benar dan dapat dipertanggungjawabkan" in text
    assert "Kepala Dinas Pekerjaan Umum dan Penataan Ruang," in text  # the head's signature box
    assert "meterai / cap instansi" in text
    assert (
        "Dibuat oleh Loket pada 2 Desember 2026; cetak, tandatangani, pindai, lalu unggah sebagai Formulir Permohonan"
        in text
    )
    assert "Siti Rahmawati, S.Kom." in pdf_title(data)


def test_the_form_prints_markup_typed_into_it_as_text():
    data = request_form_pdf(request_form(candidate_name="<script>alert(1)</script>", head_name="A & B <b>C</b>"))
    text = pdf_text(data)
    assert "<script>alert(1)</script>" in text
    assert "A & B <b>C</b>" in text


def test_the_form_without_optional_values_still_prints(db):
    data = request_form_pdf(request_form(filed_by="", sk_date=None, head_phone=""))
    text = pdf_text(data)
    assert "Diajukan oleh" not in text
    assert "Tanggal SK penunjukan -" in text


# --- the admin ---------------------------------------------------------------------------------


def _settings_post(unit, **fields):  # type: ignore[no-untyped-def]
    data = {
        "unit": unit.pk,
        "letterhead": "UKPBJ KABUPATEN UJI",
        "city": "Uji",
        "number_pattern": "{no:03d}/UKPBJ/{bulan}/{tahun}",
        "body": "Untuk {calon}.",
        "signer_name": "Hendra",
        "signer_nip": "",
        "signer_position": "Kepala UKPBJ",
        "user_id_pattern": "{nama}.{instansi}",
    }
    data.update(fields)
    return data


def test_the_admin_refuses_settings_whose_patterns_do_not_format(client, superuser):
    unit = add_unit("uji")
    client.force_login(superuser)
    response = client.post(
        "/admin/registration/lettersettings/add/",
        _settings_post(unit, number_pattern="{nomor}/{tahun}", body="Untuk {calon", user_id_pattern="{nama}.{foo}"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "{nomor} tidak dikenal" in page and "tidak berpasangan" in page and "{foo} tidak dikenal" in page
    assert not LetterSettings.objects.exists()

    response = client.post("/admin/registration/lettersettings/add/", _settings_post(unit))
    assert response.status_code == 302
    row = LetterSettings.objects.get(unit=unit)
    page = client.get(f"/admin/registration/lettersettings/{row.pk}/change/").content.decode()
    assert "/UKPBJ/" in page  # the next number, previewed
    assert "siti.dpupr" in page  # the sample user ID


def test_the_admin_offers_the_defaults_and_lists_registrations_read_only(client, superuser, service):
    registration = make_registration(service)
    client.force_login(superuser)
    page = client.get("/admin/registration/lettersettings/add/").content.decode()
    assert "{no:03d}/LPSE-{unit}/{bulan}/{tahun}" in page and "{nomor_registrasi}" in page
    listing = client.get("/admin/registration/registration/").content.decode()
    assert "Siti Rahmawati" in listing
    change = client.get(f"/admin/registration/registration/{registration.pk}/change/").content.decode()
    assert 'name="candidate_name"' not in change
    assert client.get("/admin/registration/registration/add/").status_code == 403
    assert client.get("/admin/registration/trainingsession/").status_code == 200
    assert client.get("/admin/registration/trainingseat/").status_code == 200
