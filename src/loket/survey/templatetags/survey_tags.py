"""`{% reads_survey user as x %}`: whether the console nav links the survey page;
`{% survey_offer counter %}`: the "Tawarkan survei" box on the counter's desk page."""

from __future__ import annotations

from typing import Any

from django import template

from loket.reports.mutu_baku import units_in_scope

from .. import services

register = template.Library()


@register.simple_tag
def reads_survey(user: Any) -> bool:
    """Whether `user` may read a unit's survey results (a staff role there, or a superuser)."""
    return bool(units_in_scope(user))


@register.inclusion_tag("survey/_counter_offer.html", takes_context=True)
def survey_offer(context: Any, counter: Any) -> dict[str, Any]:
    """For the staff member at `counter`: the visitor just served who may be offered the survey on
    the counter's tablet, what the tablet shows now, and (to an administrator) its address."""
    user = context.get("user")
    shown = services.offered_on(counter.pk)
    return {
        "counter": counter,
        "case": services.offerable_case(counter),
        "shown": shown,
        # The address is the tablet's secret: shown to administrators, as the display boards' are.
        "tablet": services.tablet_for(counter) if getattr(user, "is_superuser", False) else None,
        "csrf_token": context.get("csrf_token"),
        "minutes": services.tablet_minutes(),
    }
