"""The errors of the case services, each with a message for the person who caused it.

Channels map them: portal and console show the message, the API answers 400/403/404/409.
"""

from __future__ import annotations


class CaseError(Exception):
    status = 400

    def __init__(self, message: str, problems: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or {}


class Invalid(CaseError):
    """Input that cannot be accepted as it is (the message says what to change)."""


class NotAllowed(CaseError):
    """Outside the actor's unit, role or agency."""

    status = 403


class NotFound(CaseError):
    status = 404


class Conflict(CaseError):
    """The case changed since the actor saw it (another staff member, a double click)."""

    status = 409
