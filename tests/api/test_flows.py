"""Each reset SOP through the API alone: the happy path, the incomplete loop (staff mark a
document missing, the requester supplies it with the tracking code) and the refusal; a repeated
decision with a stale version.

The runs over RESET_SOPS stay on the built-in SOPs (`people`, `tokens`): their point is that each
built-in reset SOP, KKP's channel decision included, runs over HTTP as written. The stale version
and the refused documents are about the API, not one SOP, and run on the test SOP (`service`)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases.models import Case, Channel, Document, Status
from loket.notify.models import OutboxMessage
from tests.factories import pdf_bytes

from .conftest import API, bearer, decide, service_documents, submit

pytestmark = pytest.mark.django_db

# service -> (unit, the account it serves)
RESET_SOPS = {
    "kaltim-reset-ppk": ("kaltim", "ppk"),
    "magelang-reset-ppk": ("magelang", "ppk_magelang"),
    "sbt-reset-pokja": ("sbt", "pokja_sbt"),
    "kkp-reset-admin-agency": ("kkp", "aa_account_kkp"),
}
# The staff of each unit and the steps each answers in one decision, per outcome.
ADMIN_AGENCY = {"kaltim": "aa_pupr", "magelang": "aa_magelang", "sbt": "aa_sbt"}
REASON = "Nama pada SK berbeda dengan data akun"


def happy_plan(unit):
    if unit == "kkp":
        return [("kkp_helpdesk", [(4, "lanjut", ""), (5, "ya", "")]), ("kkp_admin_ppe", [(9, "ya", "")])]
    return [(ADMIN_AGENCY[unit], [(2, "ya", ""), (5, "ya", "")])]


def refusal_plan(unit):
    if unit == "kkp":
        return [("kkp_helpdesk", [(4, "lanjut", ""), (5, "ya", "")]), ("kkp_admin_ppe", [(9, "tidak", REASON)])]
    return [(ADMIN_AGENCY[unit], [(2, "ya", ""), (5, "tidak", REASON)])]


def incomplete_plan(unit):
    """Until the documents are asked for, and after they come back."""
    if unit == "kkp":
        return (
            [("kkp_helpdesk", [(4, "lanjut", ""), (5, "tidak", "SK tidak terbaca")])],
            [("kkp_helpdesk", [(5, "ya", "")]), ("kkp_admin_ppe", [(9, "ya", "")])],
        )
    staff = ADMIN_AGENCY[unit]
    return [(staff, [(2, "tidak", "SK tidak terbaca")])], [(staff, [(2, "ya", ""), (5, "ya", "")])]


def case_id_in_queue(client, token, reference):
    queue = client.get(f"{API}/cases", headers=bearer(token))
    assert queue.status_code == 200
    ids = [item["id"] for item in queue.json()["items"] if item["reference"] == reference]
    assert len(ids) == 1, f"{reference} not in the queue"
    return ids[0]


def run(client, tokens, reference, plan, **extra):
    """Each staff member finds the case in their queue, sees the steps they answer offered to
    them, and answers them in one decision."""
    for persona, answers in plan:
        token = tokens[persona]
        case_id = case_id_in_queue(client, token, reference)
        page = client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json()
        answerable = [a["step"] for a in page["answerable"]]
        assert answerable[: len(answers)] == [s for s, _, _ in answers]
        response = decide(client, token, case_id, answers, version=page["version"], **extra)
        assert response.status_code == 200, response.json()
        assert response.json()["applied"] == [s for s, _, _ in answers]
        assert response.json()["version"] > page["version"]


def submitted(client, people, service):
    unit, account_name = RESET_SOPS[service]
    account = getattr(people, account_name)
    response = submit(client, unit, service, account)
    assert response.status_code == 201, response.json()
    return response.json(), account


@pytest.mark.parametrize("service", sorted(RESET_SOPS))
def test_it_runs_the_happy_path_over_http(client, people, tokens, service):
    body, account = submitted(client, people, service)
    assert body["status"] == "open" and body["reference"].startswith(RESET_SOPS[service][0].upper())
    run(client, tokens, body["reference"], happy_plan(RESET_SOPS[service][0]))

    status = client.get(f"{API}/requests/{body['tracking_code']}").json()
    assert status["status"] == "done"
    assert {step["state"] for step in status["steps"]} == {"done"}
    case = Case.objects.get(reference=body["reference"])
    assert (case.status, case.channel) == (Status.DONE, Channel.API)
    assert list(OutboxMessage.objects.filter(case=case).order_by("id").values_list("template", "to")) == [
        ("diterima", "pemohon.baru@gmail.com"),
        ("hasil-password", account.email),
        ("survei-kepuasan", "pemohon.baru@gmail.com"),  # loket.survey: the case is done
    ]


@pytest.mark.parametrize("service", sorted(RESET_SOPS))
def test_the_incomplete_loop_runs_over_http(client, people, tokens, service):
    body, _account = submitted(client, people, service)
    code = body["tracking_code"]
    before, after = incomplete_plan(RESET_SOPS[service][0])
    run(client, tokens, body["reference"], before, missing=["sk-pengangkatan"])

    status = client.get(f"{API}/requests/{code}").json()
    assert status["status"] == "waiting"
    assert [d["kode"] for d in status["missing_documents"]] == ["sk-pengangkatan"]
    assert status["missing_note"] == "SK tidak terbaca"
    states = [s["state"] for s in status["steps"]]
    assert states.count("waiting-on-you") == 1 and states[-1] == "expected"

    supplied = client.post(
        f"{API}/requests/{code}/documents",
        data={"sk-pengangkatan": SimpleUploadedFile("sk-baru.pdf", pdf_bytes(2), "application/pdf")},
    )
    assert supplied.status_code == 200, supplied.json()
    assert supplied.json() == {"reference": body["reference"], "status": "open"}
    assert client.get(f"{API}/requests/{code}").json()["missing_documents"] == []

    run(client, tokens, body["reference"], after)
    case = Case.objects.get(reference=body["reference"])
    assert case.status == Status.DONE
    assert Document.objects.filter(case=case, kode="sk-pengangkatan").count() == 2


@pytest.mark.parametrize("service", sorted(RESET_SOPS))
def test_it_refuses_over_http_with_the_reason(client, people, tokens, service):
    body, account = submitted(client, people, service)
    old_hash = account.password
    run(client, tokens, body["reference"], refusal_plan(RESET_SOPS[service][0]))

    assert client.get(f"{API}/requests/{body['tracking_code']}").json()["status"] == "refused"
    case = Case.objects.get(reference=body["reference"])
    assert REASON in OutboxMessage.objects.get(case=case, template="ditolak").body
    account.refresh_from_db()
    assert account.password == old_hash


def submitted_to(client, service):
    response = submit(client, service.unit.kode, service.kode, service.account, files=service_documents(service))
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_repeated_decision_with_the_same_version_advances_once(client, service, service_tokens):
    body = submitted_to(client, service)
    token = service_tokens["verifier"]
    case_id = case_id_in_queue(client, token, body["reference"])
    seen = client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json()["version"]
    answers = [(2, "ya", ""), (5, "ya", "")]

    first = decide(client, token, case_id, answers, version=seen)
    second = decide(client, token, case_id, answers, version=seen)

    assert first.status_code == 200
    assert second.status_code == 409
    assert "sudah diproses" in second.json()["detail"]
    case = Case.objects.get(pk=case_id)
    assert [run.step for run in case.steps.order_by("id")] == [1, 2, 5, 6, 8, 9]
    assert case.version == first.json()["version"]
    assert OutboxMessage.objects.filter(case=case, template="hasil-password").count() == 1


def test_documents_are_refused_when_the_request_is_not_waiting_for_them(client, service):
    body = submitted_to(client, service)
    response = client.post(
        f"{API}/requests/{body['tracking_code']}/documents",
        data={"sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")},
    )
    assert response.status_code == 409
    assert "tidak sedang menunggu" in response.json()["detail"]
    assert Document.objects.filter(kode="sk-penunjukan").count() == 1  # only the one handed in first
