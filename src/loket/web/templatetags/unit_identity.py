"""`{% unit_footer %}`: the footer of a page that concerns one unit (its address, contact and
opening hours, from `units.services.unit_identity`), drawn by web/base.html.

Which unit a page concerns is read from its context, in this order: `unit_identity` (a view that
says so), `unit` (a Unit: the portal start page with a unit chosen, the counter's, mailbox's and
training's pages of a unit), `case` (a Case: the receipt, the status page, the console's case
page) and `version` (a SopVersion: the request form, an SOP's catalogue page); failing those, on a
console page, the one unit of a staff member whose roles are all there. A page with none of them
(a list of many units' cases for staff of several units) has no unit footer.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

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
    if unit is None:
        unit = _staff_unit(context.get("request"))
    return unit_identity(unit) if unit is not None else None


def _staff_unit(request: Any) -> Unit | None:
    """On a console page that names no unit (the queue, the reports), the unit of a staff member
    whose roles are all at one unit; None for staff of several units and everyone else (the
    roles are read once per request: rules.roles_of keeps them on the user)."""
    if request is None or not request.path.startswith(reverse("console:queue")):
        return None
    from loket.staff import rules

    units = {role.unit_id: role.unit for role in rules.roles_of(getattr(request, "user", None))}
    return next(iter(units.values())) if len(units) == 1 else None


@register.inclusion_tag("web/_unit_footer.html", takes_context=True)
def unit_footer(context: Any) -> dict[str, Any]:
    return {"identity": page_unit_identity(context)}


@register.simple_tag(takes_context=True)
def page_unit(context: Any) -> UnitIdentity | None:
    """`{% page_unit as identity %}`: the same identity, for a template's own letterhead."""
    return page_unit_identity(context)
