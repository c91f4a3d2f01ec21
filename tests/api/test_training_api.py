"""The training operations of the staff API (`/training/...`): a unit's sessions and planning one,
the waiting candidates, invitations, attendance and, where the accounts live in SPSE, the
activation staff confirm; the whole training part of a registration through the API; the scope
(another unit's staff, a lane of the unit that does not wait on training, no token); refusals in
the API's one shape; and the registration part of a case's output. On the registration SOP of the
tests (tests/registration/sop.py), in unit `uji` (WITA, +08:00)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from loket.api.urls import api
from loket.cases.models import Case, Status
from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from loket.registration.models import Registration, TrainingSeat, TrainingSession
from loket.staff.services import create_api_token
from tests.api.test_schemathesis import APP, CHECKS, MAX_EXAMPLES, RANDOM
from tests.registration.conftest import CANDIDATE_NIP, Registering, reg
from tests.registration.sop import registration_sop
from tests.sop_factory import make_service, service

from .conftest import API, bearer

__all__ = ["reg", "service"]  # fixtures

pytestmark = pytest.mark.django_db

PASSWORD = "Sementara-2026!x"
SECOND_NIP = "198811302014031002"


def token_of(user: Any) -> str:
    return create_api_token(actor=None, user=user)[1]


def post(client, token: str | None, path: str, body: Any):  # type: ignore[no-untyped-def]
    headers = bearer(token) if token else {}
    return client.post(f"{API}{path}", data=body, content_type="application/json", headers=headers)


def get(client, token: str | None, path: str):  # type: ignore[no-untyped-def]
    return client.get(f"{API}{path}", headers=bearer(token) if token else {})


def session_body(*, hours_from_now: float = 24, **changes: Any) -> dict[str, Any]:
    starts = (timezone.now() + dt.timedelta(hours=hours_from_now)).replace(microsecond=0)
    body: dict[str, Any] = {
        "title": "Pelatihan Admin Agency Angkatan I",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
        "place": "Ruang Rapat LPSE Lt. 2",
        "online_url": "",
        "capacity": 10,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def start(session_id: int) -> None:
    """The session's time has come (attendance is recorded once it started)."""
    now = timezone.now()
    TrainingSession.objects.filter(pk=session_id).update(
        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)
    )


def registration_of(case: Case) -> Registration:
    return Registration.objects.get(case=case)


@pytest.fixture
def admin_token(reg) -> str:
    """The token of the lane whose step waits on training."""
    return token_of(reg.admin)


@pytest.fixture
def spse(db) -> Registering:
    """A unit whose accounts live in SPSE, with the same registration SOP."""
    return Registering(make_service(unit="spse", text=registration_sop(unit="spse"), direktori="spse", accounts=False))


def to_training_in_spse(spse: Registering) -> Case:
    case = spse.submit()
    spse.decide(case, spse.chief, [(2, "lanjut", "")])
    return spse.decide(case, spse.admin, [(3, "ya", ""), (6, "lanjut", "")], new_user_id="aa.dpr.siti")


# -- the whole training part ----------------------------------------------------------------------


