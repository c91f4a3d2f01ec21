"""The requester portal's forms: the request form of a reset (identity, agency, need, one file
input per document the SOP asks for), the request form of a registration (the head of the
agency, the agency, the candidate, the documents), the tracking-code form, and the forms to
supply documents and to withdraw.

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

from loket.cases.asked import for_whom
from loket.cases.models import Need
from loket.cases.services import text_problems
from loket.cases.uploads import Refused, UploadReader, clean_name, one_file_only
from loket.directory.models import Agency
from loket.registration.services import Candidate, Head
from loket.sop.model import Berkas

ACCEPT = ".pdf,.jpg,.jpeg,.png"
FILE_PREFIX = "berkas-"


def file_field_name(kode: str) -> str:
    return f"{FILE_PREFIX}{kode}"


def _file_field(berkas: Berkas, *, required: bool, in_person: bool = False) -> forms.FileField:
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
    # A document whose original is shown at the counter (`asli`): its SOP note tells a visitor
    # to bring it; the one who uploads is told a clear copy is enough.
    note = (
        _("Unggah salinan yang jelas; aslinya hanya diperlihatkan bila Anda datang langsung ke loket")
        if berkas.asli and not in_person
        else berkas.keterangan
    )
    return forms.FileField(
        label=berkas.nama,
        required=False,  # the service says which are missing, together with every other problem
        help_text=f"{note.rstrip('.')}. {hint}" if note else hint,
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
        # What a reset service gives; a new account is asked for on the registration form.
        choices=[(n.value, n.label) for n in (Need.PASSWORD, Need.USER_ID)],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Pilih kebutuhan: password baru atau informasi user ID.")},
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Peran Anda"),
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Berkas yang diminta bergantung pada peran Anda."),
        error_messages={"invalid_choice": gettext_lazy("Pilih salah satu peran yang dilayani.")},
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    IDENTITY = ("user_id", "nip", "name", "email", "phone")
    IN_PERSON = False  # the form is filled at the counter, with the visitor and their originals
    # What a fresh form shows again when the session lost this one's token.
    TYPED = (*IDENTITY, "agency", "need", "role")

    def __init__(
        self,
        *args: Any,
        berkas: Iterable[Berkas],
        agencies: Iterable[Agency],
        roles: Iterable[str] = (),
        **kwargs: Any,
    ):
        """`roles`: the SOP's `peran_akun` where its documents differ by role (`Sop.roles_differ`):
        the requester chooses one, and each document asked of some roles only says so in its
        label and carries them (`data-peran`, web/role-documents.js shows only the chosen role's);
        the service requires only the documents of the role posted. Else no role is asked."""
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
        self.roles = list(roles)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        if self.roles:
            role.choices = [(r, r) for r in self.roles]
            role.widget.attrs["required"] = True
        else:
            del self.fields["role"]
        self.berkas = list(berkas)
        for_roles = for_whom(self.berkas) if self.roles else {}
        for item in self.berkas:
            # A document of some roles only is not required of the browser: which one is, the
            # chosen role says (the script marks it; the service checks it).
            field = _file_field(item, required=item.wajib and not item.peran, in_person=self.IN_PERSON)
            field.label = f"{item.nama}{for_roles.get(item.kode, '')}"
            self.fields[file_field_name(item.kode)] = field

    def file_fields(self) -> list[tuple[Berkas, forms.BoundField]]:
        return [(item, self[file_field_name(item.kode)]) for item in self.berkas]

    def add_problems(self, problems: dict[str, str], *, aliases: dict[str, str] | None = None) -> None:
        super().add_problems(problems, aliases={b.kode: file_field_name(b.kode) for b in self.berkas})

    def chosen_role(self) -> str:
        return (self.cleaned_data.get("role") or "") if self.roles else ""

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
            "role": self.chosen_role(),
            # A file chosen for another role's document (every one shows without the script) is
            # left out: only the chosen role's documents are handed in.
            "files": [
                (b.kode, *files[b.kode]) for b in self.berkas if b.kode in files and b.for_role(self.chosen_role())
            ],
        }


def _text(label: Any, *, max_length: int, required: bool = False, help_text: Any = "", **attrs: Any) -> forms.CharField:
    """A typed field of the registration form. Never required for Django: the service names what is
    missing together with every other problem; `required` only tells the browser (and marks the
    label wajib)."""
    widget_class = attrs.pop("widget", forms.TextInput)
    if required:
        attrs["required"] = True
    return forms.CharField(
        label=label, required=False, max_length=max_length, help_text=help_text, widget=widget_class(attrs=attrs)
    )


class RegistrationForm(PortalForm):
    """A head of an agency asks for a new account for a candidate (`layanan: registrasi-akun`). The
    field names are those of `registration_problems`, so the service's problems land beside them
    (the agency chosen from the list or typed as a new name, not both, among them)."""

    head_name = _text(gettext_lazy("Nama pimpinan instansi"), max_length=200, required=True)
    head_position = _text(
        gettext_lazy("Jabatan pimpinan"),
        max_length=200,
        required=True,
        help_text=gettext_lazy("Misalnya Kepala Dinas Pekerjaan Umum."),
    )
    head_email = _text(
        gettext_lazy("Alamat e-mail pimpinan"),
        max_length=254,
        required=True,
        help_text=gettext_lazy("Tanda terima, kode pelacakan dan kabar permohonan dikirim ke alamat ini."),
        widget=forms.EmailInput,
        autocomplete="email",
    )
    head_phone = _text(
        gettext_lazy("Nomor telepon/HP pimpinan atau kantor"),
        max_length=30,
        type="tel",
        autocomplete="tel",
    )
    filed_by = _text(
        gettext_lazy("Diajukan oleh (bila bukan pimpinan sendiri)"),
        max_length=200,
        help_text=gettext_lazy(
            "Nama dan jabatan Anda, misalnya Rudi Hartono (Sekretaris Dinas). Kosongkan bila pimpinan mengajukan sendiri."
        ),
    )
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Instansi"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Instansi yang dipilih tidak terdaftar di unit ini.")},
    )
    new_agency_name = _text(
        gettext_lazy("Instansi belum ada di daftar? Tulis namanya"),
        max_length=300,
        help_text=gettext_lazy("Nama lengkap instansi. Isi ini hanya bila instansi Anda tidak ada di daftar."),
    )
    candidate_name = _text(
        gettext_lazy("Nama lengkap calon"),
        max_length=200,
        required=True,
        help_text=gettext_lazy("Beserta gelar, seperti tertulis di SK."),
    )
    candidate_nip = _text(
        gettext_lazy("NIP calon"),
        max_length=30,
        required=True,
        help_text=gettext_lazy("18 angka."),
        inputmode="numeric",
        autocomplete="off",
    )
    candidate_email = _text(
        gettext_lazy("Alamat e-mail calon"),
        max_length=254,
        required=True,
        help_text=gettext_lazy("Informasi akun dikirim ke alamat ini."),
        widget=forms.EmailInput,
        autocomplete="off",
    )
    candidate_phone = _text(
        gettext_lazy("Nomor telepon/HP calon"), max_length=30, required=True, type="tel", autocomplete="off"
    )
    candidate_position = _text(gettext_lazy("Jabatan calon"), max_length=200, required=True)
    sk_number = _text(gettext_lazy("Nomor SK penunjukan"), max_length=200, required=True)
    sk_date = forms.DateField(
        label=gettext_lazy("Tanggal SK penunjukan"),
        required=False,
        help_text=gettext_lazy("Tanggal penetapan SK, misalnya 20-11-2026."),
        error_messages={"invalid": gettext_lazy("Tulis tanggal SK seperti 20-11-2026.")},
        widget=forms.DateInput(attrs={"type": "date", "required": True}, format="%Y-%m-%d"),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    HEAD = ("head_name", "head_position", "head_email", "head_phone", "filed_by")
    AGENCY = ("agency", "new_agency_name")
    CANDIDATE = (
        "candidate_name",
        "candidate_nip",
        "candidate_email",
        "candidate_phone",
        "candidate_position",
        "sk_number",
        "sk_date",
    )
    TYPED = (*HEAD, *AGENCY, *CANDIDATE)

    def __init__(self, *args: Any, berkas: Iterable[Berkas], agencies: Iterable[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.agencies = {a.pk: a for a in agencies}
        agency = self.fields["agency"]
        assert isinstance(agency, forms.TypedChoiceField)
        agency.choices = [("", _("— pilih instansi —")), *((a.pk, a.name) for a in self.agencies.values())]
        if not self.agencies:
            del self.fields["agency"]
            self.fields["new_agency_name"].label = _("Nama instansi")
            self.fields["new_agency_name"].help_text = _("Nama lengkap instansi Anda.")
            self.fields["new_agency_name"].widget.attrs["required"] = True
        self.berkas = list(berkas)
        for item in self.berkas:
            self.fields[file_field_name(item.kode)] = _file_field(item, required=item.wajib)

    def group(self, names: Iterable[str]) -> list[forms.BoundField]:
        """The bound fields of one fieldset, in order (the agency list only where the unit has one)."""
        return [self[name] for name in names if name in self.fields]

    def head_fields(self) -> list[forms.BoundField]:
        return self.group(self.HEAD)

    def agency_fields(self) -> list[forms.BoundField]:
        return self.group(self.AGENCY)

    def candidate_fields(self) -> list[forms.BoundField]:
        return self.group(self.CANDIDATE)

    def file_fields(self) -> list[tuple[Berkas, forms.BoundField]]:
        return [(item, self[file_field_name(item.kode)]) for item in self.berkas]

    def add_problems(self, problems: dict[str, str], *, aliases: dict[str, str] | None = None) -> None:
        """The service's problems beside their fields; a field that already shows a message of the
        form's own (a date it could not read) keeps only that one."""
        aliases = {b.kode: file_field_name(b.kode) for b in self.berkas}
        fresh = {key: message for key, message in problems.items() if not self.has_error(aliases.get(key, key))}
        super().add_problems(fresh, aliases=aliases)

    def head(self) -> Head:
        data = self.cleaned_data
        return Head(
            name=data.get("head_name") or "",
            position=data.get("head_position") or "",
            email=data.get("head_email") or "",
            phone=data.get("head_phone") or "",
            filed_by=data.get("filed_by") or "",
        )

    def candidate(self) -> Candidate:
        data = self.cleaned_data
        return Candidate(
            name=data.get("candidate_name") or "",
            nip=data.get("candidate_nip") or "",
            email=data.get("candidate_email") or "",
            phone=data.get("candidate_phone") or "",
            position=data.get("candidate_position") or "",
            sk_number=data.get("sk_number") or "",
            sk_date=data.get("sk_date"),
        )

    def agency_name(self) -> str:
        """The agency as the head names it: the one chosen, else the name typed."""
        chosen = self.agencies.get(self.cleaned_data.get("agency") or 0)
        return chosen.name if chosen else (self.cleaned_data.get("new_agency_name") or "").strip()

    def typed(self) -> dict[str, Any]:
        """The typed fields as `registration_problems` takes them (besides the unit)."""
        return {
            "head": self.head(),
            "candidate": self.candidate(),
            "agency_id": self.cleaned_data.get("agency"),
            "new_agency_name": self.cleaned_data.get("new_agency_name") or "",
        }

    def submission(self, files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        """The keyword arguments of `submit_registration` (besides the SOP version and channel)."""
        return {**self.typed(), "files": [(b.kode, *files[b.kode]) for b in self.berkas if b.kode in files]}


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
