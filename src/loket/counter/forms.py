"""The front office's guest-book form and the counter's request form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.cases.asked import for_whom
from loket.web.portal_forms import RequestForm

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


class CounterRequestForm(RequestForm):
    """The request the Helpdesk writes down at the counter: the portal's request form (the same
    fields and rules), filled in advance from the guest book, and a tick for each document whose
    original the SOP asks to see."""

    IN_PERSON = True

    originals = forms.MultipleChoiceField(
        label=_("Asli yang diperlihatkan pemohon"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Centang setiap dokumen yang aslinya Anda lihat. Yang tidak dicentang dicatat: tidak diperlihatkan."
        ),
    )

    def __init__(self, *args: Any, originals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if originals:
            roles = for_whom(originals)
            self.fields["originals"].choices = [  # type: ignore[attr-defined]
                (b.kode, _("Asli %(nama)s") % {"nama": b.nama + roles.get(b.kode, "")}) for b in originals
            ]
        else:
            del self.fields["originals"]
        del self.fields["form_token"]  # the ticket itself guards against a second submit

    @staticmethod
    def initial_from(entry: Any, agencies: list[Any]) -> dict[str, Any]:
        """What the guest book already says about the visitor."""
        if entry is None:
            return {}
        nip = entry.id_number if re.fullmatch(r"\d{18}", entry.id_number) else ""
        agency = next((a.pk for a in agencies if a.name.strip().casefold() == entry.agency.strip().casefold()), None)
        return {"name": entry.name, "nip": nip, "phone": entry.phone, "agency": agency}
