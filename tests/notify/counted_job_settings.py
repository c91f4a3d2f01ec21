"""Loket's settings plus one periodic job that writes a line per run, for tests/notify/test_two_workers.py.

The worker processes of that test run with DJANGO_SETTINGS_MODULE pointing here: the file named
by LOKET_TEST_JOB_RUNS gets one line (the process id) each time a worker runs the job, so the
test counts the runs across processes."""

from __future__ import annotations

import os

from loket.settings import *  # noqa: F403
from loket.settings import LOKET_PERIODIC_JOBS

LOKET_PERIODIC_JOBS = [*LOKET_PERIODIC_JOBS, "tests.notify.counted_job_settings.counted_job"]


def counted_job() -> None:
    with open(os.environ["LOKET_TEST_JOB_RUNS"], "a", encoding="utf-8") as runs:
        runs.write(f"{os.getpid()}\n")
