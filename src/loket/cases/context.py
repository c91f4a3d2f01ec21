"""The values that travel through one change of a case: what a staff member gave with their
answers (`Decision`), and what the steps of one answer hand on to each other while they run
(`EffectContext`, e.g. the one-time link a reset issued for the notification that follows).

Kept apart from services and effects so that both import it and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loket.sop.model import Sop

    from .models import Case, StepRun


@dataclass(frozen=True)
class StepAnswer:
    step: int
    answer: str
    note: str = ""


@dataclass
class Decision:
    """A staff member's answers to one or more consecutive steps, and the values they gave with
    them, keyed by the field names the action registry declares (`actions.Field.name`): each
    step's action reads the fields it declared."""

    answers: list[StepAnswer]
    values: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass
class EffectContext:
    """One change of a case as its steps run: who acted, what they gave, and what earlier steps
    of the same change produced for later ones. Never stored: it holds secrets in passing."""

    case: Case
    sop: Sop
    actor: Any
    decision: Decision = field(default_factory=lambda: Decision(answers=[]))
    step_run: StepRun | None = None  # the step whose check or effect runs now
    link_token: str | None = None  # the one-time link a reset issued in this change
    user_id: str | None = None  # the user ID a reset or look-up found in this change
    seal: bool = False  # an archive step ran: seal the file once every step is recorded
    audit: list[Any] = field(default_factory=list)  # the steps' audit entries, written together at the end
    # What the change writes once, at its end (services._write_change), instead of step by step:
    # the steps recorded but not yet inserted (in order), the steps finished (their tallies) and
    # those a person closed with the late reason they gave (their deviations), the step the case
    # waits at if this change opened it, and whether the case row changed.
    unwritten: list[StepRun] = field(default_factory=list)
    finished: list[StepRun] = field(default_factory=list)
    closed: list[tuple[StepRun, str]] = field(default_factory=list)
    open_run: StepRun | None = None
    case_changed: bool = False

    def steps_written(self) -> None:
        """Insert the steps this change recorded so far: an effect calls it before it reads the
        case's steps from the database (the staff who acted in a lane, the last check's note)."""
        if self.unwritten:
            from .models import StepRun

            StepRun.objects.bulk_create(self.unwritten)  # ids in order: the open step is the last
            self.unwritten = []
