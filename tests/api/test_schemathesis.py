"""schemathesis over the API's OpenAPI document (/api/v1/openapi.json), through the Django app
in-process (WSGI, `schemathesis.openapi.from_wsgi`): for every operation, the schema's examples,
its coverage cases (boundaries, missing and wrong-typed parameters, other methods) and a few
generated requests, positive and negative. Checked on every answer: never a 5xx
(`not_a_server_error`), the status is one the operation documents (`status_code_conformance`),
the body matches the documented schema for that status (`response_schema_conformance`) and so
does its content type (`content_type_conformance`).

The database holds the test SOP of tests/sop_factory.py (`service`) with three cases: one open at
the completeness check, one waiting for the requester to hand in a document, one done. Staff
operations are called with the API token of the verifier who holds those cases (and, in the
coverage cases schemathesis makes for the security scheme, without one). Generated path
parameters are sometimes swapped for the real case ids and tracking codes, and generated
decisions sometimes carry the case's real `version` and current step, so that the operations get
past "not found" and "stale version" to the answers they give on real data.

The hooks only steer the fuzzing phase; the coverage phase sends the schema's own boundary and
type cases as they are. Only the four checks above are asked for: schemathesis' other default
checks (e.g. `positive_data_acceptance`) would count as failures the 400s the services give for
input the schema cannot express (an empty `unit`, a control character in `note`).

The multipart bodies: the published schema describes the file parts only as
`additionalProperties` of `format: binary` ("the part's name is the document's kode"), and
schemathesis sends an additional property as a plain form field, never as a file, under a made-up
name. Those generated parts cannot reach the upload path meaningfully, so the schema used for
generation here replaces `additionalProperties` with the test SOP's document kodes as binary
properties (sent as file parts), and a request to hand in is sometimes given the real unit,
service and agency with real PDF/PNG files. Malformed files themselves are fuzzed by
tests/api/test_upload_fuzz.py. Everything else is generated from the published schema as it is.

Bounded: `MAX_EXAMPLES` generated requests per operation and mode (default 10, environment
`LOKET_SCHEMATHESIS_EXAMPLES` to run more), derandomized (the same requests on every run, so CI
does not turn red by chance; `LOKET_SCHEMATHESIS_RANDOM=1` draws new ones, as a developer may
when looking for trouble), no example database, a deadline per request. What such a run found
is kept below as tests of its own (xfail while the API does not answer so).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from loket.api.urls import api
from loket.cases.models import Case, Status
from loket.staff.services import create_api_token
from tests.cases.test_services import answer_run
from tests.factories import pdf_bytes, png_bytes
from tests.sop_factory import BERKAS, service, submit

__all__ = ["service"]  # the fixture, used here

MAX_EXAMPLES = int(os.environ.get("LOKET_SCHEMATHESIS_EXAMPLES", "10"))
RANDOM = os.environ.get("LOKET_SCHEMATHESIS_RANDOM") == "1"  # other requests on every run
DEADLINE = dt.timedelta(seconds=5)  # per request; the slowest answer here takes well under 1 s
MULTIPART = ("/api/v1/requests", "/api/v1/requests/{tracking_code}/documents")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]

APP = get_wsgi_application()
# The document as the API builds it for /api/v1/openapi.json. Read here without a request, since
# a test module is imported before any database may be used (a middleware could touch it);
# `test_the_document_generated_from_is_the_one_served` fetches it through WSGI and compares.
PUBLISHED: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))


def _generation_schema(published: dict[str, Any]) -> dict[str, Any]:
    """The published document, with the file parts of the multipart bodies named (see above)."""
    raw = copy.deepcopy(published)
    for path in MULTIPART:
        body = raw["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        extra = body.pop("additionalProperties")
        assert extra == {"type": "string", "format": "binary", "description": extra["description"]}, extra
        body["properties"].update({b.kode: {"type": "string", "format": "binary"} for b in BERKAS})
    return raw


schema = schemathesis.openapi.from_dict(
    _generation_schema(PUBLISHED),
    config=schemathesis.Config.from_dict(
        {"generation": {"max-examples": MAX_EXAMPLES, "database": "none", "deterministic": not RANDOM}}
    ),
)
schema.app = APP
schema.location = "/api/v1/openapi.json"

# The data of the running test, for the hooks (they are called while Hypothesis draws a request).
WORLD: dict[str, Any] = {}


@schema.hook("flatmap_path_parameters")
def _real_ids(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    if "case_id" in path_parameters:
        ids = [c.pk for c in WORLD["cases"].values()]
        return st.sampled_from([path_parameters, *({**path_parameters, "case_id": pk} for pk in ids)])
    if "tracking_code" in path_parameters:
        codes = list(WORLD["codes"].values())
        codes += [codes[0].lower().replace("-", " ")]  # as people type it
        return st.sampled_from([path_parameters, *({**path_parameters, "tracking_code": c} for c in codes)])
    return st.just(path_parameters)


def _real_files() -> st.SearchStrategy[dict[str, Any]]:
    """A real PDF or PNG under some of the test SOP's document kodes."""
    good = st.sampled_from([pdf_bytes(), png_bytes()])
    return st.fixed_dictionaries({}, optional={b.kode: good for b in BERKAS})


