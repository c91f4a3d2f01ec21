"""`{% mailbox_panel user %}`: the unit's mail waiting for a person, beside the work queue, and
`{% opens_mail user %}` for the console's nav link; both only for units with a mailbox whose
screen the user may see (loket.mailbox.lanes)."""

from __future__ import annotations

from typing import Any

from django import template

from loket.mailbox import selectors
from loket.mailbox.lanes import units_of

register = template.Library()


@register.inclusion_tag("mailbox/_panel.html")
def mailbox_panel(user: Any) -> dict[str, Any]:
    rows = [{"unit": unit, "counts": selectors.counts(unit.mailbox, user)} for unit in units_of(user)]
    return {"rows": rows}


@register.simple_tag
def opens_mail(user: Any) -> bool:
    """Whether `user` may see some unit's mailbox screen (the console's "E-mail" link)."""
    return bool(units_of(user))
