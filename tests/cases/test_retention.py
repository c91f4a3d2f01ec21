"""Removing the documents of archived cases past their unit's retention period
(loket.cases.retention, `loket archive retention`): real files in a media directory of the test's
own. What goes: the files of cases sealed and closed longer ago than the unit's `retensi_tahun`;
what stays: the rows (name, size, SHA-256), so the seal still verifies, and every file of a newer
case, of a unit that keeps its files forever, of an open case. A file gone without the job's mark
still fails the check; a dry run changes nothing; a second run changes nothing; the staff page
says when a document was removed instead of linking to nothing."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loket.audit.models import AuditEntry
from loket.cases import retention
from loket.cases.archive_verify import verify_archive
from loket.cases.models import ArchiveRecord, Case, Document
from loket.cases.retention import remove_expired_documents, removed_notice, years_before
from tests.cases.test_services import answer_run
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2031, 6, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """Files of these tests are removed from disk: in a directory of their own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def archived(service, *, years_ago: float, email: str = "pemohon@gmail.com") -> Case:  # type: ignore[no-untyped-def]
    """A case of `service` submitted, decided and sealed, then dated as archived (sealed and
    closed) `years_ago` before NOW."""
    case = submit(service, email=email).case
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
    case.refresh_from_db()
    assert case.is_closed and hasattr(case, "archive")
    when = NOW - dt.timedelta(days=round(365.25 * years_ago))
    # Only the dates the job reads: the submitted time is sealed, a change of it would be a finding.
    Case.objects.filter(pk=case.pk).update(closed_at=when)
    ArchiveRecord.objects.filter(case=case).update(sealed_at=when)
    return Case.objects.get(pk=case.pk)


def paths(case: Case) -> list[Path]:
    return [Path(d.file.path) for d in case.documents.order_by("id")]


