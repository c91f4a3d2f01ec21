"""The deviation lists' filters: the mutu baku report's form (`reports.views.ReportForm`, the same
fields, choices and `ReportFilter`) with the deviation's status and kind added."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.reports.views import ReportForm
from loket.units.models import Unit

from .models import Kind, Status


class DeviationFilterForm(ReportForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    jenis = forms.ChoiceField(label=gettext_lazy("Jenis"), required=False)

    def __init__(self, data: Any, *, units: list[Unit], mine: bool) -> None:
        super().__init__(data, units=units)
        every = [("", _("semua"))]
        status_field, kind_field = self.fields["status"], self.fields["jenis"]
        assert isinstance(status_field, forms.ChoiceField) and isinstance(kind_field, forms.ChoiceField)
        status_field.choices = every + list(Status.choices)
        kind_field.choices = every + list(Kind.choices)
        if mine:
            del self.fields["petugas"]  # the list is the user's own steps

    def chosen_status(self) -> str:
        return (self.cleaned_data.get("status") or "") if self.is_valid() else ""

    def chosen_kind(self) -> str:
        return (self.cleaned_data.get("jenis") or "") if self.is_valid() else ""


def late_reason(data: Any, late: dict[str, Any] | None) -> dict[str, str]:
    """The case page's "Alasan keterlambatan" as a decision value (`services.LATE_REASON`), when
    the form showed it (`late`: `selectors.late_step`) and it was filled."""
    from .services import LATE_REASON

    if late is None:
        return {}
    name = LATE_REASON.format(no=late["no"])
    text = data.get(name, "")
    return {name: text} if text.strip() else {}