def test_the_whole_training_through_the_api(client, reg, admin_token):
    case = reg.to_training(reg.submit())
    registration = registration_of(case)
    unit = reg.service.unit.kode

    waiting = get(client, admin_token, f"/training/units/{unit}/waiting")
    assert waiting.status_code == 200, waiting.content
    body = waiting.json()
    assert (body["unit"], body["assisted"], body["awaiting_activation"]) == (unit, False, [])
    [row] = body["waiting"]
    assert row == {
        "registration_id": registration.pk,
        "case_id": case.pk,
        "reference": case.reference,
        "candidate_name": "Siti Rahmawati",
        "agency": reg.service.agency.name,
        "waiting_since": row["waiting_since"],
        "sessions_missed": 0,
    }
    assert row["waiting_since"] is not None

    planned = post(client, admin_token, f"/training/units/{unit}/sessions", session_body())
    assert planned.status_code == 201, planned.content
    session = planned.json()
    assert session["unit"] == unit and session["capacity"] == 10 and session["seats_taken"] == 0
    assert session["starts_at"].endswith("+08:00") and session["attendance_recorded_at"] is None
    stored = TrainingSession.objects.get(pk=session["id"])
    assert dt.datetime.fromisoformat(session["starts_at"]) == stored.starts_at
    assert stored.created_by == reg.admin and stored.title == "Pelatihan Admin Agency Angkatan I"

    listed = get(client, admin_token, f"/training/units/{unit}/sessions").json()
    assert listed["count"] == 1 and [s["id"] for s in listed["items"]] == [session["id"]]

    invited = post(
        client, admin_token, f"/training/sessions/{session['id']}/invitations", {"registration_ids": [registration.pk]}
    )
    assert invited.status_code == 200, invited.content
    assert invited.json() == {
        "session_id": session["id"],
        "invited": [
            {
                "registration_id": registration.pk,
                "case_id": case.pk,
                "reference": case.reference,
                "candidate_name": "Siti Rahmawati",
            }
        ],
        "refused": [],
        "capacity": 10,
        "seats_taken": 1,
    }
    assert OutboxMessage.objects.filter(case=case, template="undangan-pelatihan", to="calon@dinas.go.id").exists()
    assert get(client, admin_token, f"/training/units/{unit}/waiting").json()["waiting"] == []

    seats = get(client, admin_token, f"/training/sessions/{session['id']}").json()
    assert [(s["registration_id"], s["status"], s["recorded_at"]) for s in seats["seats"]] == [
        (registration.pk, "invited", None)
    ]
    assert seats["seats_taken"] == 1

    start(session["id"])
    recorded = post(
        client, admin_token, f"/training/sessions/{session['id']}/attendance", {"present": [registration.pk]}
    )
    assert recorded.status_code == 200, recorded.content
    answer = recorded.json()
    ref = {"registration_id": registration.pk, "case_id": case.pk, "reference": case.reference}
    assert [{k: r[k] for k in ref} for r in answer["present"]] == [ref]
    assert [{k: r[k] for k in ref} for r in answer["activated"]] == [ref]
    assert answer["absent"] == [] and answer["ignored"] == [] and answer["attendance_recorded_at"] is not None

    case.refresh_from_db()
    assert case.status == Status.DONE
    assert Account.objects.get(pk=case.account_id).is_active
    assert OutboxMessage.objects.filter(case=case, template="akun-dibuat", to="calon@dinas.go.id").exists()

    shown = get(client, admin_token, f"/cases/{case.pk}").json()["registration"]
    assert shown["trained_at"] is not None and shown["activated_at"] is not None
    assert [(s["session_id"], s["status"]) for s in shown["seats"]] == [(session["id"], "present")]


def test_a_missed_session_counts_and_the_candidate_waits_again(client, reg, admin_token):
    case = reg.to_training(reg.submit())
    registration = registration_of(case)
    first = post(client, admin_token, "/training/units/uji/sessions", session_body()).json()
    post(client, admin_token, f"/training/sessions/{first['id']}/invitations", {"registration_ids": [registration.pk]})
    start(first["id"])
    recorded = post(client, admin_token, f"/training/sessions/{first['id']}/attendance", {"present": []}).json()
    assert [r["registration_id"] for r in recorded["absent"]] == [registration.pk]
    assert recorded["present"] == recorded["activated"] == []
    [row] = get(client, admin_token, "/training/units/uji/waiting").json()["waiting"]
    assert (row["registration_id"], row["sessions_missed"]) == (registration.pk, 1)
    case.refresh_from_db()
    assert case.status == Status.TRAINING
    # The absent seat is free again.
    assert get(client, admin_token, f"/training/sessions/{first['id']}").json()["seats_taken"] == 0


def test_sessions_are_listed_latest_first_and_paged(client, reg, admin_token):
    for hours in (24, 48, 72):
        assert (
            post(client, admin_token, "/training/units/uji/sessions", session_body(hours_from_now=hours)).status_code
            == 201
        )
    page = get(client, admin_token, "/training/units/uji/sessions?limit=2&offset=0").json()
    starts = [s["starts_at"] for s in page["items"]]
    assert page["count"] == 3 and len(starts) == 2 and starts == sorted(starts, reverse=True)
    assert len(get(client, admin_token, "/training/units/uji/sessions?limit=2&offset=2").json()["items"]) == 1
    refused = get(client, admin_token, "/training/units/uji/sessions?limit=101")
    assert refused.status_code == 400 and "limit" in refused.json()["problems"]


def test_a_session_given_in_another_zone_is_answered_in_the_units(client, reg, admin_token):
    starts = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0).astimezone(dt.UTC)
    body = session_body(starts_at=starts.isoformat(), ends_at=(starts + dt.timedelta(hours=2)).isoformat())
    session = post(client, admin_token, "/training/units/uji/sessions", body).json()
    assert session["starts_at"] == starts.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()


