"""Forms of the account pages (the SPSE stand-in): sign-in and password change. They only check
that fields are filled in; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.units.models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    """Units by the name people know them by, in that order (their kode is what the form sends)."""

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.nama


class SignInForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit (LPSE/UKPBJ)"),
        queryset=Unit.objects.order_by("nama"),
        to_field_name="kode",
        empty_label=_("— pilih unit —"),
        error_messages={"required": _("Pilih unit tempat akun Anda terdaftar.")},
    )
    user_id = forms.CharField(
        label=_("User ID"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password akun"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ChangePasswordForm(forms.Form):
    current = forms.CharField(
        label=_("Password lama"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label=_("Password baru"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    confirm = forms.CharField(
        label=_("Ulangi password baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, forced: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if forced:
            # The holder has just signed in with the temporary password: not asked again.
            del self.fields["current"]
        else:
            self.fields["current"].required = True
