"""The demo's data (`loket demo`): running it twice changes nothing, and a registration can be
walked to the end in one sitting (the Kaltim letter settings, a training session under way, and
the Kepala LPSE's address for the copy of the result)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from loket.catalog.services import install_builtin
from loket.registration.letters import config_for
from loket.registration.models import LetterSettings, TrainingSession
from loket.units.models import Unit
from loket.web.management.commands.demo import seed

pytestmark = pytest.mark.django_db


def test_the_demo_seed_is_idempotent_and_ready_for_a_registration():
    install_builtin()
    seed()
    seed()
    kaltim = Unit.objects.get(kode="kaltim")
    assert LetterSettings.objects.filter(unit=kaltim).count() == 1
    assert config_for(kaltim).city == "Samarinda"
    sessions = list(TrainingSession.objects.filter(unit=kaltim).order_by("starts_at"))
    assert len(sessions) == 2
    assert sessions[0].starts_at < timezone.now() < sessions[0].ends_at  # attendance can be recorded
    assert get_user_model().objects.get(username="kepala-kaltim").email
    # The KKP front office and counters (seed 004): its queue service, two counters, one board.
    from loket.counter.models import Board, Counter, ServiceQueue

    kkp = Unit.objects.get(kode="kkp")
    assert ServiceQueue.objects.filter(unit=kkp).count() == 1
    assert Counter.objects.filter(unit=kkp).count() == 2 and Board.objects.filter(unit=kkp).count() == 1
