"""`{% reads_reports user as x %}`: whether the console nav links the mutu baku report."""

from __future__ import annotations

from typing import Any

from django import template

from loket.reports.mutu_baku import may_read

register = template.Library()


@register.simple_tag
def reads_reports(user: Any) -> bool:
    """Whether `user` has a unit to report on (a staff role, or a superuser)."""
    return may_read(user)
