"""`{% unit_footer %}`: the footer of a page that concerns one unit (its address, contact and
opening hours, from `units.services.unit_identity`), drawn by web/base.html.

Which unit a page concerns is read from its context, in this order: `unit_identity` (a view that
says so), `unit` (a Unit: the portal start page with a unit chosen, the counter's, mailbox's and
training's pages of a unit), `case` (a Case: the receipt, the status page, the console's case
page) and `version` (a SopVersion: the request form, an SOP's catalogue page). A page with none
of them (a list of many units' cases) has no unit footer.
"""

from __future__ import annotations

from typing import Any

from django import template

from loket.units.models import Unit
from loket.units.services import UnitIdentity, unit_identity

register = template.Library()


def page_unit_identity(context: Any) -> UnitIdentity | None:
    """The identity of the one unit the page's context concerns, or None."""
    given = context.get("unit_identity")
    if isinstance(given, UnitIdentity):
        return given
    unit = context.get("unit")
    if not isinstance(unit, Unit):
        unit = None
        for key in ("case", "version"):
            candidate = getattr(context.get(key), "unit", None)
            if isinstance(candidate, Unit):
                unit = candidate
                break
    return unit_identity(unit) if unit is not None else None


@register.inclusion_tag("web/_unit_footer.html", takes_context=True)
def unit_footer(context: Any) -> dict[str, Any]:
    return {"identity": page_unit_identity(context)}


@register.simple_tag(takes_context=True)
def page_unit(context: Any) -> UnitIdentity | None:
    """`{% page_unit as identity %}`: the same identity, for a template's own letterhead."""
    return page_unit_identity(context)
