"""The requester portal's forms: the request form (identity, agency, need, one file input per
document the SOP asks for), the tracking-code form, and the forms to supply documents and to
withdraw.

The forms only collect and shape input. The rules (who may ask, which files are acceptable, what
an identity needs) belong to `loket.cases.services`, whose `Invalid.problems` are put back beside
the fields with `add_problems`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import ProhibitNullCharactersValidator
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.models import Need
from loket.cases.services import text_problems
from loket.cases.uploads import Refused, UploadReader, clean_name, one_file_only
from loket.directory.models import Agency
from loket.sop.model import Berkas

ACCEPT = ".pdf,.jpg,.jpeg,.png"
FILE_PREFIX = "berkas-"


def file_field_name(kode: str) -> str:
    return f"{FILE_PREFIX}{kode}"


def _file_field(berkas: Berkas, *, required: bool) -> forms.FileField:
    """One document's input. `data-max-bytes` and `data-too-large` let web/upload-limit.js refuse
    an oversized file before it is sent (the server refuses it anyway)."""
    limit = filesizeformat(settings.LOKET_UPLOAD_MAX_BYTES)
    hint = _("PDF, JPG atau PNG; paling besar %(limit)s.") % {"limit": limit}
    attrs: dict[str, Any] = {
        "accept": ACCEPT,
        "data-max-bytes": str(settings.LOKET_UPLOAD_MAX_BYTES),
        # {name} and {size} (in MB) are filled in by the script.
        "data-too-large": _(
            "Berkas %(name)s terlalu besar (%(size)s MB); paling besar %(limit)s. Pilih berkas yang lebih kecil."
        )
        % {"name": "{name}", "size": "{size}", "limit": limit},
    }
    if required:
        attrs["required"] = True
    return forms.FileField(
        label=berkas.nama,
        required=False,  # the service says which are missing, together with every other problem
        help_text=f"{berkas.keterangan.rstrip('.')}. {hint}" if berkas.keterangan else hint,
        widget=forms.FileInput(attrs=attrs),
    )


def _no_control_characters(*, multiline: bool) -> Callable[[str], None]:
    """A validator refusing control characters (`multiline`: tabs and line breaks allowed), with
    the services' own message (cases.services.text_problems)."""

    def validate(value: str) -> None:
        problem = text_problems(value=value, multiline=frozenset({"value"}) if multiline else frozenset())
        if problem:
            raise forms.ValidationError(problem["value"], code="control_characters")

    return validate


