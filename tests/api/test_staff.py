"""The staff operations: the token, the scope of each caller (another agency, another unit, no
role, no token), the work queue's paging, and what a decision refuses. On test SOPs of test units
(tests/sop_factory.py): none of this is about one built-in SOP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.cases.models import Case
from loket.staff.models import ApiToken
from loket.staff.services import create_api_token, revoke_api_token
from tests.sop_factory import AGENCIES, STRANGERS, URAIAN, VERIFIER

from .conftest import API, bearer, decide, service_documents, submit

pytestmark = pytest.mark.django_db

# Who must not see a case of the test unit's first agency (tests/sop_factory.py, `strangers`): the
# same lane at the unit's other agency, the same lane in another unit, another lane in another
# unit, a signed-up user with no role.


def send(client, service):  # type: ignore[no-untyped-def]
    response = submit(client, service.unit.kode, service.kode, service.account, files=service_documents(service))
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def tokens(service_tokens):
    """Here the personas are the test SOP's: "verifier" and each of STRANGERS."""
    return service_tokens


@pytest.fixture
def case(client, service):
    return Case.objects.get(reference=send(client, service)["reference"])


def test_the_queue_lists_the_case_for_its_admin_agency(client, tokens, case):
    response = client.get(f"{API}/cases", headers=bearer(tokens["verifier"]))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["id"], item["reference"], item["unit"], item["service"]) == (
        case.pk,
        case.reference,
        "uji",
        "uji-pulih-akun",
    )
    assert item["current_step"]["step"] == 2 and item["current_step"]["lane"] == VERIFIER
    assert item["current_step"]["description"] == URAIAN[2]
    assert item["due_at"] is not None and item["overdue"] is False
    assert item["version"] == case.version


def test_the_case_shows_its_steps_documents_and_what_the_caller_may_answer(client, service, tokens, case):
    response = client.get(f"{API}/cases/{case.pk}", headers=bearer(tokens["verifier"]))
    assert response.status_code == 200
    body = response.json()
    assert [(s["step"], s["by"], s["finished_at"] is not None) for s in body["steps"]] == [
        (1, "pemohon", True),
        (2, "staf", False),
    ]
    assert sorted(d["kode"] for d in body["documents"]) == ["sk-penunjukan", "surat-pengajuan"]
    assert all(len(d["sha256"]) == 64 and d["size"] > 0 for d in body["documents"])
    assert [(a["step"], a["answers"]) for a in body["answerable"]] == [(2, ["ya", "tidak"]), (5, ["ya", "tidak"])]
    assert body["requester"]["email"] == "pemohon.baru@gmail.com"
    assert body["account"]["user_id"] == "ppk.dpr.uji"

    decide(client, tokens["verifier"], case.pk, [(2, "ya", "lengkap"), (5, "ya", "")])
    steps = client.get(f"{API}/cases/{case.pk}", headers=bearer(tokens["verifier"])).json()["steps"]
    verifier = service.verifier.username
    assert verifier == "uji-verifikator-akun-dinas-perumahan-rakyat"
    assert [(s["step"], s["actor"], s["on_behalf_of"]) for s in steps[1:3]] == [
        (2, verifier, None),
        (5, verifier, None),
    ]
    assert steps[3]["on_behalf_of"] == verifier  # the system's reset, on her authority
    assert steps[1]["note"] == "lengkap" and steps[1]["working_minutes"] is not None


