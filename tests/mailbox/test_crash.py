"""A real poller process killed (SIGKILL) mid-batch, after its first mail's commit and before
that mail was moved, then a real `loket mailbox poll --once` run again: no request twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from loket.cases.models import Case
from loket.mailbox.models import InboundMail
from tests.mailbox.conftest import deliver_mail, folder_subjects
from tests.mailbox.test_poller import SUBJECT, request_mail
from tests.notify.test_crash import LOKET, ROOT, SharedDatabase

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_poller_restarted_makes_no_duplicate_request(service, mailbox, tmp_path, settings):
    other = service.accounts[list(service.accounts)[1]]
    deliver_mail(mailbox, request_mail(service, subject=SUBJECT + " (1)"))
    deliver_mail(mailbox, request_mail(service, sender=other.email, subject=SUBJECT + " (2)"))
    shared = SharedDatabase(tmp_path)
    # the mailbox password is sealed with the secret key
    env = shared.process_env(tmp_path, LOKET_SECRET_KEY=settings.SECRET_KEY)
    signal_file = tmp_path / "committed"
    shared.export()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.mailbox.crash_poller", str(signal_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not signal_file.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if not signal_file.exists():
        process.kill()
        pytest.fail("the poller never committed a mail:\n" + process.communicate()[0])
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    shared.import_back()

    assert Case.objects.count() == 1
    assert InboundMail.objects.count() == 1
    assert len(folder_subjects(mailbox, "INBOX")) == 2  # the first mail was committed, not moved

    shared.export()
    done = subprocess.run(
        [str(LOKET), "mailbox", "poll", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shared.import_back()

    assert "2 e-mail dibaca (1 menjadi permohonan); 0 gagal" in done.stdout
    assert Case.objects.count() == 2
    assert sorted(Case.objects.values_list("requester_email", flat=True)) == sorted(
        [service.account.email, other.email]
    )
    assert InboundMail.objects.filter(moved_to="Diproses").count() == 2
    assert folder_subjects(mailbox, "INBOX") == []
    assert sorted(folder_subjects(mailbox, "Diproses")) == [SUBJECT + " (1)", SUBJECT + " (2)"]
