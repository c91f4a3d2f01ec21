"""Public operations (no authentication): the services each unit offers, handing in a request
(a reset, or a registration of a new account: one operation, by the service's kind), following
it with the tracking code, and handing in missing documents.

Requests arrive as multipart/form-data with one file part per document, named by the document's
`kode`. The parts' names depend on the SOP, so the form fields are read with their own schema
(`SubmitForm`, `SupplyForm`) rather than ninja's `Form[...]`, and the request body is described
in the OpenAPI document by hand (`_multipart`): ninja would otherwise announce a urlencoded body,
which cannot carry files. CSRF does not apply: ninja checks it only for cookie authentication,
and these operations authenticate no one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer

from loket.cases import services
from loket.cases.errors import Invalid
from loket.cases.models import Case, Channel, Status
from loket.cases.offer import offered_version, offered_versions
from loket.cases.requester_view import requester_view
from loket.cases.selectors import case_by_tracking_code
from loket.cases.uploads import UploadReader
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.directory.models import Agency
from loket.registration.services import Candidate, Head, submit_registration

from .errors import problems_of, refusals

router = Router(tags=["requesters"])


# -- reading a multipart request ---------------------------------------------------------------


def _multipart(form: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of a form with one extra file part per document kode."""
    schema = form.model_json_schema()
    schema["additionalProperties"] = {
        "type": "string",
        "format": "binary",
        "description": "One file per document: the part's name is the document's kode (see GET /services).",
    }
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


MULTILINE = frozenset({"note"})


def _read_form(form: type[pydantic.BaseModel], request: HttpRequest) -> Any:
    """The form's fields, validated. A field holding a control character (NUL and the like; a
    note may hold line breaks) is refused before anything is looked up with it."""
    data = request.POST.dict()
    typed = {field: data[field] for field in form.model_fields if isinstance(data.get(field), str)}
    if problems := services.text_problems(multiline=MULTILINE, **typed):
        raise Invalid(_("Isian belum sesuai. Periksa isian yang ditandai."), problems)
    try:
        return form.model_validate(data)
    except pydantic.ValidationError as exc:
        raise Invalid(
            _("Isian belum sesuai. Periksa isian yang ditandai."),
            problems_of(exc.errors(include_url=False)),  # type: ignore[arg-type]
        ) from exc


def _uploads(request: HttpRequest) -> tuple[list[services.Upload], dict[str, str]]:
    """Each file part as (kode, name, content), and a message for each one over the size limit.
    Never more than one byte past the limit is read (as the portal does): that byte is enough for
    the service to refuse the file; the message here gives its real size. A second file under one
    kode, and any file past `MAX_FILES_READ`, is not read at all (`UploadReader`): the service
    refuses it under its kode."""
    reader = UploadReader()
    files: list[services.Upload] = []
    for kode in request.FILES:
        files.extend(reader.parts(kode, request.FILES.getlist(kode)))
    return files, reader.too_large


def _with_sizes(exc: Invalid, too_large: dict[str, str]) -> Invalid:
    exc.problems.update({kode: message for kode, message in too_large.items() if kode in exc.problems})
    return exc


# -- GET /services ---------------------------------------------------------------------------------


class DocumentSpecOut(Schema):
    kode: str
    name: str
    required: bool
    note: str | None
    filled_form: bool = pydantic.Field(
        description="A form Loket fills from the request (the portal's filled-form download) for the requester "
        "to print, sign, scan and hand in as this document."
    )
    roles: list[str] = pydantic.Field(
        default_factory=list,
        description="The account roles (`account_roles`) this document is asked of; empty: every role. A "
        "request names its requester's `role` where any document has roles.",
    )


class AgencyOut(Schema):
    id: int
    name: str


class ServiceUnitOut(Schema):
    kode: str
    name: str
    timezone: str
    working_hours: str
    agencies: list[AgencyOut]


