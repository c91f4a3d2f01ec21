"""The front office's guest-book form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ServiceQueue


class GuestForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=ServiceQueue.objects.none(), label=_("Layanan yang dituju"), empty_label=None
    )
    name = forms.CharField(label=_("Nama"), max_length=200)
    agency = forms.CharField(label=_("Instansi"), max_length=300)
    id_number = forms.CharField(label=_("NIP atau nomor identitas"), max_length=40)
    phone = forms.CharField(label=_("Nomor telepon"), max_length=30)

    def __init__(self, *args: Any, unit: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = ServiceQueue.objects.filter(unit=unit, active=True)  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if not re.fullmatch(r"\+?\d{8,15}", phone):
            raise forms.ValidationError(_("Nomor telepon 8–15 angka, misalnya 081234567890."))
        return phone

    def clean_id_number(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["id_number"])
        if not re.fullmatch(r"[0-9A-Za-z./-]{4,40}", value):
            raise forms.ValidationError(_("Isi NIP (18 angka) atau nomor identitas lain."))
        return value
