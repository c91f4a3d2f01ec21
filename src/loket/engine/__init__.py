"""The request engine: pure step logic over the SOP model (no Django, no I/O).

Given an SOP and where a case stands, it says who acts next, which answers are allowed, which
steps the system completes by itself (and so which effects run), when a step is due, and where
the case ends. See `flow.py`.
"""

from .flow import (
    Advance,
    EngineError,
    Facts,
    Move,
    advance,
    allowed_answers,
    by_of,
    due_at,
    staff_run,
    start,
)

__all__ = [
    "Advance",
    "EngineError",
    "Facts",
    "Move",
    "advance",
    "allowed_answers",
    "by_of",
    "due_at",
    "staff_run",
    "start",
]