def keeps(service, years: int | None) -> None:  # type: ignore[no-untyped-def]
    service.unit.retensi_tahun = years
    service.unit.save(update_fields=["retensi_tahun"])


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("archive", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_documents_past_retention_go_the_rows_and_newer_files_stay(service):
    keeps(service, 5)
    old = archived(service, years_ago=6, email="lama@gmail.com")
    new = archived(service, years_ago=4, email="baru@gmail.com")
    before = {d.pk: (d.original_name, d.size, d.sha256, d.file.name) for d in old.documents.all()}
    assert all(p.is_file() for p in paths(old) + paths(new))

    run = remove_expired_documents(NOW)

    assert [c.reference for c in run.cases] == [old.reference]
    assert run.documents == 2 and run.bytes == sum(size for _n, size, _h, _f in before.values())
    assert not any(p.exists() for p in paths(old))
    assert not paths(old)[0].parent.exists()  # the case's folder went with its last file
    assert all(p.is_file() for p in paths(new))
    # The rows keep what the seal is over: name, size, SHA-256 (and the storage name).
    after = {d.pk: (d.original_name, d.size, d.sha256, d.file.name) for d in old.documents.all()}
    assert after == before
    assert all(d.removed_at == NOW and d.is_removed for d in old.documents.all())
    assert not any(d.is_removed for d in new.documents.all())
    old.refresh_from_db()
    assert old.documents_removed_at == NOW
    entry = AuditEntry.objects.get(case=old, action="archive.retention")
    assert entry.detail == {"documents": 2, "bytes": run.bytes, "years": 5}


def test_a_unit_without_retention_keeps_everything(service):
    assert service.unit.retensi_tahun is None  # the default: kept forever
    forever = archived(service, years_ago=30)
    assert remove_expired_documents(NOW).cases == []
    assert all(p.is_file() for p in paths(forever))
    assert not forever.documents.filter(removed_at__isnull=False).exists()


def test_an_open_case_is_never_touched(service):
    keeps(service, 1)
    case = submit(service, email="terbuka@gmail.com").case
    long_ago = NOW - dt.timedelta(days=365 * 20)
    Case.objects.filter(pk=case.pk).update(created_at=long_ago)
    assert not Case.objects.get(pk=case.pk).is_closed
    assert remove_expired_documents(NOW).cases == []
    assert all(p.is_file() for p in paths(case))


def test_the_seal_still_verifies_and_says_when_each_document_was_removed(service):
    keeps(service, 2)
    case = archived(service, years_ago=3)
    remove_expired_documents(NOW)
    verdict = verify_archive(case=case)
    assert verdict.intact and verdict.exit_code == 0 and verdict.findings() == []
    assert [d.state for d in verdict.documents] == ["dihapus", "dihapus"]
    assert (
        verdict.documents[0]
        .sentence()
        .endswith("dihapus sesuai masa retensi pada 1 Juni 2031; SHA-256-nya tetap tercatat di segel.")
    )
    code, out = run_cli("verify", case.reference)
    assert code == 0
    assert f"Arsip {case.reference} UTUH" in out and "2 berkas dihapus sesuai masa retensi" in out
    assert out.count("[dihapus]") == 2


def test_a_file_gone_without_the_retention_mark_still_fails(service):
    keeps(service, 2)
    case = archived(service, years_ago=1)  # not due: the job leaves it alone
    remove_expired_documents(NOW)
    gone = case.documents.get(kode="sk-penunjukan")
    Path(gone.file.path).unlink()
    verdict = verify_archive(case=case)
    assert not verdict.intact and verdict.exit_code == 1
    assert [(d.kode, d.state) for d in verdict.changed_documents] == [("sk-penunjukan", "hilang")]
    code, out = run_cli("verify", case.reference)
    assert code == 1 and "tidak ditemukan lagi di penyimpanan" in out


def test_a_dry_run_lists_what_would_go_and_removes_nothing(service):
    keeps(service, 5)
    case = archived(service, years_ago=7)
    run = remove_expired_documents(NOW, dry_run=True)
    assert [c.reference for c in run.cases] == [case.reference] and run.documents == 2
    assert all(p.is_file() for p in paths(case))
    assert not case.documents.filter(removed_at__isnull=False).exists()
    assert Case.objects.get(pk=case.pk).documents_removed_at is None
    assert not AuditEntry.objects.filter(action="archive.retention").exists()


def test_a_second_run_changes_nothing(service):
    keeps(service, 5)
    case = archived(service, years_ago=7)
    first = remove_expired_documents(NOW)
    marks = list(case.documents.values_list("pk", "removed_at"))
    second = remove_expired_documents(NOW + dt.timedelta(days=1))
    assert len(first.cases) == 1 and second.cases == []
    assert list(case.documents.values_list("pk", "removed_at")) == marks
    assert AuditEntry.objects.filter(case=case, action="archive.retention").count() == 1


def test_a_run_stopped_after_marking_the_rows_is_finished_by_the_next(service):
    """The first step (rows marked, committed) done, the files not yet deleted: the next run
    deletes them and marks the case done."""
    keeps(service, 5)
    case = archived(service, years_ago=7)
    earlier = NOW - dt.timedelta(hours=1)
    Document.objects.filter(case=case).update(removed_at=earlier)
    assert all(p.is_file() for p in paths(case))
    run = remove_expired_documents(NOW)
    assert [c.reference for c in run.cases] == [case.reference]
    assert not any(p.exists() for p in paths(case))
    assert set(case.documents.values_list("removed_at", flat=True)) == {earlier}
    assert verify_archive(case=case).intact


def test_the_workers_job_does_at_most_its_share_a_sweep_and_the_next_goes_on(service, monkeypatch):
    keeps(service, 5)
    cases = [archived(service, years_ago=6, email=f"p{i}@gmail.com") for i in range(3)]
    for case in cases:
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=365 * 6))
        ArchiveRecord.objects.filter(case=case).update(sealed_at=timezone.now() - dt.timedelta(days=365 * 6))
    monkeypatch.setattr(retention, "BATCH", 1)
    monkeypatch.setattr(retention, "JOB_CASES", 2)
    assert retention.run_retention() == 2
    assert Case.objects.filter(documents_removed_at__isnull=False).count() == 2
    assert retention.run_retention() == 1
    assert retention.run_retention() == 0
    assert all(not any(p.exists() for p in paths(case)) for case in cases)