class ServiceOut(Schema):
    service: str
    version: int
    number: str
    name: str
    kind: str
    account_roles: list[str]
    unit: ServiceUnitOut
    documents: list[DocumentSpecOut]


@router.get("/services", response=list[ServiceOut], operation_id="list_services", summary="Services on offer")
def list_services(request: HttpRequest) -> list[ServiceOut]:
    """The newest version of every SOP on offer, with its unit (and the unit's agencies, whose
    `id` a request may name) and the documents a request must carry."""
    versions = list(offered_versions())
    agencies: dict[int, list[AgencyOut]] = {}
    for agency in Agency.objects.filter(unit__in={v.unit_id for v in versions}).order_by("name"):
        agencies.setdefault(agency.unit_id, []).append(AgencyOut(id=agency.pk, name=agency.name))
    out = []
    for version in versions:
        sop = parsed(version)
        unit = version.unit
        out.append(
            ServiceOut(
                service=sop.kode,
                version=sop.versi,
                number=sop.nomor,
                name=sop.nama,
                kind=sop.layanan,
                account_roles=sop.peran_akun,
                unit=ServiceUnitOut(
                    kode=unit.kode,
                    name=unit.nama,
                    timezone=unit.zona_waktu,
                    working_hours=unit.jam_kerja,
                    agencies=agencies.get(unit.pk, []),
                ),
                documents=[
                    DocumentSpecOut(
                        kode=b.kode,
                        name=b.nama,
                        required=b.wajib,
                        note=b.keterangan,
                        filled_form=b.formulir,
                        roles=list(b.peran or []),
                    )
                    for b in sop.berkas
                ],
            )
        )
    return out


# -- POST /requests --------------------------------------------------------------------------------


REGISTRATION = "registrasi-akun"  # the kind of service whose request is a registration


def _registration(description: str, max_length: int) -> Any:
    return pydantic.Field("", max_length=max_length, description=f"Registration (`{REGISTRATION}`): {description}")


