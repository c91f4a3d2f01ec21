"""The console's navigation asks whether to show the training link: the signed-in staff member
plans training at some unit (`registration.services.may_plan_training`)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def plans_training(user: Any) -> bool:
    """Whether `user` may plan training at any unit (the link "Pelatihan" is shown then)."""
    from loket.web.training_views import training_units

    return bool(training_units(user))
