"""Retention with the documents in object storage (LOKET_STORAGE=s3, django-storages against moto's
S3 server on loopback): the files of an archived case past its unit's period leave the bucket
(deleted from several threads at once), a newer case's stay, and the seal still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.cases.archive_verify import verify_archive
from loket.cases.models import ArchiveRecord, Case
from loket.cases.retention import remove_expired_documents
from tests.cases.test_services import answer_run
from tests.operations.test_s3_storage import bucket, s3_endpoint, s3_settings  # noqa: F401 - the fixture
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db


def bucket_keys(endpoint: str) -> set[str]:
    return {o.key for o in bucket(endpoint).objects.all()}


def sealed(service, email: str, *, years_ago: int) -> Case:  # type: ignore[no-untyped-def]
    case = submit(service, email=email).case
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "cocok")])
    when = timezone.now() - dt.timedelta(days=366 * years_ago)
    Case.objects.filter(pk=case.pk).update(closed_at=when)
    ArchiveRecord.objects.filter(case=case).update(sealed_at=when)
    return Case.objects.get(pk=case.pk)


def test_documents_past_retention_leave_the_bucket(settings, service, s3_endpoint):  # noqa: F811
    settings.STORAGES = s3_settings(s3_endpoint)
    service.unit.retensi_tahun = 5
    service.unit.save(update_fields=["retensi_tahun"])
    old = sealed(service, "lama@gmail.com", years_ago=6)
    new = sealed(service, "baru@gmail.com", years_ago=1)
    keys = {c.reference: {f"uji/{d.file.name}" for d in c.documents.all()} for c in (old, new)}
    assert keys[old.reference] | keys[new.reference] <= bucket_keys(s3_endpoint)

    run = remove_expired_documents()

    assert [c.reference for c in run.cases] == [old.reference] and run.documents == 2
    left = bucket_keys(s3_endpoint)
    assert not keys[old.reference] & left and keys[new.reference] <= left
    verdict = verify_archive(case=old)
    assert verdict.intact and [d.state for d in verdict.documents] == ["dihapus", "dihapus"]
