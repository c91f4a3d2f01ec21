"""The forms of the console's training pages: a new session (its day and times in the unit's
zone), the candidates to invite, the attendance of a session, and an attendance list as CSV; and
the confirmation that an account was activated in SPSE with its temporary password.

The forms only collect and shape input. The rules (what a session needs, who may be invited,
when attendance is recorded) belong to `loket.registration.services`, whose `Invalid.problems`
are put back beside the fields with `add_problems`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .portal_forms import PortalForm

CSV_MAX_BYTES = 1024 * 1024  # an attendance list is a few lines per candidate
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]  # the date input sends the first
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]  # the time input sends the first


class SessionForm(PortalForm):
    """A new training session. Every field is optional to Django: what a session needs is the
    service's rule (`services.session_problems`), reported for every field at once."""

    title = forms.CharField(
        label=gettext_lazy("Judul (tidak wajib)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Kosongkan untuk judul baku: Pelatihan penggunaan aplikasi SPSE."),
    )
    date = forms.DateField(
        label=gettext_lazy("Tanggal"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": gettext_lazy("Tulis tanggal seperti 09-12-2026.")},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    start = forms.TimeField(
        label=gettext_lazy("Jam mulai"),
        required=False,
        input_formats=TIME_FORMATS,
        error_messages={"invalid": gettext_lazy("Tulis jam seperti 09.00.")},
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    end = forms.TimeField(
        label=gettext_lazy("Jam selesai"),
        required=False,
        input_formats=TIME_FORMATS,
        error_messages={"invalid": gettext_lazy("Tulis jam seperti 12.00.")},
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    place = forms.CharField(
        label=gettext_lazy("Tempat"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Ruang dan alamat; kosongkan bila pelatihan hanya daring."),
    )
    online_url = forms.CharField(
        label=gettext_lazy("Tautan daring"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Tautan rapat daring (https://...); kosongkan bila hanya tatap muka."),
        widget=forms.URLInput(attrs={"spellcheck": "false", "placeholder": "https://"}),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Kapasitas (peserta)"),
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages={
            "invalid": gettext_lazy("Tulis kapasitas sebagai angka, misalnya 20."),
            "min_value": gettext_lazy("Kapasitas paling sedikit 1 peserta."),
            "max_value": gettext_lazy("Kapasitas paling banyak %(limit_value)s peserta."),
        },
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def session_values(self) -> dict[str, Any]:
        """The keyword arguments of `plan_session` (besides unit and actor), times made aware in
        the unit's zone; None where a value is missing or could not be read."""
        data = getattr(self, "cleaned_data", {})
        day: dt.date | None = data.get("date")
        start: dt.time | None = data.get("start")
        end: dt.time | None = data.get("end")
        return {
            "title": data.get("title") or "",
            "starts_at": timezone.make_aware(dt.datetime.combine(day, start), self.zone) if day and start else None,
            "ends_at": timezone.make_aware(dt.datetime.combine(day, end), self.zone) if day and end else None,
            "place": data.get("place") or "",
            "online_url": data.get("online_url") or "",
            "capacity": data.get("capacity"),
        }

    def add_problems(self, problems: dict[str, str], *, aliases: dict[str, str] | None = None) -> None:
        """The service's problems beside the fields, one message per field (a field Django already
        refused keeps its own). The start needs a day and a time: its problem stands at the one
        missing."""
        data = getattr(self, "cleaned_data", {})
        where = {"starts_at": "start" if data.get("date") else "date", "ends_at": "end"}
        for key, message in problems.items():
            name = where.get(key, key)
            if name in self.fields and name in self.errors:
                continue
            self.add_error(name if name in self.fields else None, message)


class IdList(forms.Field):
    """Ids ticked in a list of checkboxes (the template draws them beside each row). Which ids
    may be used is the service's question: it refuses the others with its reasons."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": gettext_lazy("Pilihan tidak dikenal. Muat ulang halaman.")}

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        if not isinstance(value, list | tuple) or not all(str(v).isdigit() for v in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return list(dict.fromkeys(int(v) for v in value))


class InviteForm(forms.Form):
    """The waiting candidates to invite, ticked in one list."""

    registrations = IdList(
        label=gettext_lazy("Calon yang diundang"),
        error_messages={"required": gettext_lazy("Centang paling sedikit satu calon yang diundang.")},
    )

    def ticked(self) -> set[int]:
        """The ids ticked, as posted (shown again after a refused submit)."""
        return _posted_ids(self, "registrations")


class AttendanceForm(forms.Form):
    """Who came to a session: the invited candidates ticked came, the others did not."""

    present = IdList(label=gettext_lazy("Hadir"), required=False)

    def ticked(self) -> set[int]:
        """As posted, or as an attendance list marked them (`initial`)."""
        if self.is_bound:
            return _posted_ids(self, "present")
        return set(self.initial.get("present", ()))


def _posted_ids(form: forms.Form, name: str) -> set[int]:
    if not isinstance(form.data, QueryDict):
        return set()
    return {int(v) for v in form.data.getlist(form.add_prefix(name)) if v.isdigit()}


class AttendanceCsvForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Daftar hadir (CSV)"),
        help_text=gettext_lazy(
            "Baris pertama berisi judul kolom: nip atau email, dan hadir (isi hadir/ya/1 atau tidak/0). "
            "Pemisah koma atau titik koma."
        ),
        error_messages={
            "required": gettext_lazy("Pilih berkas daftar hadir (CSV)."),
            "empty": gettext_lazy("Berkas daftar hadir kosong."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > CSV_MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas daftar hadir terlalu besar (%(size).1f MB); paling besar 1 MB.")
                % {"size": uploaded.size / 1e6}
            )
        return uploaded

    def content(self) -> bytes:
        uploaded = self.cleaned_data["file"]
        uploaded.seek(0)
        return bytes(uploaded.read(CSV_MAX_BYTES + 1))


class ActivationForm(PortalForm):
    """A trained candidate's account activated in SPSE, with the temporary password set there."""

    temporary_password = forms.CharField(
        label=gettext_lazy("Password sementara yang diatur di SPSE"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    password_set_in_spse = forms.BooleanField(
        label=gettext_lazy("Akun sudah diaktifkan dan password sementara diatur di SPSE"),
        required=False,
    )
