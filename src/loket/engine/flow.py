"""How a case moves through its SOP.

A case always waits at one step that a person must act on: the requester (`pemohon`: hand in
or complete the file) or a staff member of the step's lane (`staf`: a decision or a manual task).
When that step is answered, `advance` walks on through every step the system completes by itself
(automatic actions such as reset, notify, archive, hand over; and decisions answered from data,
such as the channel) and stops at the next step that needs a person, or at the end.

Nothing here knows a particular SOP: what a step does comes from its `aksi` (ACTIONS in the SOP
model) and its `keputusan`; the rules a system decision may name are in CONDITION_RULES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from loket.sop.model import ACTIONS, CONDITIONS, SELESAI, Kegiatan, Sop, Target

By = Literal["pemohon", "staf", "sistem"]


class EngineError(ValueError):
    """An answer the SOP does not allow at this step."""


@dataclass(frozen=True)
class Facts:
    """What the system knows of a case when it answers a decision by itself, and whether the
    directory it resets passwords in is driven by hand (`assisted`: the unit's accounts live in
    SPSE, where staff set the temporary password themselves)."""

    channel: str  # web, email, loket (at the counter), api
    assisted: bool = False
    needs_password: bool = False  # the requester asked for a new password (not the user ID only)


# The rule behind each `syarat` a system decision may name (the names are declared in the model).
CONDITION_RULES: dict[str, Callable[[Facts], bool]] = {
    "kanal-langsung": lambda facts: facts.channel == "loket",
}
assert CONDITION_RULES.keys() == CONDITIONS.keys(), "every syarat needs a rule"


@dataclass(frozen=True)
class Move:
    """One step completed: its answer, who completed it, and the effect the system runs for it."""

    step: Kegiatan
    answer: str
    by: By
    effect: str | None = None


@dataclass(frozen=True)
class Advance:
    """The steps completed by one answer, in order, and where the case then stands."""

    moves: tuple[Move, ...]
    waiting: Kegiatan | None  # the next step a person must act on; None when the case ended
    outcome: Literal["selesai", "ditolak"] | None = None

    @property
    def effects(self) -> list[Move]:
        return [move for move in self.moves if move.effect]


def by_of(step: Kegiatan, facts: Facts | None = None) -> By:
    """Who completes `step`: the requester, a staff member of its lane, or the system. With an
    assisted directory a step that sets a password is a staff step: a person sets it in SPSE."""
    if step.by == "sistem" and facts is not None and facts.assisted:
        sets = ACTIONS[step.aksi].sets_password
        if sets == "always" or (sets == "when-asked" and facts.needs_password):
            return "staf"
    return step.by


def allowed_answers(step: Kegiatan) -> tuple[str, ...]:
    return ("ya", "tidak") if step.keputusan is not None else ("lanjut",)


def _system_answer(step: Kegiatan, facts: Facts) -> str | None:
    if step.keputusan is None or step.keputusan.oleh != "sistem":
        return None
    rule = CONDITION_RULES[step.keputusan.syarat or ""]
    return "ya" if rule(facts) else "tidak"


def _target(step: Kegiatan, answer: str) -> Target:
    if step.keputusan is not None:
        return step.keputusan.ya if answer == "ya" else step.keputusan.tidak
    assert step.lanjut is not None  # the checker guarantees every non-decision step goes on
    return step.lanjut


def start(sop: Sop) -> Kegiatan:
    """The step a new case waits at: the requester hands in the file."""
    return sop.first


def advance(sop: Sop, step_no: int, answer: str | None, facts: Facts, *, by: By) -> Advance:
    """Complete step `step_no` with `answer` (None: let the system answer a system decision, or
    `lanjut`), then run on through the steps the system completes by itself.

    The outcome is `ditolak` when the steps completed here passed an action whose outcome is a
    refusal (`tolak`), else `selesai`."""
    try:
        step = sop.step(step_no)
    except KeyError as exc:
        raise EngineError(f"langkah {step_no} tidak ada dalam SOP {sop.kode}") from exc
    given = answer if answer is not None else (_system_answer(step, facts) or "lanjut")
    if given not in allowed_answers(step):
        raise EngineError(f"langkah {step_no} tidak menerima jawaban {given!r}")
    moves = [Move(step, given, by, _effect(step))]
    target = _target(step, given)
    # A valid SOP cannot loop through system steps alone (the checker's `putaran` rule); the bound
    # keeps a corrupt one from hanging a request.
    for _ in range(len(sop.kegiatan) + 1):
        if target == SELESAI:
            refused = any(ACTIONS[m.step.aksi].outcome == "ditolak" for m in moves)
            return Advance(tuple(moves), None, "ditolak" if refused else "selesai")
        nxt = sop.step(int(target))
        if by_of(nxt, facts) != "sistem":
            return Advance(tuple(moves), nxt, None)
        auto = _system_answer(nxt, facts) or "lanjut"
        moves.append(Move(nxt, auto, "sistem", _effect(nxt)))
        target = _target(nxt, auto)
    raise EngineError("SOP berputar tanpa langkah pemohon atau petugas")


def _effect(step: Kegiatan) -> str | None:
    """The action whose effect runs for `step`: an automatic action (it runs even when a system
    decision then picks the branch), or a system action a staff member did by hand."""
    return step.aksi if ACTIONS[step.aksi].by == "sistem" else None


def staff_run(sop: Sop, step_no: int, facts: Facts | None = None) -> list[Kegiatan]:
    """The staff steps one person answers together on one page: from `step_no`, the consecutive
    staff steps of the same lane along the expected answers (`ya`, `lanjut`). Each is still
    recorded as its own step."""
    first = sop.step(step_no)
    if by_of(first, facts) != "staf":
        return []
    run = [first]
    step = first
    while True:
        target = _target(step, allowed_answers(step)[0])
        if target == SELESAI:
            return run
        nxt = sop.step(int(target))
        if by_of(nxt, facts) != "staf" or nxt.pelaksana != first.pelaksana or nxt in run:
            return run
        run.append(nxt)
        step = nxt


def due_at(
    step: Kegiatan,
    started: dt.datetime,
    add_working_minutes: Callable[[dt.datetime, int], dt.datetime],
) -> dt.datetime | None:
    """When `step` is due: its time standard in the unit's working minutes after it started.
    Untimed steps (waktu N/A) and the requester's own steps have no due time."""
    if step.waktu is None or by_of(step) == "pemohon":
        return None
    return add_working_minutes(started, step.waktu)
