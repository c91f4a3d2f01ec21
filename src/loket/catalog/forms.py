"""The admin's upload form for an SOP file."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SopUploadForm(forms.Form):
    berkas = forms.FileField(
        label=_("Berkas SOP (.yaml)"),
        help_text=_("Berkas YAML sesuai format SOP; diperiksa dahulu, lalu dipasang sebagai SOP baru atau versi baru."),
    )

    def clean_berkas(self) -> str:
        upload = self.cleaned_data["berkas"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(_("Berkas harus berformat YAML (.yaml atau .yml)."))
        if upload.size > settings.LOKET_SOP_MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (%(size)d KB); batasnya %(limit)d KB."),
                params={"size": upload.size // 1024, "limit": settings.LOKET_SOP_MAX_BYTES // 1024},
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("Berkas bukan teks UTF-8; simpan ulang sebagai UTF-8.")) from exc