def test_the_period_counts_from_the_later_of_sealing_and_closing(service):
    keeps(service, 5)
    case = archived(service, years_ago=6)
    # Closed only three years ago (a step recorded after the archive step): not due yet.
    Case.objects.filter(pk=case.pk).update(closed_at=NOW - dt.timedelta(days=365 * 3))
    assert remove_expired_documents(NOW).cases == []
    assert all(p.is_file() for p in paths(case))


def test_the_cli_prints_each_case_and_the_total(service):
    keeps(service, 5)
    case = archived(service, years_ago=6)
    size = sum(case.documents.values_list("size", flat=True))
    # The CLI runs at the real now; the case is six years older than NOW, so due today as well.
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=365 * 6))
    ArchiveRecord.objects.filter(case=case).update(sealed_at=timezone.now() - dt.timedelta(days=365 * 6))
    code, dry = run_cli("retention", "--dry-run")
    assert code == 0
    assert f"  {case.reference} (unit {service.unit.kode}, diarsipkan " in dry
    assert "masa retensi 5 tahun): 2 berkas" in dry
    assert "Uji coba: 2 berkas" in dry and "dari 1 arsip akan dihapus; tidak ada yang diubah." in dry
    assert all(p.is_file() for p in paths(case))
    code, out = run_cli("retention")
    assert code == 0 and f"  {case.reference} (unit {service.unit.kode}" in out
    assert "Retensi: 2 berkas" in out and "dari 1 arsip dihapus." in out
    assert not any(p.exists() for p in paths(case))
    assert size > 0
    code, again = run_cli("retention")
    assert again.strip() == "Retensi: 0 berkas (0\xa0bita) dari 0 arsip dihapus."


def test_the_case_page_says_the_document_was_removed_instead_of_linking_to_it(service):
    keeps(service, 5)
    case = archived(service, years_ago=6)
    remove_expired_documents(NOW)
    client = Client()
    client.force_login(service.verifier)
    page = client.get(reverse("console:case", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Dihapus sesuai masa retensi pada 1 Juni 2031") == 2
    for doc in case.documents.all():
        assert reverse("console:document", args=[case.pk, doc.pk]) not in html
        assert doc.original_name in html  # the row is still listed
        # What the document's own address answers with instead of the file.
        assert removed_notice(doc) == "Dihapus sesuai masa retensi pada 1 Juni 2031"
        opened = client.get(reverse("console:document", args=[case.pk, doc.pk]))
        assert opened.status_code == 410
        assert opened.content.decode() == "Dihapus sesuai masa retensi pada 1 Juni 2031"
    # The seal check's page marks them removed, not changed.
    checked = client.get(reverse("console:archive_verify", args=[case.pk])).content.decode()
    assert checked.count("dihapus sesuai masa retensi</span> 1 Juni 2031") == 2 and "berubah</span>" not in checked


def test_the_retention_period_is_edited_with_the_unit_in_the_admin(service, superuser):
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:units_unit_change", args=[service.unit.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="retensi_tahun"' in page.content.decode()
    assert "Masa retensi berkas (tahun)" in page.content.decode()


def test_years_before_keeps_the_calendar_day():
    assert years_before(dt.datetime(2032, 2, 29, tzinfo=dt.UTC), 5) == dt.datetime(2027, 2, 28, tzinfo=dt.UTC)
    assert years_before(NOW, 10) == dt.datetime(2021, 6, 1, 3, 0, tzinfo=dt.UTC)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are real on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remove_each_case_once(service):
    keeps(service, 5)
    cases = [archived(service, years_ago=6, email=f"p{i}@gmail.com") for i in range(6)]
    barrier = threading.Barrier(2)
    done: list[list[str]] = []

    def work() -> None:
        try:
            barrier.wait()
            done.append([c.reference for c in remove_expired_documents(NOW).cases])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    removed = sorted(ref for refs in done for ref in refs)
    assert len(done) == 2 and removed == sorted(c.reference for c in cases)
    for case in cases:
        assert AuditEntry.objects.filter(case=case, action="archive.retention").count() == 1
        assert not any(p.exists() for p in paths(case))
        assert verify_archive(case=case).intact
