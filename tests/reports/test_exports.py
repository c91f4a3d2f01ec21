"""The report's exports (issue 12, point 4): the XLSX read back with openpyxl, the monthly PDF read
back with pypdf, both built by the worker as an ExportJob whose page follows it and whose file
only the user who asked may download. The world is test_mutu_baku's `cases`."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from loket.cases.models import Case
from loket.reports import exports, monthly
from loket.reports.models import ExportJob
from loket.reports.mutu_baku import ReportFilter
from tests.reports.test_mutu_baku import URL, cases
from tests.sop_factory import HAPPY_MINUTES, VERIFIER
from tests.web.test_no_utc_anywhere import pdf_text, problems_in, xlsx_datetimes, xlsx_text

__all__ = ["cases"]

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
EXPORT = "/konsol/laporan/mutu-baku/unduh/"
EVERYTHING = ReportFilter()


def _built(user, fmt: str, spec=EVERYTHING, month: str = "") -> ExportJob:  # type: ignore[no-untyped-def]
    job = exports.request_export(user=user, spec=spec, fmt=fmt, month=month)
    assert job.status == ExportJob.Status.QUEUED
    assert exports.build(str(job.pk)) == ExportJob.Status.DONE
    job.refresh_from_db()
    return job


def _content(job: ExportJob) -> bytes:
    with job.file.open("rb") as f:
        return f.read()


def _this_month() -> str:
    return timezone.localdate(timezone=WITA).strftime("%Y-%m")


# -- XLSX -----------------------------------------------------------------------------------------


def test_the_xlsx_has_one_typed_sheet_per_table(service, cases):
    job = _built(service.verifier, "xlsx")
    assert job.filename.startswith("mutu-baku-semua-") and job.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(_content(job)))
    assert book.sheetnames == ["keterangan", "langkah", "permohonan", "tunggu", "bulan", "sebaran", "jam"]
    about = [[c for c in row if c is not None] for row in book["keterangan"].iter_rows(values_only=True)]
    assert ["unit", f"{service.unit.kode} — {service.unit.nama}"] in about
    assert ["saringan", "tidak ada"] in about

    steps = book["langkah"]
    assert steps.freeze_panes == "A2"
    assert steps.auto_filter.ref == "A1:M6"  # header and five steps
    header = [c.value for c in steps[1]]
    row = {r[header.index("langkah")]: r for r in steps.iter_rows(min_row=2, values_only=True)}
    two = dict(zip(header, row[2], strict=True))
    assert (two["mutu baku (menit)"], two["jumlah selesai"], two["median (menit)"]) == (10, 3, 10)
    assert two["persentil 90 (menit)"] == pytest.approx(11.6)
    assert two["dalam mutu baku (%)"] == pytest.approx(2 / 3)  # a number, shown as a percentage
    share_cell = steps.cell(row=2 + list(row).index(2), column=header.index("dalam mutu baku (%)") + 1)
    assert "%" in share_cell.number_format and share_cell.data_type == "n"

    per_case = book["permohonan"]
    header = [c.value for c in per_case[1]]
    assert per_case.freeze_panes == "A2" and per_case.auto_filter.ref == "A1:N5"
    lines = {r[0]: dict(zip(header, r, strict=True)) for r in per_case.iter_rows(min_row=2, values_only=True)}
    a = lines[cases["A"].reference]
    assert (a["menit kerja"], a["mutu baku jalur yang ditempuh (menit)"], a["langkah selesai"]) == (
        24,
        HAPPY_MINUTES,
        5,
    )
    submitted = a["diajukan (waktu setempat: WITA)"]
    assert isinstance(submitted, dt.datetime)  # an Excel date-time, in the unit's local time
    local = timezone.localtime(cases["A"].created_at, WITA)
    assert abs(submitted - local.replace(tzinfo=None)) < dt.timedelta(seconds=1)
    assert a["zona waktu"] == "WITA"

    waits = book["tunggu"]
    header = [c.value for c in waits[1]]
    [wait] = [dict(zip(header, r, strict=True)) for r in waits.iter_rows(min_row=2, values_only=True)]
    assert (wait["langkah"], wait["jumlah selesai"], wait["median (jam)"]) == (1, 4, 3)

    months = list(book["bulan"].iter_rows(min_row=2, values_only=True))
    assert [(m[1], m[2]) for m in months] == [(15, 13)]
    spread = list(book["sebaran"].iter_rows(min_row=2, values_only=True))
    assert spread[0][1:] == (1, 1, 1, 0, 0, 3)


def test_a_name_typed_as_a_formula_stays_text_in_the_xlsx(service, cases):
    Case.objects.filter(pk=cases["A"].pk).update(reference="=HYPERLINK(1)")
    book = load_workbook(io.BytesIO(_content(_built(service.verifier, "xlsx"))))
    cells = [c for row in book["permohonan"].iter_rows(min_row=2) for c in row]
    [typed] = [c for c in cells if c.value == "=HYPERLINK(1)"]
    assert typed.data_type == "s"  # a string, never a formula


def test_the_per_case_sheet_lists_every_case_streamed(service, cases, settings):
    from loket.reports import mutu_baku

    streamed = list(mutu_baku.iter_case_rows(service.verifier, ReportFilter(), chunk_size=1))
    listed, total = mutu_baku.case_rows(service.verifier, ReportFilter(), limit=None)
    assert [(r.reference, r.working, r.happy_standard) for r in streamed] == [
        (r.reference, r.working, r.happy_standard) for r in listed
    ]
    assert total == 4 == mutu_baku.count_cases(service.verifier, ReportFilter())


# -- the monthly PDF ------------------------------------------------------------------------------


def test_the_monthly_pdf_holds_its_tables_charts_and_signature(service, cases):
    job = _built(service.verifier, "pdf", month=_this_month())
    assert job.filename == f"kinerja-pelayanan-{service.unit.kode}-{_this_month()}.pdf"
    content = _content(job)
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title.startswith("Laporan Kinerja Pelayanan")
    text = pdf_text(content)
    flat = " ".join(text.split())
    local = timezone.localdate(timezone=WITA)
    month = f"{monthly.MONTHS[local.month - 1]} {local.year}"
    assert "LAPORAN KINERJA PELAYANAN" in flat and f"Periode {month}" in flat
    assert service.unit.nama in flat  # the letterhead
    # the summary: 4 cases, 3 measured, none over its path (24, 27, 16 < 40 minutes)
    assert "Permohonan diajukan 4" in flat and "Permohonan dengan langkah petugas selesai 3" in flat
    assert "13 dari 15 (86,7%)" in flat
    # the step table: step 2's row (standard 10, 3 finished, median 10, p90 11,6, 66,7 %)
    assert "10 3 10 11,6 66,7 1 1 1" in flat
    # the charts, drawn in the PDF with their values
    for title in (
        "Dalam mutu baku per langkah",
        "Sebaran menit kerja",
        "Beban per pelaksana",
        "Beban per hari dan jam",
    ):
        assert title in flat
    assert "66,7% (2/3)" in flat
    # the requester's waits: step 1, 4 finished, median 3 hours, p90 5,4
    assert "4 0 3 5,4" in flat
    # the signature block: no SOP names its head, so the name is left for a hand signature
    assert f"Kepala {service.unit.nama}," in flat and "( ...." in flat
    assert f"{local.day} {monthly.MONTHS[local.month - 1]} {local.year}" in flat
    assert len(reader.pages) >= 2


def test_the_signer_is_the_sops_head_when_every_sop_agrees(people):
    from loket.catalog.models import SopVersion
    from loket.units.models import Unit

    unit = Unit.objects.get(kode="kaltim")
    versions = list(SopVersion.objects.filter(unit=unit))
    assert len(versions) >= 2
    signer = monthly.signer_for(unit, versions)
    assert (signer.position, signer.name, signer.nip) == (
        "Kepala Biro Pengadaan Barang dan Jasa",
        "Buyung Dodi Gunawan, S.T., M.M.",
        "19720528 200502 1 001",
    )
    others = list(SopVersion.objects.exclude(unit=unit))
    mixed = monthly.signer_for(unit, versions + others)  # the heads differ: none is named
    assert (mixed.position, mixed.name) == (f"Kepala {unit.nama}", "")


def test_a_monthly_pdf_needs_a_month_and_one_unit(service, cases, other_service, superuser):
    with pytest.raises(exports.ExportRefused, match="bulan"):
        exports.request_export(user=service.verifier, spec=ReportFilter(), fmt="pdf", month="2026-13")
    with pytest.raises(exports.ExportRefused, match="satu unit"):
        exports.request_export(user=superuser, spec=ReportFilter(), fmt="pdf", month="2026-03")
    job = exports.request_export(user=superuser, spec=ReportFilter(unit=service.unit.kode), fmt="pdf", month="2026-03")
    assert job.spec["unit"] == service.unit.kode
    with pytest.raises(exports.ExportRefused, match="Format"):
        exports.request_export(user=service.verifier, spec=ReportFilter(), fmt="docx")


def test_the_exports_show_local_times_only(service, monkeypatch):
    """As the crawler of tests/web reads every export: no UTC, a zone beside every time."""
    from tests.web.test_no_utc_anywhere import MOMENT

    monkeypatch.setattr("django.utils.timezone.now", lambda: MOMENT)
    from tests.sop_factory import submit

    submit(service)
    book = _content(_built(service.verifier, "xlsx"))
    assert problems_in(xlsx_text(book), needs_zone=False) == []
    moments = xlsx_datetimes(book)  # the first sheet's "dibuat": 2 December 07:30 WITA
    assert moments and all(m.hour != MOMENT.hour for m in moments)
    pdf = pdf_text(_content(_built(service.verifier, "pdf", month="2026-12")))
    assert problems_in(pdf) == [], pdf
    assert "2 Desember 2026 07.30 WITA" in pdf


# -- the job through the worker, and who may download it ------------------------------------------


def _status(client: Client, job: ExportJob) -> dict:  # type: ignore[type-arg]
    got = client.get(f"/konsol/laporan/unduhan/{job.pk}/status.json")
    assert got.status_code == 200
    return json.loads(got.content)


@pytest.mark.django_db(transaction=True)
def test_the_page_queues_the_xlsx_and_the_worker_builds_it(service, cases, other_service):
    client = Client()
    client.force_login(service.verifier)
    page = client.get(URL + "?langkah=2").content.decode()
    assert 'action="/konsol/laporan/mutu-baku/unduh/"' in page and 'name="langkah" value="2"' in page
    posted = client.post(EXPORT, {"format": "xlsx", "langkah": "2"})
    job = ExportJob.objects.get()
    assert posted.status_code == 302 and posted["Location"] == f"/konsol/laporan/unduhan/{job.pk}/"
    assert job.spec["step"] == 2 and job.user == service.verifier
    waiting = client.get(posted["Location"]).content.decode()
    assert "data-status-url" in waiting and "export-job.js" in waiting and "menunggu giliran" in waiting
    assert _status(client, job) == {
        "status": "antri",
        "label": "menunggu giliran",
        "progress": 0,
        "step": "",
        "download": None,
        "filename": "",
        "error": "",
        "waiting": True,
        "link_text": "Unduh",
        "expires_text": "",
    }
    assert client.get(f"/konsol/laporan/unduhan/{job.pk}/berkas/").status_code == 404  # not yet

    call_command("worker", "--once", stdout=io.StringIO())
    state = _status(client, job)
    assert (state["status"], state["progress"], state["waiting"]) == ("selesai", 100, False)
    assert state["download"] == f"/konsol/laporan/unduhan/{job.pk}/berkas/"
    assert state["link_text"].startswith("Unduh mutu-baku-semua-") and state["expires_text"].endswith(" WITA")
    done = client.get(posted["Location"]).content.decode()
    assert "Unduh mutu-baku-" in done and "WITA" in done  # when it expires, in local time
    got = client.get(state["download"])
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert got["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    assert [r[2] for r in book["langkah"].iter_rows(min_row=2, values_only=True)] == [2]  # the filter held
    # the report page lists it among my downloads
    assert f"/konsol/laporan/unduhan/{job.pk}/" in client.get(URL).content.decode()

    # nobody else gets the job, its state or its file, whatever the URL
    for user in (other_service.staff_of(VERIFIER, "Dinas Perumahan Rakyat"), service.other_agency_verifier):
        other = Client()
        other.force_login(user)
        for suffix in ("", "status.json", "berkas/"):
            assert other.get(f"/konsol/laporan/unduhan/{job.pk}/{suffix}").status_code == 404
    anonymous = Client().get(state["download"])
    assert anonymous.status_code == 302 and "/konsol/masuk/" in anonymous["Location"]
    no_role = Client()
    no_role.force_login(service.no_role)
    assert no_role.get(state["download"]).status_code == 403
    assert no_role.post(EXPORT, {"format": "xlsx"}).status_code == 403


def test_with_the_immediate_backend_the_pdf_is_ready_on_arrival(
    client, service, cases, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(service.verifier)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the job is committed
        posted = client.post(EXPORT, {"format": "pdf", "bulan": _this_month()})
    job = ExportJob.objects.get()
    assert (job.status, job.progress, job.format) == ("selesai", 100, "pdf")
    got = client.get(_status(client, job)["download"])
    assert got["Content-Type"] == "application/pdf"
    assert "LAPORAN KINERJA PELAYANAN" in pdf_text(b"".join(got.streaming_content))
    assert posted["Location"].endswith(f"{job.pk}/")


def test_a_refused_export_says_why_on_the_report(client, service, cases, superuser, other_service):
    client.force_login(superuser)
    back = client.post(EXPORT, {"format": "pdf", "bulan": "2026-03", "layanan": service.kode}, follow=True)
    assert "satu unit" in back.content.decode()
    assert back.redirect_chain[-1][0].startswith(URL + f"?layanan={service.kode}")
    assert not ExportJob.objects.exists()


def test_a_job_that_lost_its_worker_fails_and_an_expired_file_goes(service, cases):
    job = exports.request_export(user=service.verifier, spec=ReportFilter(), fmt="xlsx")
    ExportJob.objects.filter(pk=job.pk).update(status="berjalan")
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - exports.STALE - dt.timedelta(minutes=1))
    job.refresh_from_db()
    assert exports.refresh(job).status == "gagal" and "Pekerja" in job.error
    assert exports.build(str(job.pk)) == "skipped"  # a failed job is not built after all

    done = _built(service.verifier, "xlsx")
    path = done.file.name
    assert done.file.storage.exists(path) and not path.endswith(done.filename)  # a random name on disk
    assert exports.erase_expired_exports(now=done.expires_at + dt.timedelta(seconds=1)) == 1
    done.refresh_from_db()
    assert not done.file and not done.file.storage.exists(path)


def test_a_failing_build_is_recorded_as_failed(service, cases):
    job = exports.request_export(user=service.verifier, spec=ReportFilter(), fmt="xlsx")
    service.verifier.is_active = False  # no longer reads any unit
    service.verifier.save()
    assert exports.build(str(job.pk)) == "gagal"
    job.refresh_from_db()
    assert job.status == "gagal" and "tidak lagi memiliki unit" in job.error and not job.file
