"""`log_action` and `log_actions`: the one place that writes the audit trail."""

from __future__ import annotations

from typing import Any

from .models import AuditEntry


def log_action(action: str, *, actor: Any = None, case: Any = None, **detail: Any) -> AuditEntry:
    """Write one audit entry. `detail` must never hold a secret (password, token, tracking code)."""
    entry = audit_entry(action, actor=actor, case=case, **detail)
    entry.save()
    return entry


def audit_entry(action: str, *, actor: Any = None, case: Any = None, **detail: Any) -> AuditEntry:
    """An unsaved entry, for `log_actions` (the same rule: `detail` never holds a secret)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(action=action, actor=user, case=case, detail=detail)


def log_actions(entries: list[AuditEntry]) -> None:
    """Write several entries in one statement (the steps of one change of a case)."""
    AuditEntry.objects.bulk_create(entries)
