"""Helpers the engine tests share: load a built-in SOP, submit a request, answer steps, and
describe what the engine returned as plain numbers and words so that tests compare lists."""

from __future__ import annotations

from pathlib import Path

from loket.engine.flow import Advance, By, Facts, advance
from loket.sop import model
from loket.sop.load import load_file
from loket.sop.model import Kegiatan, Sop

DEFINITIONS = Path(model.__file__).parent / "definitions"


def builtin(kode: str) -> Sop:
    loaded = load_file(DEFINITIONS / f"{kode}.yaml")
    assert loaded.violations == []
    assert loaded.sop is not None
    return loaded.sop


def submit(sop: Sop, channel: str = "web") -> Advance:
    """The requester hands in the request (the system answers step 1's decision, if it has one)."""
    return advance(sop, sop.first.no, None, Facts(channel), by="pemohon")


def reply(result: Advance, sop: Sop, answer: str, channel: str = "web", by: By = "staf") -> Advance:
    """Answer the step `result` waits at."""
    assert result.waiting is not None, "the case already ended"
    return advance(sop, result.waiting.no, answer, Facts(channel), by=by)


def nos(steps: list[Kegiatan]) -> list[int]:
    return [step.no for step in steps]


def moves(result: Advance) -> list[tuple[int, str, str]]:
    """Each completed step as (no, answer, by)."""
    return [(move.step.no, move.answer, move.by) for move in result.moves]


def effects(result: Advance) -> list[str]:
    return [move.effect for move in result.effects if move.effect]


def waiting_no(result: Advance) -> int | None:
    return result.waiting.no if result.waiting is not None else None