# -- invitations and attendance: what they refuse ----------------------------------------------------


def test_an_invitation_refuses_each_candidate_it_cannot_take_with_the_reason(client, reg, admin_token):
    cases = [reg.to_training(reg.submit()), reg.to_training(reg.submit(nip=SECOND_NIP, email="c2@dinas.go.id"))]
    regs = [registration_of(c) for c in cases]
    session = post(client, admin_token, "/training/units/uji/sessions", session_body(capacity=1)).json()
    answer = post(
        client,
        admin_token,
        f"/training/sessions/{session['id']}/invitations",
        {"registration_ids": [regs[0].pk, regs[1].pk, 999999]},
    ).json()
    assert [r["registration_id"] for r in answer["invited"]] == [regs[0].pk]
    reasons = {r["registration_id"]: r["reason"] for r in answer["refused"]}
    assert "penuh" in reasons[regs[1].pk] and "tidak sedang menunggu" in reasons[999999]
    assert (answer["capacity"], answer["seats_taken"]) == (1, 1)


def test_an_invitation_names_at_least_one_candidate(client, reg, admin_token):
    session = post(client, admin_token, "/training/units/uji/sessions", session_body()).json()
    answer = post(client, admin_token, f"/training/sessions/{session['id']}/invitations", {"registration_ids": []})
    assert answer.status_code == 400
    assert "paling sedikit satu calon" in answer.json()["problems"]["registration_ids"]


def test_a_session_over_takes_no_invitation_and_attendance_waits_for_the_start(client, reg, admin_token):
    registration = registration_of(reg.to_training(reg.submit()))
    session = post(client, admin_token, "/training/units/uji/sessions", session_body()).json()
    early = post(client, admin_token, f"/training/sessions/{session['id']}/attendance", {"present": [registration.pk]})
    assert early.status_code == 409 and set(early.json()) == {"detail", "problems"}
    start(session["id"])  # under way: a late candidate is still invited
    late = post(
        client, admin_token, f"/training/sessions/{session['id']}/invitations", {"registration_ids": [registration.pk]}
    )
    assert late.status_code == 200 and [i["registration_id"] for i in late.json()["invited"]] == [registration.pk]
    TrainingSession.objects.filter(pk=session["id"]).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    over = post(client, admin_token, f"/training/sessions/{session['id']}/invitations", {"registration_ids": [1]})
    assert over.status_code == 409 and "sudah selesai" in over.json()["detail"]


def test_attendance_reports_the_ids_it_did_not_record(client, reg, admin_token):
    registration = registration_of(reg.to_training(reg.submit()))
    session = post(client, admin_token, "/training/units/uji/sessions", session_body()).json()
    post(
        client, admin_token, f"/training/sessions/{session['id']}/invitations", {"registration_ids": [registration.pk]}
    )
    start(session["id"])
    answer = post(
        client, admin_token, f"/training/sessions/{session['id']}/attendance", {"present": [registration.pk, 424242]}
    ).json()
    assert [r["registration_id"] for r in answer["present"]] == [registration.pk]
    assert answer["ignored"] == [424242]
    # Recorded once: a second call finds no invitation left to record.
    again = post(
        client, admin_token, f"/training/sessions/{session['id']}/attendance", {"present": [registration.pk]}
    ).json()
    assert again["present"] == [] and again["ignored"] == [registration.pk]


# -- where the accounts live in SPSE -------------------------------------------------------------------


