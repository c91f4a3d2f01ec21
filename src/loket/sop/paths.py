"""Every path through an SOP from step 1 to `selesai`, with its time standard.

A path visits a step at most twice and gives each decision answer at most once, so each loop
(incomplete → ask → supply → check again) is taken at most once. A path's `minutes` is the sum of
the timed steps it visits; `waits` counts the N/A steps (the requester's own, or an outside event) it waits on. The happy path answers every
staff decision `ya` and takes no loop: its minutes are what a unit publishes as its completion time.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import SELESAI, Kegiatan, Sop


@dataclass(frozen=True)
class Path:
    steps: tuple[int, ...]
    answers: tuple[tuple[int, str], ...]  # (decision step, "ya"/"tidak") in the order taken
    minutes: int
    waits: int
    happy: bool
    ends_with: str  # the `aksi` of the last step

    def as_dict(self) -> dict[str, object]:
        return {
            "steps": list(self.steps),
            "minutes": self.minutes,
            "waits": self.waits,
            "happy": self.happy,
            "ends_with": self.ends_with,
        }


def all_paths(sop: Sop) -> list[Path]:
    """All paths from step 1, decisions explored `ya` first (so the happy path comes first).

    A path visits a step at most twice and gives each decision answer at most once: so it goes
    round each loop at most once, wherever the loop turns back.
    """
    by_no = {k.no: k for k in sop.kegiatan}
    found: list[Path] = []

    def walk(no: int, steps: list[int], answers: list[tuple[int, str]]) -> None:
        if steps.count(no) == 2:
            return
        steps.append(no)
        for key, target in by_no[no].branches:
            answered = key != "lanjut"
            if answered and (no, key) in answers:
                continue
            if answered:
                answers.append((no, key))
            if target == SELESAI:
                found.append(_make(by_no, steps, answers))
            else:
                walk(int(target), steps, answers)
            if answered:
                answers.pop()
        steps.pop()

    if 1 in by_no:
        walk(1, [], [])
    return found


def _make(by_no: dict[int, Kegiatan], steps: list[int], answers: list[tuple[int, str]]) -> Path:
    timed = [by_no[n].waktu for n in steps]
    staff_answers = [a for n, a in answers if (kp := by_no[n].keputusan) and kp.oleh == "staf"]
    return Path(
        steps=tuple(steps),
        answers=tuple(answers),
        minutes=sum(t for t in timed if t is not None),
        waits=sum(1 for t in timed if t is None),
        happy=len(set(steps)) == len(steps) and all(a == "ya" for a in staff_answers),
        ends_with=by_no[steps[-1]].aksi,
    )


def happy_path(sop: Sop) -> Path | None:
    """The first happy path (for an SOP whose first step is a system decision, its `ya` branch)."""
    return next((p for p in all_paths(sop) if p.happy), None)
