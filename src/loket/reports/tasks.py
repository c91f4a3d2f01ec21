"""The worker's task of the reports: building an export (`exports.build`)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_export(job_id: str) -> str:
    """Build the XLSX or PDF of ExportJob `job_id` (queued by `exports.request_export`)."""
    from .exports import build

    return build(job_id)