def test_where_accounts_live_in_spse_staff_confirm_the_activation(client, spse, caplog):
    caplog.set_level(logging.DEBUG)
    token = token_of(spse.admin)
    case = to_training_in_spse(spse)
    registration = registration_of(case)
    session = post(client, token, "/training/units/spse/sessions", session_body()).json()
    post(client, token, f"/training/sessions/{session['id']}/invitations", {"registration_ids": [registration.pk]})
    activation = f"/training/registrations/{registration.pk}/activation"
    early = post(client, token, activation, {"temporary_password": PASSWORD, "password_set_in_spse": True})
    assert early.status_code == 409 and "belum tercatat" in early.json()["detail"]

    start(session["id"])
    recorded = post(client, token, f"/training/sessions/{session['id']}/attendance", {"present": [registration.pk]})
    assert [r["registration_id"] for r in recorded.json()["present"]] == [registration.pk]
    assert recorded.json()["activated"] == []
    waiting = get(client, token, "/training/units/spse/waiting").json()
    assert waiting["assisted"] is True and waiting["waiting"] == []
    [awaiting] = waiting["awaiting_activation"]
    assert (awaiting["registration_id"], awaiting["user_id"]) == (registration.pk, "aa.dpr.siti")
    assert awaiting["trained_at"] is not None

    unticked = post(client, token, activation, {"temporary_password": PASSWORD, "password_set_in_spse": False})
    assert unticked.status_code == 400
    assert unticked.json()["problems"]["password_set_in_spse"]  # the message, beside the field
    weak = post(client, token, activation, {"temporary_password": "lemah", "password_set_in_spse": True})
    assert weak.status_code == 400 and "paling sedikit 8 karakter" in weak.json()["problems"]["temporary_password"]
    controlled = post(
        client, token, activation, {"temporary_password": "Sementara-\x002026!", "password_set_in_spse": True}
    )
    assert controlled.status_code == 400 and "temporary_password" in controlled.json()["problems"]

    done = post(client, token, activation, {"temporary_password": PASSWORD, "password_set_in_spse": True})
    assert done.status_code == 200, done.content
    assert done.json() == {
        "registration_id": registration.pk,
        "case_id": case.pk,
        "reference": case.reference,
        "status": "done",
        "activated_at": done.json()["activated_at"],
    }
    assert done.json()["activated_at"] is not None
    case.refresh_from_db()
    assert case.status == Status.DONE
    mail = OutboxMessage.objects.get(case=case, template="akun-dibuat")
    assert mail.secret_link and PASSWORD not in mail.body
    # Never answered back, never logged.
    for answer in (early, unticked, weak, done):
        assert PASSWORD not in answer.content.decode()
    assert PASSWORD not in caplog.text
    assert all(PASSWORD not in str(record.__dict__) for record in caplog.records)
    # Once done it is no longer awaiting.
    assert (
        post(client, token, activation, {"temporary_password": PASSWORD, "password_set_in_spse": True}).status_code
        == 404
    )


def test_an_activation_is_refused_while_another_staff_member_sets_the_password_in_spse(client, spse):
    from loket.cases.services import claim_password_step
    from tests.factories import staff
    from tests.registration.sop import ADMIN

    case = to_training_in_spse(spse)
    registration = registration_of(case)
    Registration.objects.filter(pk=registration.pk).update(trained_at=timezone.now())
    other = staff("spse-pengelola-akun-2", "spse", ADMIN)
    assert claim_password_step(case_id=case.pk, actor=other).mine  # the console offered them a password
    answer = post(
        client,
        token_of(spse.admin),
        f"/training/registrations/{registration.pk}/activation",
        {"temporary_password": PASSWORD, "password_set_in_spse": True},
    )
    assert answer.status_code == 409 and other.username in answer.json()["detail"]
    case.refresh_from_db()
    assert case.status == Status.TRAINING and registration_of(case).activated_at is None


def test_where_accounts_live_in_loket_there_is_no_activation_to_confirm(client, reg, admin_token):
    registration = registration_of(reg.to_training(reg.submit()))
    Registration.objects.filter(pk=registration.pk).update(trained_at=timezone.now())
    answer = post(
        client,
        admin_token,
        f"/training/registrations/{registration.pk}/activation",
        {"temporary_password": PASSWORD, "password_set_in_spse": True},
    )
    assert answer.status_code == 404 and set(answer.json()) == {"detail", "problems"}


# -- scope -------------------------------------------------------------------------------------------


def _operations(unit: str, session_id: int, registration_id: int) -> list[tuple[str, str, Any]]:
    return [
        ("get", f"/training/units/{unit}/sessions", None),
        ("post", f"/training/units/{unit}/sessions", session_body()),
        ("get", f"/training/units/{unit}/waiting", None),
        ("get", f"/training/sessions/{session_id}", None),
        ("post", f"/training/sessions/{session_id}/invitations", {"registration_ids": [registration_id]}),
        ("post", f"/training/sessions/{session_id}/attendance", {"present": [registration_id]}),
        (
            "post",
            f"/training/registrations/{registration_id}/activation",
            {"temporary_password": PASSWORD, "password_set_in_spse": True},
        ),
    ]


def _call(client, token: str | None, method: str, path: str, body: Any):  # type: ignore[no-untyped-def]
    return get(client, token, path) if method == "get" else post(client, token, path, body)