def _answers(step: int | None) -> st.SearchStrategy[list[dict[str, Any]]]:
    answer = st.fixed_dictionaries(
        {"step": st.just(step or 2), "answer": st.sampled_from(["ya", "tidak", "lanjut"])},
        optional={"note": st.sampled_from(["", "SK tidak terbaca"])},
    )
    return st.lists(answer, min_size=1, max_size=1)


@schema.hook("flatmap_case")
def _on_real_data(context: Any, case: Any) -> Any:
    """Half the time: a request to hand in with the real unit, service, agency and requester (a
    few fields left as generated) and real files; documents handed in as real files; a decision
    of the case's current step at its real version (generated answers may still be "lanjut" at
    a decision, or the step may be the requester's)."""
    op = case.operation.definition.raw.get("operationId")
    if not isinstance(case.body, dict) or op not in {"submit_request", "supply_documents", "decide"}:
        return st.just(case)
    generated = case.body
    if op == "submit_request":
        service = WORLD["service"]
        holder = service.account
        real = {
            "unit": service.unit.kode,
            "service": service.kode,
            "need": "password",
            "name": holder.name,
            "email": "pemohon.baru@gmail.com",
            "user_id": holder.user_id,
            "agency": service.agency.pk,
        }
        keep = st.sets(st.sampled_from(sorted(generated)), max_size=2) if generated else st.just(set())
        fields = keep.map(lambda kept: {**real, **{k: generated[k] for k in kept}})
        body = st.tuples(fields, _real_files()).map(lambda parts: {**parts[0], **parts[1]})
    elif op == "supply_documents":
        body = _real_files().map(lambda files: {"note": "SK yang terbaca", **files})
    else:
        target = next((c for c in WORLD["cases"].values() if c.pk == (case.path_parameters or {}).get("case_id")), None)
        if target is None:
            return st.just(case)
        target = Case.objects.get(pk=target.pk)  # as it is now
        body = _answers(target.current_step).map(lambda answers: {"version": target.version, "answers": answers})

    def apply(replacement: dict[str, Any] | None) -> Any:
        if replacement is not None:
            case.body = replacement
        return case

    return st.one_of(st.none(), body).map(apply)


@pytest.fixture
def world(db, service) -> Iterator[dict[str, str]]:
    """Three cases of the test SOP (open, waiting, done) and the verifier's token, as headers."""
    verifier = service.verifier
    submitted = {name: submit(service) for name in ("open", "waiting", "done")}
    answer_run(submitted["waiting"].case, verifier, [(2, "tidak", "SK buram")], missing=["sk-penunjukan"])
    answer_run(submitted["done"].case, verifier, [(2, "ya", ""), (5, "ya", "")])
    cases = {name: Case.objects.get(pk=s.case.pk) for name, s in submitted.items()}
    assert [c.status for c in cases.values()] == [Status.OPEN, Status.WAITING, Status.DONE]
    _, token = create_api_token(actor=None, user=verifier)
    WORLD.update(service=service, cases=cases, codes={n: s.tracking_code for n, s in submitted.items()})
    # Django's own test client keeps the test's connection (and its transaction) open across
    # requests; a WSGI request would close it at its start and end. Do as the test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {token}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        WORLD.clear()


@schema.parametrize()
@settings(deadline=DEADLINE, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_answer_is_documented_and_never_a_server_error(case, world):
    case.call_and_validate(headers=world if "security" in case.operation.definition.raw else None, checks=CHECKS)


def test_the_document_generated_from_is_the_one_served(db):
    served = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
    assert served.raw_schema == PUBLISHED


# -- what schemathesis found ----------------------------------------------------------------------
# Each as its own test, so that it stays checked whatever the generated requests happen to be.


# Found by schemathesis: an offset of 2**63 or more answered 500 (the SQL OFFSET did not fit a
# 64-bit integer). `offset` now has a maximum, so the API refuses it in its own shape.
@pytest.mark.parametrize("offset", [2**63, 25678790764553060191567872])
def test_an_offset_past_64_bits_is_refused_not_a_server_error(client, service, offset):
    submit(service)
    _, token = create_api_token(actor=None, user=service.verifier)
    response = client.get(f"/api/v1/cases?offset={offset}&limit=10", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "problems"}


def test_the_largest_offset_allowed_still_answers_an_empty_page(client, service):
    submit(service)
    _, token = create_api_token(actor=None, user=service.verifier)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/cases?offset=1000000000&limit=10", headers=headers)
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert client.get("/api/v1/cases?offset=1000000001&limit=10", headers=headers).status_code == 400