class PortalForm(forms.Form):
    """Puts the problems a service reports beside their fields (Django links each input to its
    help text and error message with aria-describedby and marks it aria-invalid)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Every typed field refuses control characters (NUL and the like) with one message; a
        # textarea may hold line breaks.
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators = [
                    v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [_no_control_characters(multiline=multiline)]

    def add_problems(self, problems: dict[str, str], *, aliases: dict[str, str] | None = None) -> None:
        aliases = aliases or {}
        for key, message in problems.items():
            name = aliases.get(key, key)
            self.add_error(name if name in self.fields else None, message)


class RequestForm(PortalForm):
    user_id = forms.CharField(
        label=gettext_lazy("User ID SPSE"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Isi user ID atau NIP (salah satu cukup). Kosongkan bila lupa user ID."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    nip = forms.CharField(
        label=gettext_lazy("NIP"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("18 angka, tanpa spasi."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Nama lengkap"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "required": True}),
    )
    email = forms.CharField(
        label=gettext_lazy("Alamat e-mail"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("Tanda terima dan kode pelacakan dikirim ke alamat ini."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Nomor telepon/HP"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Petugas dapat menelepon untuk konfirmasi."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Instansi"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "required": gettext_lazy("Pilih instansi Anda."),
            "invalid_choice": gettext_lazy("Instansi yang dipilih tidak terdaftar di unit ini."),
        },
    )
    need = forms.ChoiceField(
        label=gettext_lazy("Yang Anda perlukan"),
        choices=Need.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Pilih kebutuhan: password baru atau informasi user ID.")},
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    IDENTITY = ("user_id", "nip", "name", "email", "phone")

    def __init__(self, *args: Any, berkas: Iterable[Berkas], agencies: Iterable[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.TypedChoiceField)
        agency.choices = [("", _("— pilih instansi —")), *((a.pk, a.name) for a in agencies)]
        if agencies:
            # Whether one must be chosen is submit_request's rule (cases.offer.agency_required);
            # the browser is only told so.
            agency.widget.attrs["required"] = True
        else:
            del self.fields["agency"]
        self.berkas = list(berkas)
        for item in self.berkas:
            self.fields[file_field_name(item.kode)] = _file_field(item, required=item.wajib)

    def file_fields(self) -> list[tuple[Berkas, forms.BoundField]]:
        return [(item, self[file_field_name(item.kode)]) for item in self.berkas]

    def add_problems(self, problems: dict[str, str], *, aliases: dict[str, str] | None = None) -> None:
        super().add_problems(problems, aliases={b.kode: file_field_name(b.kode) for b in self.berkas})

    def submission(self, files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        """The keyword arguments of `submit_request` (besides the SOP version and channel)."""
        data = self.cleaned_data
        return {
            "need": data.get("need") or "",
            "name": data.get("name") or "",
            "email": data.get("email") or "",
            "user_id": data.get("user_id") or "",
            "nip": data.get("nip") or "",
            "phone": data.get("phone") or "",
            "agency_id": data.get("agency"),
            "files": [(b.kode, *files[b.kode]) for b in self.berkas if b.kode in files],
        }


class TrackingCodeForm(PortalForm):
    code = forms.CharField(
        label=gettext_lazy("Kode pelacakan"),
        max_length=40,
        help_text=gettext_lazy("16 huruf dan angka dari tanda terima atau e-mail, misalnya ABCD-EFGH-JKLM-NPQR."),
        error_messages={"required": gettext_lazy("Ketik kode pelacakan Anda.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "required": True}
        ),
    )


class SupplyForm(TrackingCodeForm):
    """The documents the staff asked for, with the tracking code as the key to the case."""

    note = forms.CharField(
        label=gettext_lazy("Catatan untuk petugas (tidak wajib)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, berkas: Iterable[Berkas], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.berkas = list(berkas)
        for item in self.berkas:
            self.fields[file_field_name(item.kode)] = _file_field(item, required=False)
        self.order_fields([*(file_field_name(b.kode) for b in self.berkas), "note", "code"])

    def file_fields(self) -> list[tuple[Berkas, forms.BoundField]]:
        return [(item, self[file_field_name(item.kode)]) for item in self.berkas]

    def add_problems(self, problems: dict[str, str], *, aliases: dict[str, str] | None = None) -> None:
        super().add_problems(problems, aliases={b.kode: file_field_name(b.kode) for b in self.berkas})


class WithdrawForm(TrackingCodeForm):
    reason = forms.CharField(
        label=gettext_lazy("Alasan pembatalan (tidak wajib)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["reason", "code"]


def read_uploads(
    uploaded: MultiValueDict[str, UploadedFile], berkas: Iterable[Berkas]
) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The chosen file of each document as (name, content), and a message for each one the
    service must refuse with this message rather than its own (over the size limit, or more than
    one file for one input). Never more than one byte past the limit is read: that byte is enough
    for the service to refuse the file, and the message here gives its real size. A second file
    for one input (no browser sends it: the inputs are not `multiple`) is not read: the first is
    passed on as refused content (`uploads.Refused`)."""
    reader = UploadReader()
    files: dict[str, tuple[str, bytes]] = {}
    refusals: dict[str, str] = {}
    for item in berkas:
        chosen = uploaded.getlist(file_field_name(item.kode))
        if not chosen:
            continue
        if len(chosen) > 1:
            message = one_file_only(item.nama)
            files[item.kode] = (clean_name(chosen[0].name or "", item.kode), Refused(message))
            refusals[item.kode] = message
            continue
        for kode, name, content in reader.parts(item.kode, chosen):
            files[kode] = (name, content)
    refusals.update(reader.too_large)
    return files, refusals
