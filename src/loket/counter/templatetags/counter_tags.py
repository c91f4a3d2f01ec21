"""`{% counter_panel user %}`: the counter beside the work queue, for staff who work one."""

from __future__ import annotations

from typing import Any

from django import template

from loket.counter.lanes import units_of
from loket.counter.models import Counter
from loket.counter.selectors import counter_lists

register = template.Library()


@register.inclusion_tag("counter/_panel.html")
def counter_panel(user: Any) -> dict[str, Any]:
    desks = []
    for unit in units_of(user, counter=True):
        counter = Counter.objects.filter(unit=unit, staffed_by=user).first()
        lists = counter_lists(counter) if counter else None
        desks.append({"unit": unit, "counter": counter, "lists": lists})
    front = units_of(user, counter=False)
    return {"desks": desks, "front": front}


@register.simple_tag
def works_counter(user: Any) -> bool:
    """Whether `user` staffs a front office or a counter at some unit (the console's nav link)."""
    return bool(units_of(user, counter=True) or units_of(user, counter=False))
