"""The KKP front office and counters (seed 004): its SOP's lanes give the front office and the
counters their staff; two counters serving the queue service of that SOP."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest

from loket.counter import services
from loket.counter.lanes import queue_lanes
from loket.counter.models import Board, Counter, ServiceQueue
from loket.units.models import Unit
from tests.factories import staff


@dataclass
class Desk:
    unit: Unit
    service: ServiceQueue
    counters: list[Counter]
    front: Any
    helpdesk: Any
    helpdesk2: Any
    board: Board

    def at(self, hour: int, minute: int = 0, day: dt.date = dt.date(2026, 12, 2)) -> dt.datetime:
        """A local time of the unit (a Wednesday by default)."""
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(self.unit.zona_waktu))


def make_desk() -> Desk:
    unit = Unit.objects.get(kode="kkp")
    lanes = queue_lanes(unit)
    (front_lane,) = sorted(lanes.front_office)
    (counter_lane,) = sorted(lanes.counter)
    (service,) = services.setup_services(unit)
    counters = services.setup_counters(unit, 2)
    return Desk(
        unit=unit,
        service=service,
        counters=counters,
        front=staff("fo-kkp", "kkp", front_lane),
        helpdesk=staff("hd-kkp", "kkp", counter_lane),
        helpdesk2=staff("hd2-kkp", "kkp", counter_lane),
        board=Board.objects.create(unit=unit),
    )


@pytest.fixture
def desk(installed) -> Desk:
    return make_desk()
