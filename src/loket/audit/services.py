"""`log_action`: the one helper that writes the audit trail."""

from __future__ import annotations

from typing import Any

from .models import AuditEntry


def log_action(action: str, *, actor: Any = None, case: Any = None, **detail: Any) -> AuditEntry:
    """Write one audit entry. `detail` must never hold a secret (password, token, tracking code)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(action=action, actor=user, case=case, detail=detail)
