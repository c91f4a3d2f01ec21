"""`{% deviation_link user as x %}`: the console nav's link to the deviations, for those who have
something there (their own deviations, or an SOP whose deviations they review): None, or the
page, its label and how many wait on the user."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from loket.deviations import selectors

register = template.Library()


@register.simple_tag
def deviation_link(user: Any) -> dict[str, Any] | None:
    if selectors.may_review(user):
        waiting = selectors.waiting_on(user)
        return {
            "url": reverse("console:deviations"),
            "label": _("Penyimpangan"),
            "waiting": waiting["tinjau"] + waiting["jawab"],
        }
    if selectors.has_own(user):
        return {
            "url": reverse("console:my_deviations"),
            "label": _("Penyimpangan saya"),
            "waiting": selectors.waiting_on(user)["jawab"],
        }
    return None