@pytest.mark.parametrize("who", STRANGERS)
def test_staff_outside_the_scope_see_nothing_and_cannot_decide(client, tokens, case, who):
    token = tokens[who]
    queue = client.get(f"{API}/cases", headers=bearer(token)).json()
    assert queue["count"] == 0 and queue["items"] == []
    assert client.get(f"{API}/cases/{case.pk}", headers=bearer(token)).status_code == 404
    response = decide(client, token, case.pk, [(2, "ya", "")], version=case.version)
    assert response.status_code == 404
    assert response.json()["detail"] == "Permohonan tidak ditemukan."
    case.refresh_from_db()
    assert (case.current_step, case.steps.count()) == (2, 2)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lkt_bukan-token-sungguhan"}, {"Authorization": "Token xyz"}],
    ids=["no-token", "unknown-token", "other-scheme"],
)
def test_every_staff_operation_needs_a_token(client, case, headers):
    calls = [
        client.get(f"{API}/cases", headers=headers),
        client.get(f"{API}/cases/{case.pk}", headers=headers),
        client.post(
            f"{API}/cases/{case.pk}/decisions",
            data={"version": case.version, "answers": [{"step": 2, "answer": "ya"}]},
            content_type="application/json",
            headers=headers,
        ),
    ]
    assert [r.status_code for r in calls] == [401, 401, 401]
    assert all("token API" in r.json()["detail"] for r in calls)
    assert calls[0]["WWW-Authenticate"] == "Bearer"
    case.refresh_from_db()
    assert case.current_step == 2


def test_a_revoked_token_is_refused(client, service, tokens, case):
    token = ApiToken.objects.get(user=service.verifier)
    revoke_api_token(actor=None, token_id=token.pk)
    assert client.get(f"{API}/cases", headers=bearer(tokens["verifier"])).status_code == 401


def test_staff_of_the_unit_in_another_lane_may_look_but_not_answer(client, other_service):
    # In the other unit's SOP, Petugas Layanan checks completeness (step 2), Verifikator Akun the rest.
    case = Case.objects.get(reference=send(client, other_service)["reference"])
    assert (case.current_step, case.current_lane) == (2, "Petugas Layanan")
    token = create_api_token(actor=None, user=other_service.staff_of(VERIFIER, AGENCIES[0]))[1]
    page = client.get(f"{API}/cases/{case.pk}", headers=bearer(token))
    assert page.status_code == 200 and page.json()["answerable"] == []
    response = decide(client, token, case.pk, [(2, "ya", "")], version=case.version)
    assert response.status_code == 403
    assert "Petugas Layanan" in response.json()["detail"]
    case.refresh_from_db()
    assert case.current_step == 2


def test_a_decision_body_that_does_not_fit_is_refused_by_field(client, tokens, case):
    response = client.post(
        f"{API}/cases/{case.pk}/decisions",
        data={"version": "kemarin", "answers": [{"step": 2}]},
        content_type="application/json",
        headers=bearer(tokens["verifier"]),
    )
    assert response.status_code == 400
    assert response.json()["problems"] == {
        "version": "Harus berupa bilangan bulat.",
        "answers.0.answer": "Wajib diisi.",
    }


def test_an_answer_the_step_does_not_allow_is_refused(client, tokens, case):
    response = decide(client, tokens["verifier"], case.pk, [(2, "mungkin", "")])
    assert response.status_code == 400
    assert "ya, tidak" in response.json()["detail"]


def test_the_queue_is_paged_and_at_most_a_hundred_at_a_time(client, service, tokens):
    references = [send(client, service)["reference"] for _ in range(3)]
    token = tokens["verifier"]
    first = client.get(f"{API}/cases?limit=2", headers=bearer(token)).json()
    rest = client.get(f"{API}/cases?limit=2&offset=2", headers=bearer(token)).json()
    assert (first["count"], len(first["items"]), len(rest["items"])) == (3, 2, 1)
    assert sorted(i["reference"] for i in first["items"] + rest["items"]) == sorted(references)
    too_many = client.get(f"{API}/cases?limit=101", headers=bearer(token))
    assert too_many.status_code == 400
    assert too_many.json()["problems"] == {"limit": "Paling besar 100."}


def test_an_overdue_case_is_marked(client, tokens, case):
    Case.objects.filter(pk=case.pk).update(current_due_at=timezone.now() - dt.timedelta(minutes=1))
    [item] = client.get(f"{API}/cases", headers=bearer(tokens["verifier"])).json()["items"]
    assert item["overdue"] is True