class SubmitForm(pydantic.BaseModel):
    """The form fields of a new request (the documents come as file parts beside them). A service
    of kind `reset-akun` reads `need`, `name`, `email`, `user_id`, `nip`, `phone`, `role` and `agency`; one of
    kind `registrasi-akun` reads the `head_*` and `candidate_*` fields, `filed_by`, `sk_number`,
    `sk_date`, and `agency` or `new_agency_name`. Fields of the other kind are ignored."""

    model_config = pydantic.ConfigDict(extra="ignore", title="SubmitRequest")

    unit: str = pydantic.Field(description="The unit's kode (GET /services: unit.kode).")
    service: str = pydantic.Field(
        description="The service's kode (GET /services: service); its `kind` says which fields it reads."
    )
    need: str = pydantic.Field(
        "",
        description="Reset (`reset-akun`), required: `password` (a new password, with the user ID) or "
        "`user-id` (the user ID only).",
    )
    name: str = pydantic.Field("", description="Reset: the requester's name (required).")
    email: str = pydantic.Field("", description="Reset: the requester's e-mail address (required).")
    user_id: str = pydantic.Field("", description="Reset: the SPSE user ID; give it or the NIP.")
    nip: str = pydantic.Field("", description="Reset: 18 digits; give it or the user ID.")
    phone: str = pydantic.Field("", description="Reset: the requester's phone (optional).")
    role: str = pydantic.Field(
        "",
        max_length=60,
        description="Reset: the requester's role, one of the service's `account_roles`. Required where a "
        "document is asked of some roles only (GET /services: documents[].roles) and the directory record "
        "found by user ID or NIP does not tell it; only that role's documents are then required and accepted.",
    )
    agency: int | None = pydantic.Field(
        None,
        description="The agency's id (GET /services: unit.agencies). Reset: required where the unit lists "
        "agencies. Registration: give it or `new_agency_name`, not both.",
    )
    head_name: str = _registration("the head of the agency's name (required).", 200)
    head_position: str = _registration("the head's position, e.g. Kepala Dinas (required).", 200)
    head_email: str = _registration(
        "the head's e-mail address (required): the receipt and the tracking code go there.", 254
    )
    head_phone: str = _registration("the head's or the office's phone (optional).", 30)
    filed_by: str = _registration("who files the request for the head, when not the head in person (optional).", 200)
    new_agency_name: str = _registration("the agency's name when the unit does not list it; else give `agency`.", 300)
    candidate_name: str = _registration("the candidate's name (required).", 200)
    candidate_nip: str = _registration("the candidate's NIP, 18 digits (required).", 30)
    candidate_email: str = _registration("the candidate's e-mail address (required): the account goes there.", 254)
    candidate_phone: str = _registration("the candidate's phone (required).", 30)
    candidate_position: str = _registration("the candidate's position (required).", 200)
    sk_number: str = _registration("the number of the decree (SK) naming the candidate (required).", 200)
    sk_date: dt.date | None = pydantic.Field(
        None, description=f"Registration (`{REGISTRATION}`): the decree's date, YYYY-MM-DD, not after today (required)."
    )

    @pydantic.field_validator("agency", "sk_date", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value  # a form sends an unset field as ""


class SubmittedOut(Schema):
    reference: str
    tracking_code: str
    status: str


def _offered(form: SubmitForm) -> SopVersion:
    version = offered_version(form.service)
    if version is None:
        raise Invalid(_("Layanan tidak dikenal."), {"service": _("Pilih salah satu layanan dari daftar layanan.")})
    if version.unit.kode != form.unit:
        raise Invalid(_("Layanan ini bukan layanan unit tersebut."), {"unit": _("Unit tidak menawarkan layanan ini.")})
    return version


def _hand_in(version: SopVersion, form: SubmitForm, files: list[services.Upload]) -> services.Submitted:
    """The service that hands in a request of the version's kind, with the fields it reads."""
    if parsed(version).layanan != REGISTRATION:
        return services.submit_request(
            sop_version=version,
            channel=Channel.API,
            need=form.need,
            name=form.name,
            email=form.email,
            user_id=form.user_id,
            nip=form.nip,
            phone=form.phone,
            agency_id=form.agency,
            role=form.role,
            files=files,
        )
    return submit_registration(
        sop_version=version,
        channel=Channel.API,
        head=Head(
            name=form.head_name,
            position=form.head_position,
            email=form.head_email,
            phone=form.head_phone,
            filed_by=form.filed_by,
        ),
        candidate=Candidate(
            name=form.candidate_name,
            nip=form.candidate_nip,
            email=form.candidate_email,
            phone=form.candidate_phone,
            position=form.candidate_position,
            sk_number=form.sk_number,
            sk_date=form.sk_date,
        ),
        agency_id=form.agency,
        new_agency_name=form.new_agency_name,
        files=files,
    )


@router.post(
    "/requests",
    response={201: SubmittedOut, **refusals(400, 413, 429)},
    operation_id="submit_request",
    summary="Hand in a request",
    openapi_extra=_multipart(SubmitForm),
)
def submit_request(request: HttpRequest) -> Answer[SubmittedOut]:
    """Hand in a request with its documents: a reset (`reset-akun`) or a registration
    (`registrasi-akun`), by the service's kind (GET /services). The answer carries the tracking
    code: it is shown only here (and in the receipt mailed to `email`, or to `head_email` for a
    registration); keep it to follow the request."""
    form: SubmitForm = _read_form(SubmitForm, request)
    version = _offered(form)
    files, too_large = _uploads(request)
    try:
        submitted = _hand_in(version, form, files)
    except Invalid as exc:
        raise _with_sizes(exc, too_large) from None
    case = submitted.case
    return Answer(
        201, SubmittedOut(reference=case.reference, tracking_code=submitted.tracking_code, status=case.status)
    )


# -- GET /requests/{tracking_code} -------------------------------------------------------------


class RequestStepOut(Schema):
    step: int
    description: str = pydantic.Field(description="What the step means for the requester.")
    state: str = pydantic.Field(
        description="`done`, `in-progress` (staff work on it now), `waiting-on-you` (the requester must act), "
        "`stopped` (withdrawn or expired there) or `expected` (still ahead if every check goes well)."
    )
    finished_at: dt.datetime | None
    answer: str = pydantic.Field("", description="`ya` or `tidak` of a staff decision, else empty.")
    note: str = pydantic.Field("", description="A note meant for the requester (what to complete, why refused).")


class MissingDocumentOut(Schema):
    kode: str
    name: str


class RequestStatusOut(Schema):
    reference: str
    status: str
    status_label: str
    unit: str
    service: str
    service_name: str
    submitted_at: dt.datetime
    closed_at: dt.datetime | None
    steps: list[RequestStepOut]
    missing_documents: list[MissingDocumentOut] = pydantic.Field(
        description="While the request waits on the requester: the documents to hand in (every document of the "
        "service when staff named none and only wrote `missing_note`; then `missing_named` is false)."
    )
    missing_named: bool = pydantic.Field(description="Whether staff named the missing documents one by one.")
    missing_note: str = pydantic.Field(description="While waiting: what staff asked the requester to complete.")
    supply_before: dt.datetime | None = pydantic.Field(
        description="While waiting: after this the request closes as expired."
    )
    result_sent_to: str | None = pydantic.Field(
        description="Once the result went out: the address it went to, masked (e.g. `s***@pu.kaltimprov.go.id`)."
    )


def _request_status(case: Case) -> RequestStatusOut:
    sop = parsed(case.sop)
    view = requester_view(case, sop)
    asked = view.asked
    return RequestStatusOut(
        reference=case.reference,
        status=case.status,
        status_label=str(Status(case.status).label),
        unit=case.unit.kode,
        service=sop.kode,
        service_name=sop.nama,
        submitted_at=case.created_at,
        closed_at=case.closed_at,
        steps=[
            RequestStepOut(
                step=item.step,
                description=item.text,
                state=item.state,
                finished_at=item.at,
                answer=item.answer,
                note=item.note,
            )
            for item in view.progress
        ],
        missing_documents=[MissingDocumentOut(kode=b.kode, name=b.nama) for b in asked.berkas] if asked else [],
        missing_named=bool(asked and asked.named),
        missing_note=asked.note if asked else "",
        supply_before=asked.deadline if asked else None,
        result_sent_to=view.sent_to,
    )


@router.get(
    "/requests/{tracking_code}",
    response={200: RequestStatusOut, **refusals(404, 429)},
    operation_id="request_status",
    summary="Follow a request",
)
def request_status(request: HttpRequest, tracking_code: str) -> RequestStatusOut:
    """Where the request stands, for its requester: the steps done and the one it waits at, and
    while it waits on the requester, the documents to hand in. Shows nothing the requester did not
    type and no staff names."""
    return _request_status(case_by_tracking_code(tracking_code))


# -- POST /requests/{tracking_code}/documents ------------------------------------------------------


class SupplyForm(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", title="SupplyDocuments")

    note: str = pydantic.Field("", description="A note for staff (optional).")


class SuppliedOut(Schema):
    reference: str
    status: str


@router.post(
    "/requests/{tracking_code}/documents",
    response={200: SuppliedOut, **refusals(400, 404, 409, 413, 429)},
    operation_id="supply_documents",
    summary="Hand in missing documents",
    openapi_extra=_multipart(SupplyForm),
)
def supply_documents(request: HttpRequest, tracking_code: str) -> SuppliedOut:
    """Hand in the documents staff asked for (409 when the request is not waiting on them)."""
    form: SupplyForm = _read_form(SupplyForm, request)
    files, too_large = _uploads(request)
    try:
        case = services.supply_documents(tracking_code=tracking_code, files=files, note=form.note)
    except Invalid as exc:
        raise _with_sizes(exc, too_large) from None
    return SuppliedOut(reference=case.reference, status=case.status)