def test_every_operation_is_404_for_staff_who_do_not_train_at_the_unit(client, reg, spse):
    """Another unit's training staff, and the unit's own chief (a lane that does not wait on
    training): the unit, its sessions and its candidates do not exist for them."""
    case = to_training_in_spse(spse)
    registration = registration_of(case)
    session = spse.session()
    TrainingSeat.objects.create(session=session, registration=registration, invited_at=timezone.now())
    for stranger in (reg.admin, spse.chief):
        token = token_of(stranger)
        for method, path, body in _operations("spse", session.pk, registration.pk):
            answer = _call(client, token, method, path, body)
            assert answer.status_code == 404, (stranger.username, path, answer.content)
            assert set(answer.json()) == {"detail", "problems"}
    assert TrainingSession.objects.filter(unit=spse.service.unit).count() == 1
    assert TrainingSeat.objects.get(registration=registration).status == TrainingSeat.Status.INVITED
    case.refresh_from_db()
    assert case.status == Status.TRAINING


@pytest.mark.parametrize("kode", ["tidak-ada", "UJI%00", "uji%20lain", "x" * 41])
def test_an_unknown_or_malformed_unit_is_404(client, reg, admin_token, kode):
    answer = get(client, admin_token, f"/training/units/{kode}/sessions")
    assert answer.status_code == 404 and set(answer.json()) == {"detail", "problems"}


@pytest.mark.parametrize("big", [2**63, 2**70])
def test_an_id_past_64_bits_is_404_not_a_server_error(client, reg, admin_token, big):
    for method, path, body in _operations("uji", big, big)[3:]:
        answer = _call(client, admin_token, method, path, body)
        assert answer.status_code in {400, 404}, (path, answer.content)


def test_without_a_token_every_operation_is_401(client, reg):
    registration = registration_of(reg.to_training(reg.submit()))
    session = reg.session()
    for method, path, body in _operations("uji", session.pk, registration.pk):
        answer = _call(client, None, method, path, body)
        assert answer.status_code == 401, path
        assert answer["WWW-Authenticate"] == "Bearer" and set(answer.json()) == {"detail", "problems"}
        bad = _call(client, "bukan-token", method, path, body)
        assert bad.status_code == 401, path
    assert TrainingSession.objects.count() == 1 and not TrainingSeat.objects.exists()


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"starts_at": "2026-12-09T09:00:00"}, "starts_at", "zona waktu"),
        ({"ends_at": "2026-12-09T09:00:00"}, "ends_at", "zona waktu"),
        ({"starts_at": "kemarin"}, "starts_at", "tidak valid"),
        ({"starts_at": "9999-12-31T23:00:00-12:00"}, "starts_at", "tahun 2000"),
        ({"starts_at": "1999-12-31T23:00:00+00:00"}, "starts_at", "tahun 2000"),
        ({"starts_at": "0001-01-01T00:00:00+14:00"}, "starts_at", "tahun 2000"),
        ({"ends_at": "2099-12-31T23:00:00-12:00"}, "ends_at", "tahun 2000"),
        ({"capacity": None}, "capacity", "Wajib diisi"),
        ({"capacity": 0}, "capacity", "paling sedikit 1"),
        ({"capacity": 10_001}, "capacity", "Paling besar 10000"),
        ({"capacity": "sepuluh"}, "capacity", "bilangan bulat"),
        ({"place": "", "online_url": ""}, "place", "tautan daring"),
        ({"online_url": "zoom"}, "online_url", "https://"),
        ({"title": "Pelatihan\x00"}, "title", "karakter kontrol"),
        ({"place": "Ruang\x00"}, "place", "karakter kontrol"),
        ({"title": "x" * 201}, "title", "tidak valid"),
    ],
)
def test_a_bad_session_is_refused_under_its_field(client, reg, admin_token, changes, field, words):
    answer = post(client, admin_token, "/training/units/uji/sessions", session_body(**changes))
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert set(body) == {"detail", "problems"}
    assert words.lower() in body["problems"][field].lower(), body
    assert not TrainingSession.objects.exists()


def test_a_session_ending_before_it_starts_is_refused(client, reg, admin_token):
    starts = timezone.now() + dt.timedelta(days=1)
    body = session_body(starts_at=starts.isoformat(), ends_at=(starts - dt.timedelta(hours=1)).isoformat())
    answer = post(client, admin_token, "/training/units/uji/sessions", body)
    assert answer.status_code == 400 and "sesudah jam mulai" in answer.json()["problems"]["ends_at"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("invitations", {"registration_ids": "semua"}, "registration_ids"),
        ("invitations", {"registration_ids": ["satu"]}, "registration_ids.0"),
        ("invitations", {}, "registration_ids"),
        ("attendance", {"present": [1, "dua"]}, "present.1"),
        ("attendance", {}, "present"),
    ],
)
def test_bad_ids_are_refused_under_their_path(client, reg, admin_token, path, body, field):
    session = reg.session()
    answer = post(client, admin_token, f"/training/sessions/{session.pk}/{path}", body)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["problems"] and set(answer.json()) == {"detail", "problems"}


