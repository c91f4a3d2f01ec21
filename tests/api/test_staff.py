"""The staff operations: the token, the scope of each caller (another agency, another unit, no
role, no token), the work queue's paging, and what a decision refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.cases.models import Case
from loket.staff.models import ApiToken
from loket.staff.services import revoke_api_token

from .conftest import API, bearer, decide, submit

pytestmark = pytest.mark.django_db

# Who must not see a kaltim case of Dinas PUPR: an Admin Agency of another agency of the same
# unit, an Admin Agency of another unit, staff of another unit, a signed-up user with no role.
STRANGERS = ["aa_dinkes", "aa_magelang", "kkp_helpdesk", "outsider_staff"]


@pytest.fixture
def case(client, people):
    body = submit(client, "kaltim", "kaltim-reset-ppk", people.ppk).json()
    return Case.objects.get(reference=body["reference"])


def test_the_queue_lists_the_case_for_its_admin_agency(client, tokens, case):
    response = client.get(f"{API}/cases", headers=bearer(tokens["aa_pupr"]))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["id"], item["reference"], item["unit"], item["service"]) == (
        case.pk,
        case.reference,
        "kaltim",
        "kaltim-reset-ppk",
    )
    assert item["current_step"]["step"] == 2 and item["current_step"]["lane"] == "Admin Agency"
    assert item["current_step"]["description"].startswith("Menerima dan memeriksa kelengkapan")
    assert item["due_at"] is not None and item["overdue"] is False
    assert item["version"] == case.version


def test_the_case_shows_its_steps_documents_and_what_the_caller_may_answer(client, tokens, case):
    response = client.get(f"{API}/cases/{case.pk}", headers=bearer(tokens["aa_pupr"]))
    assert response.status_code == 200
    body = response.json()
    assert [(s["step"], s["by"], s["finished_at"] is not None) for s in body["steps"]] == [
        (1, "pemohon", True),
        (2, "staf", False),
    ]
    assert sorted(d["kode"] for d in body["documents"]) == ["sk-pengangkatan", "surat-permohonan"]
    assert all(len(d["sha256"]) == 64 and d["size"] > 0 for d in body["documents"])
    assert [(a["step"], a["answers"]) for a in body["answerable"]] == [(2, ["ya", "tidak"]), (5, ["ya", "tidak"])]
    assert body["requester"]["email"] == "pemohon.baru@gmail.com"
    assert body["account"]["user_id"] == "ppk.pupr01"

    decide(client, tokens["aa_pupr"], case.pk, [(2, "ya", "lengkap"), (5, "ya", "")])
    steps = client.get(f"{API}/cases/{case.pk}", headers=bearer(tokens["aa_pupr"])).json()["steps"]
    assert [(s["step"], s["actor"], s["on_behalf_of"]) for s in steps[1:3]] == [
        (2, "aa-pupr", None),
        (5, "aa-pupr", None),
    ]
    assert steps[3]["on_behalf_of"] == "aa-pupr"  # the system's reset, on her authority
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


def test_a_revoked_token_is_refused(client, people, tokens, case):
    token = ApiToken.objects.get(user=people.aa_pupr)
    revoke_api_token(actor=None, token_id=token.pk)
    assert client.get(f"{API}/cases", headers=bearer(tokens["aa_pupr"])).status_code == 401


def test_staff_of_the_unit_in_another_lane_may_look_but_not_answer(client, people, tokens):
    body = submit(client, "kkp", "kkp-reset-admin-agency", people.aa_account_kkp).json()
    case = Case.objects.get(reference=body["reference"])
    token = tokens["kkp_admin_ppe"]
    page = client.get(f"{API}/cases/{case.pk}", headers=bearer(token))
    assert page.status_code == 200 and page.json()["answerable"] == []
    response = decide(client, token, case.pk, [(4, "lanjut", "")], version=case.version)
    assert response.status_code == 403
    assert "Helpdesk" in response.json()["detail"]
    case.refresh_from_db()
    assert case.current_step == 4


def test_a_decision_body_that_does_not_fit_is_refused_by_field(client, tokens, case):
    response = client.post(
        f"{API}/cases/{case.pk}/decisions",
        data={"version": "kemarin", "answers": [{"step": 2}]},
        content_type="application/json",
        headers=bearer(tokens["aa_pupr"]),
    )
    assert response.status_code == 400
    assert response.json()["problems"] == {
        "version": "Harus berupa bilangan bulat.",
        "answers.0.answer": "Wajib diisi.",
    }


def test_an_answer_the_step_does_not_allow_is_refused(client, tokens, case):
    response = decide(client, tokens["aa_pupr"], case.pk, [(2, "mungkin", "")])
    assert response.status_code == 400
    assert "ya, tidak" in response.json()["detail"]


def test_the_queue_is_paged_and_at_most_a_hundred_at_a_time(client, people, tokens):
    references = [submit(client, "kaltim", "kaltim-reset-ppk", people.ppk).json()["reference"] for _ in range(3)]
    token = tokens["aa_pupr"]
    first = client.get(f"{API}/cases?limit=2", headers=bearer(token)).json()
    rest = client.get(f"{API}/cases?limit=2&offset=2", headers=bearer(token)).json()
    assert (first["count"], len(first["items"]), len(rest["items"])) == (3, 2, 1)
    assert sorted(i["reference"] for i in first["items"] + rest["items"]) == sorted(references)
    too_many = client.get(f"{API}/cases?limit=101", headers=bearer(token))
    assert too_many.status_code == 400
    assert too_many.json()["problems"] == {"limit": "Paling besar 100."}


def test_an_overdue_case_is_marked(client, tokens, case):
    Case.objects.filter(pk=case.pk).update(current_due_at=timezone.now() - dt.timedelta(minutes=1))
    [item] = client.get(f"{API}/cases", headers=bearer(tokens["aa_pupr"])).json()["items"]
    assert item["overdue"] is True