def test_a_body_that_is_not_json_is_refused_in_the_one_shape(client, reg, admin_token):
    answer = client.post(
        f"{API}/training/units/uji/sessions", data="{", content_type="application/json", headers=bearer(admin_token)
    )
    assert answer.status_code == 400 and set(answer.json()) == {"detail", "problems"}


# -- the case's registration part ---------------------------------------------------------------------


def test_the_case_shows_its_registration(client, reg):
    case = reg.submit(new_agency_name="Badan Riset Daerah", agency=None)
    token = token_of(reg.chief)
    shown = get(client, token, f"/cases/{case.pk}").json()["registration"]
    assert shown == {
        "id": registration_of(case).pk,
        "head_position": "Kepala Dinas Perumahan Rakyat",
        "filed_by": "",
        "agency": "Badan Riset Daerah",
        "new_agency_name": "Badan Riset Daerah",
        "candidate": {
            "name": "Siti Rahmawati",
            "nip": CANDIDATE_NIP,
            "email": "calon@dinas.go.id",
            "phone": "081234567890",
            "position": "Pengelola Pengadaan",
        },
        "sk_number": "800/12/DPR/2026",
        "sk_date": "2026-11-02",
        "letter_number": "",
        "waiting_since": None,
        "trained_at": None,
        "activated_at": None,
        "seats": [],
    }
    case = reg.to_training(case)
    session = reg.session()
    post(
        client, token_of(reg.admin), f"/training/sessions/{session.pk}/invitations", {"registration_ids": [shown["id"]]}
    )
    shown = get(client, token_of(reg.admin), f"/cases/{case.pk}").json()["registration"]
    assert shown["letter_number"] and shown["waiting_since"] is not None
    [seat] = shown["seats"]
    assert (seat["session_id"], seat["status"], seat["recorded_at"]) == (session.pk, "invited", None)
    assert seat["starts_at"].endswith("+08:00") and seat["title"] == session.title


def test_a_reset_case_has_no_registration_part(client, service):
    from tests.sop_factory import submit

    case = submit(service).case
    shown = get(client, token_of(service.verifier), f"/cases/{case.pk}").json()
    assert shown["registration"] is None


# -- schemathesis, with staff who train at the unit ------------------------------------------------
# tests/api/test_schemathesis.py runs every operation with a verifier who trains nowhere, so the
# training operations answer it 404. Here the token is the training lane's, and generated path
# parameters are sometimes swapped for the real unit, sessions (one to come, one started) and
# registration, so that generated bodies reach the services. The same four checks.

TRAINING = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema())),
    config=schemathesis.Config.from_dict(
        {"generation": {"max-examples": MAX_EXAMPLES, "database": "none", "deterministic": not RANDOM}}
    ),
)
TRAINING.app = APP
REAL: dict[str, list[Any]] = {}


@TRAINING.hook("flatmap_path_parameters")
def _real_training_ids(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    for name in ("unit", "session_id", "registration_id"):
        if path_parameters and name in path_parameters:
            return st.sampled_from([path_parameters, *({**path_parameters, name: v} for v in REAL[name])])
    return st.just(path_parameters)


@pytest.fixture
def training_world(reg, spse):  # type: ignore[no-untyped-def]
    registration = registration_of(reg.to_training(reg.submit()))
    trained = registration_of(to_training_in_spse(spse))
    Registration.objects.filter(pk=trained.pk).update(trained_at=timezone.now())
    REAL.update(
        unit=["uji", "spse"],
        session_id=[reg.session().pk, reg.session(hours_from_now=-1).pk],
        registration_id=[registration.pk, trained.pk],
    )
    # As in test_schemathesis: keep the test's connection across the WSGI requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield bearer(token_of(reg.admin))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        REAL.clear()


@TRAINING.include(path_regex="/training/").parametrize()
@settings(
    deadline=dt.timedelta(seconds=5), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_every_training_answer_is_documented_and_never_a_server_error(case, training_world):
    case.call_and_validate(headers=training_world, checks=CHECKS)
