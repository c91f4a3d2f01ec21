"""The console's training pages: a unit's sessions and waiting candidates, a new session (refused
input kept, problems beside the fields), invitations ticked in one list, attendance on one screen
(accounts activated, cases done, the result mailed) or from a CSV list recorded only once looked
at, the activation confirmed by hand where the accounts live in SPSE, and every refusal. On the
registration SOP of the tests (tests/registration/sop.py), whose account lane waits on training."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loket.cases.models import Case, Status
from loket.notify.models import OutboxMessage
from loket.registration import services
from loket.registration.models import Registration, TrainingSeat, TrainingSession
from tests.registration.conftest import CANDIDATE_NIP, Registering, reg
from tests.registration.sop import ADMIN, registration_sop
from tests.sop_factory import make_service

__all__ = ["reg"]  # the registration fixture (tests/registration/conftest.py)

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NIPS = [CANDIDATE_NIP, "198811302014031002", "198503152010012004"]
NAMES = ["Siti Rahmawati", "Yusuf Mandala", "Agus Salim"]


def candidates(reg: Registering, n: int = 3) -> list[Registration]:
    """`n` candidates whose accounts are created and wait on training, oldest wait first."""
    out = []
    for i in range(n):
        case = reg.to_training(
            reg.submit(nip=NIPS[i], email=f"calon{i}@dinas.go.id", candidate_name=NAMES[i]), **_user_id(reg, i)
        )
        out.append(Registration.objects.get(case=case))
    return out


def _user_id(reg: Registering, i: int) -> dict[str, str]:
    """Where the accounts live in SPSE staff type the user ID they created there."""
    return {"new_user_id": f"aa.calon{i}"} if reg.service.unit.direktori == "spse" else {}


def start(session: TrainingSession) -> None:
    """The session's time has come (attendance is recorded once it started)."""
    now = timezone.now()
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2)
    )


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the requests' documents and reply letters


@pytest.fixture
def other(db) -> Registering:
    """A second unit with its own registration SOP: its account lane plans training there only."""
    return Registering(make_service(unit="uji-lain", text=registration_sop(unit="uji-lain"), accounts=False))


@pytest.fixture
def spse(db) -> Registering:
    """A unit whose accounts live in SPSE (the assisted directory)."""
    return Registering(make_service(unit="spse", text=registration_sop(unit="spse"), direktori="spse", accounts=False))


def outsiders(reg: Registering, other: Registering) -> dict[str, object]:
    return {
        "same-unit-other-lane": reg.chief,
        "other-unit-same-lane": other.admin,
        "no-role": reg.service.no_role,
    }


OUTSIDERS = ["same-unit-other-lane", "other-unit-same-lane", "no-role"]


# -- scope -------------------------------------------------------------------------------------------


def test_the_nav_links_the_training_pages_for_who_plans_training_only(client, reg):
    client.force_login(reg.admin)
    assert f'href="{reverse("console:training")}"' in page(client.get(reverse("console:queue")))
    client.force_login(reg.chief)
    html = page(client.get(reverse("console:queue")))
    assert reverse("console:training") not in html and ">Pelatihan<" not in html


def test_one_unit_goes_straight_to_its_page_and_several_are_listed(client, reg, other):
    client.force_login(reg.admin)
    response = client.get(reverse("console:training"))
    assert response.status_code == 302 and response["Location"] == reverse("console:training_unit", args=["uji"])
    from tests.factories import staff

    both = staff("pengelola-dua-unit", "uji", ADMIN)
    both.staff_roles.create(unit=other.service.unit, role=ADMIN)
    client.force_login(both)
    html = page(client.get(reverse("console:training")))
    assert reverse("console:training_unit", args=["uji"]) in html
    assert reverse("console:training_unit", args=["uji-lain"]) in html


@pytest.mark.parametrize("who", OUTSIDERS)
def test_staff_without_the_lane_at_the_unit_get_404_everywhere(client, reg, other, spse, who):
    waiting = candidates(reg, 1)[0]
    session = reg.session()
    trained = candidates(spse, 1)[0]
    spse_session = spse.session()
    services.invite(session_id=spse_session.pk, registration_ids=[trained.pk], actor=spse.admin)
    start(spse_session)
    services.record_attendance(session_id=spse_session.pk, present_ids=[trained.pk], actor=spse.admin)
    client.force_login(outsiders(reg, other)[who])
    gets = [
        reverse("console:training_unit", args=["uji"]),
        reverse("console:training_session", args=[session.pk]),
        reverse("console:training_activation", args=[trained.pk]),
    ]
    if who != "other-unit-same-lane":  # who plans training at their own unit is sent there
        gets.append(reverse("console:training"))
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        reverse("console:training_unit", args=["uji"]): {
            "date": "2037-12-09",
            "start": "09:00",
            "end": "12:00",
            "place": "Aula",
            "capacity": "5",
        },
        reverse("console:training_invite", args=[session.pk]): {"registrations": [waiting.pk]},
        reverse("console:training_attendance", args=[session.pk]): {"present": [waiting.pk]},
        reverse("console:training_activation", args=[trained.pk]): {
            "temporary_password": "Sementara-2026!x",
            "password_set_in_spse": "1",
        },
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert TrainingSession.objects.filter(unit=reg.service.unit).count() == 1
    assert not TrainingSeat.objects.filter(registration=waiting).exists()
    trained.refresh_from_db()
    assert trained.activated_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, reg):
    session = reg.session()
    for url in (reverse("console:training"), reverse("console:training_session", args=[session.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("console:login"))


def test_the_activation_page_is_only_for_units_whose_accounts_live_in_spse(client, reg):
    registration = candidates(reg, 1)[0]
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    client.force_login(reg.admin)
    assert client.get(reverse("console:training_activation", args=[registration.pk])).status_code == 404


# -- the unit's page ------------------------------------------------------------------------------------


def test_the_unit_page_lists_sessions_in_the_units_time_and_the_waiting_candidates(client, reg):
    first, second, third = candidates(reg)
    Registration.objects.filter(pk=first.pk).update(waiting_since=timezone.now() - dt.timedelta(days=12, hours=1))
    starts = dt.datetime(2037, 12, 9, 9, 0, tzinfo=WITA)
    upcoming = services.plan_session(
        unit=reg.service.unit,
        actor=reg.admin,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="Ruang Rapat LPSE Lt. 2",
        online_url="https://meet.example.go.id/pelatihan",
        capacity=20,
    )
    services.invite(session_id=upcoming.pk, registration_ids=[third.pk], actor=reg.admin)
    past = reg.session(capacity=5)
    services.invite(session_id=past.pk, registration_ids=[second.pk], actor=reg.admin)
    start(past)
    services.record_attendance(session_id=past.pk, present_ids=[], actor=reg.admin)
    TrainingSession.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2), ends_at=timezone.now() - dt.timedelta(days=2, hours=-3)
    )

    client.force_login(reg.admin)
    response = client.get(reverse("console:training_unit", args=["uji"]))
    assert response.status_code == 200
    html = page(response)
    assert "Rabu, 9 Desember 2037 09.00–12.00 WITA" in html
    assert "1 dari 20 tempat" in html and "Ruang Rapat LPSE Lt. 2" in html
    assert 'href="https://meet.example.go.id/pelatihan"' in html
    assert "0 dari 1 diundang" in html  # the past session: nobody came
    waiting = html.split('id="menunggu"')[1].split("</table>")[0]
    # Siti waits longest; Yusuf missed a session and waits again; Agus is invited, so not listed.
    assert waiting.index("Siti Rahmawati") < waiting.index("Yusuf Mandala") and "Agus Salim" not in waiting
    assert "12 hari" in waiting and "1 sesi" in waiting
    assert reverse("console:case", args=[first.case_id]) in waiting and first.case.reference in waiting
    assert "menunggu aktivasi di SPSE" not in html  # the accounts live in Loket


def test_the_unit_page_costs_the_same_queries_for_one_waiting_candidate_or_three(client, reg):
    candidates(reg, 1)
    reg.session()
    client.force_login(reg.admin)
    url = reverse("console:training_unit", args=["uji"])
    client.get(url)  # the session's idle stamp is written on its first use
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in (1, 2):
        reg.to_training(reg.submit(nip=NIPS[i], email=f"calon{i}@dinas.go.id", candidate_name=NAMES[i]))
        reg.session(hours_from_now=48 + i)
    with CaptureQueriesContext(connection) as three:
        html = page(client.get(url))
    assert all(name in html for name in NAMES)
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


def test_a_new_session_is_planned_in_the_units_time(client, reg):
    client.force_login(reg.admin)
    response = client.post(
        reverse("console:training_unit", args=["uji"]),
        {"title": "", "date": "2037-12-09", "start": "09:00", "end": "12:00", "place": "Aula LPSE", "capacity": "25"},
    )
    session = TrainingSession.objects.get(unit=reg.service.unit)
    assert response.status_code == 302 and response["Location"] == reverse(
        "console:training_session", args=[session.pk]
    )
    assert session.starts_at == dt.datetime(2037, 12, 9, 1, 0, tzinfo=dt.UTC)
    assert session.ends_at == dt.datetime(2037, 12, 9, 4, 0, tzinfo=dt.UTC)
    assert (session.place, session.capacity, session.title) == ("Aula LPSE", 25, "Pelatihan penggunaan aplikasi SPSE")
    shown = client.get(response["Location"])
    assert "Rabu, 9 Desember 2037 09.00–12.00 WITA" in page(shown)
    assert any("Sesi pelatihan tersimpan: Rabu, 9 Desember 2037 09.00–12.00 WITA" in m for m in messages_of(shown))


def test_a_refused_session_comes_back_filled_with_each_problem_beside_its_field(client, reg):
    client.force_login(reg.admin)
    url = reverse("console:training_unit", args=["uji"])
    posted = {
        "title": "Sesi Khusus",
        "date": "2037-12-09",
        "start": "12:00",
        "end": "09:00",
        "place": "",
        "online_url": "zoom saja",
        "capacity": "0",
    }
    response = client.post(url, posted)
    assert response.status_code == 400
    html = page(response)
    assert 'id="id_end_error">Jam selesai harus sesudah jam mulai.</p>' in html
    assert 'id="id_online_url_error">Tautan daring harus alamat web yang lengkap (https://...).</p>' in html
    assert 'id="id_capacity_error">Kapasitas paling sedikit 1 peserta.</p>' in html
    for value in (
        'value="Sesi Khusus"',
        'value="2037-12-09"',
        'value="12:00"',
        'value="09:00"',
        'value="zoom saja"',
        'value="0"',
    ):
        assert value in html, value
    assert "Ada isian yang perlu diperbaiki" in html
    assert not TrainingSession.objects.exists()

    # Neither place nor link; a day that does not exist and a time that is not one.
    response = client.post(url, {"date": "31-02-2037", "start": "jam 9", "end": "12:00", "capacity": "10"})
    html = page(response)
    assert response.status_code == 400
    assert 'id="id_date_error">Tulis tanggal seperti 09-12-2026.</p>' in html
    assert 'id="id_start_error">Tulis jam seperti 09.00.</p>' in html
    assert 'id="id_place_error">Isi tempat pelatihan, tautan daring, atau keduanya.</p>' in html
    assert 'value="31-02-2037"' in html and 'value="jam 9"' in html

    # Nothing at all: the day is asked for at the day, the end at the end.
    html = page(client.post(url, {"capacity": ""}))
    assert 'id="id_date_error">Isi tanggal dan jam mulai.</p>' in html
    assert 'id="id_end_error">Isi jam selesai.</p>' in html
    assert 'id="id_capacity_error">Kapasitas paling sedikit 1 peserta.</p>' in html
    assert not TrainingSession.objects.exists()


# -- a session: invitations ----------------------------------------------------------------------------------


def test_several_candidates_are_invited_in_one_submit(client, reg):
    first, second, third = candidates(reg)
    session = reg.session()
    client.force_login(reg.admin)
    html = page(client.get(reverse("console:training_session", args=[session.pk])))
    for r in (first, second, third):
        assert f'name="registrations" value="{r.pk}"' in html
    assert "Kehadiran dapat dicatat setelah sesi dimulai" in html or "Belum ada calon yang diundang" in html

    response = client.post(
        reverse("console:training_invite", args=[session.pk]), {"registrations": [first.pk, third.pk]}, follow=True
    )
    assert response.redirect_chain == [(reverse("console:training_session", args=[session.pk]), 302)]
    assert messages_of(response) == ["2 calon diundang; undangan dan berkas kalender dikirim lewat e-mail."]
    assert sorted(session.seats.values_list("registration_id", flat=True)) == sorted([first.pk, third.pk])
    invitations = OutboxMessage.objects.filter(template="undangan-pelatihan").order_by("to")
    assert [m.to for m in invitations] == ["calon0@dinas.go.id", "calon2@dinas.go.id"]
    html = page(response)
    assert f'name="registrations" value="{second.pk}"' in html  # still waiting
    assert f'name="registrations" value="{first.pk}"' not in html
    assert "2 dari 10 tempat" in html and "Kehadiran dapat dicatat setelah sesi dimulai" in html


def test_a_full_session_names_who_was_not_invited_and_why(client, reg):
    first, second, _third = candidates(reg)
    session = reg.session(capacity=1)
    client.force_login(reg.admin)
    response = client.post(
        reverse("console:training_invite", args=[session.pk]), {"registrations": [first.pk, second.pk]}, follow=True
    )
    assert messages_of(response) == [
        "1 calon diundang; undangan dan berkas kalender dikirim lewat e-mail.",
        "Tidak diundang: Yusuf Mandala. Sesi sudah penuh (1 peserta).",
    ]
    assert 'class="warning"' in page(response)
    # Ticked again (a second tab, a double click): refused with the reason, nothing doubled.
    response = client.post(
        reverse("console:training_invite", args=[session.pk]), {"registrations": [first.pk]}, follow=True
    )
    assert messages_of(response) == [
        "Tidak diundang: Siti Rahmawati. Calon ini tidak sedang menunggu pelatihan, atau sudah diundang."
    ]
    assert session.seats.count() == 1


def test_inviting_nobody_is_refused_beside_the_list(client, reg):
    candidates(reg, 1)
    session = reg.session()
    client.force_login(reg.admin)
    response = client.post(reverse("console:training_invite", args=[session.pk]), {})
    assert response.status_code == 400
    assert "Centang paling sedikit satu calon yang diundang." in page(response)
    assert not session.seats.exists()


# -- a session: attendance ----------------------------------------------------------------------------------


def test_attendance_activates_the_present_and_puts_the_absent_back_on_the_list(client, reg):
    first, second, third = candidates(reg)
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[first.pk, second.pk, third.pk], actor=reg.admin)
    client.force_login(reg.admin)
    html = page(client.get(reverse("console:training_session", args=[session.pk])))
    assert 'name="present"' not in html and "Kehadiran dapat dicatat setelah sesi dimulai" in html
    start(session)
    html = page(client.get(reverse("console:training_session", args=[session.pk])))
    for r in (first, second, third):
        assert f'name="present" value="{r.pk}"' in html
    assert 'name="registrations"' not in html  # no invitations to a session under way

    response = client.post(
        reverse("console:training_attendance", args=[session.pk]), {"present": [first.pk, third.pk]}, follow=True
    )
    assert messages_of(response) == ["2 hadir, 1 tidak hadir; 2 akun diaktifkan dan informasi akun dikirim."]
    statuses = dict(Case.objects.filter(registration__in=[first, second, third]).values_list("pk", "status"))
    assert statuses == {first.case_id: Status.DONE, second.case_id: Status.TRAINING, third.case_id: Status.DONE}
    assert sorted(OutboxMessage.objects.filter(template="akun-dibuat").values_list("to", flat=True)) == [
        "calon0@dinas.go.id",
        "calon2@dinas.go.id",
    ]
    assert TrainingSeat.objects.get(registration=second).status == TrainingSeat.Status.ABSENT
    html = page(response)
    assert "sudah dicatat" in html and 'name="present"' not in html
    waiting = page(client.get(reverse("console:training_unit", args=["uji"]))).split('id="menunggu"')[1]
    assert "Yusuf Mandala" in waiting.split("</table>")[0] and "1 sesi" in waiting.split("</table>")[0]


def test_a_request_withdrawn_since_its_invitation_is_shown_and_not_offered_for_attendance(client, reg):
    from loket.cases.codes import new_tracking_code, tracking_digest
    from loket.cases.services import withdraw_request

    kept, gone = candidates(reg, 2)
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[kept.pk, gone.pk], actor=reg.admin)
    code = new_tracking_code()
    Case.objects.filter(pk=gone.case_id).update(tracking_digest=tracking_digest(code))
    withdraw_request(tracking_code=code, reason="calon pindah tugas")
    start(session)
    client.force_login(reg.admin)
    html = page(client.get(reverse("console:training_session", args=[session.pk])))
    assert f'name="present" value="{kept.pk}"' in html and f'name="present" value="{gone.pk}"' not in html
    assert "diundang · dibatalkan pemohon" in html
    response = client.post(
        reverse("console:training_attendance", args=[session.pk]), {"present": [kept.pk, gone.pk]}, follow=True
    )
    assert messages_of(response) == ["1 hadir, 0 tidak hadir; 1 akun diaktifkan dan informasi akun dikirim."]
    assert 'name="present"' not in page(response)  # nothing left to record: no form again


def test_attendance_before_the_session_starts_records_nothing(client, reg):
    registration = candidates(reg, 1)[0]
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    client.force_login(reg.admin)
    response = client.post(
        reverse("console:training_attendance", args=[session.pk]), {"present": [registration.pk]}, follow=True
    )
    assert messages_of(response) == ["Kehadiran dicatat setelah sesi dimulai."]
    assert TrainingSeat.objects.get(registration=registration).status == TrainingSeat.Status.INVITED
    registration.case.refresh_from_db()
    assert registration.case.status == Status.TRAINING


def test_an_attendance_list_with_bad_rows_is_reported_and_recorded_only_once_confirmed(client, reg):
    first, second, _third = candidates(reg)
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[first.pk, second.pk], actor=reg.admin)
    start(session)
    client.force_login(reg.admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (
        f"nip;email;hadir\n{CANDIDATE_NIP};;hadir\n199001012015011001;;hadir\n;calon1@dinas.go.id;mungkin\n"
    ).encode()
    response = client.post(
        reverse("console:training_attendance_csv", args=[session.pk]),
        {"file": SimpleUploadedFile("hadir.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 200
    html = page(response)
    report = html.split("Hasil pembacaan daftar hadir")[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>\s*<td[^>]*>(\d+)</td>", report)
    assert rows == ["2", "3", "4"]
    assert "tidak ada calon dengan NIP/e-mail ini di undangan sesi ini" in report
    assert "isi kolom hadir tidak dikenal: mungkin" in report
    assert "Belum ada yang dicatat" in html
    # The confirmation form is ticked as the list says: Siti present, Yusuf (a row refused) not.
    assert re.search(rf'name="present" value="{first.pk}"[^>]*checked', html)
    assert not re.search(rf'name="present" value="{second.pk}"[^>]*checked', html)
    assert f'action="{reverse("console:training_attendance", args=[session.pk])}"' in html
    assert set(session.seats.values_list("status", flat=True)) == {TrainingSeat.Status.INVITED}
    session.refresh_from_db()
    assert session.attendance_recorded_at is None and not OutboxMessage.objects.filter(template="akun-dibuat")

    response = client.post(
        reverse("console:training_attendance", args=[session.pk]), {"present": [first.pk]}, follow=True
    )
    assert messages_of(response) == ["1 hadir, 1 tidak hadir; 1 akun diaktifkan dan informasi akun dikirim."]
    first.case.refresh_from_db()
    assert first.case.status == Status.DONE


def test_an_attendance_list_without_its_columns_is_refused_beside_the_file(client, reg):
    registration = candidates(reg, 1)[0]
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    start(session)
    client.force_login(reg.admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("console:training_attendance_csv", args=[session.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.csv", b"nama,status\nSiti,datang\n")})
    assert response.status_code == 400
    assert 'id="id_file_error">Daftar hadir harus punya kolom `hadir` dan kolom `nip` atau `email`' in page(response)
    response = client.post(url, {})
    assert 'id="id_file_error">Pilih berkas daftar hadir (CSV).</p>' in page(response)
    assert TrainingSeat.objects.get(registration=registration).status == TrainingSeat.Status.INVITED


# -- where the accounts live in SPSE ---------------------------------------------------------------------------


def shown_password(html: str) -> str:
    found = re.search(r'name="temporary_password" value="([^"]+)"', html)
    assert found, "no temporary password offered"
    return found.group(1)


def test_where_accounts_live_in_spse_staff_confirm_the_activation_with_the_password_set_there(client, spse):
    registration = candidates(spse, 1)[0]
    session = spse.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=spse.admin)
    start(session)
    client.force_login(spse.admin)
    response = client.post(
        reverse("console:training_attendance", args=[session.pk]), {"present": [registration.pk]}, follow=True
    )
    assert messages_of(response) == [
        "1 hadir, 0 tidak hadir; 1 akun menunggu diaktifkan di SPSE (lihat daftar di halaman pelatihan)."
    ]
    activation_url = reverse("console:training_activation", args=[registration.pk])
    assert activation_url in page(response)  # from the seat's row
    unit_page = page(client.get(reverse("console:training_unit", args=["spse"])))
    awaiting = unit_page.split('id="aktivasi"')[1].split("</table>")[0]
    assert "Siti Rahmawati" in awaiting and "aa.calon0" in awaiting and activation_url in awaiting

    shown = client.get(activation_url)
    assert "no-store" in shown["Cache-Control"]
    html = page(shown)
    password = shown_password(html)
    assert 'data-copy-target="f-temporary_password"' in html and "web/copy.js" in html
    assert "Akun sudah diaktifkan dan password sementara diatur di SPSE" in html

    # Without the tick nothing is saved; the same password is offered again, beside the message.
    refused = client.post(activation_url, {"temporary_password": password})
    assert refused.status_code == 400
    html = page(refused)
    assert shown_password(html) == password
    assert 'id="f-password_set_in_spse-error" role="alert">Centang bahwa akun sudah diaktifkan' in html
    # A password SPSE would not take is refused beside the password, as typed.
    weak = page(client.post(activation_url, {"temporary_password": "pendek", "password_set_in_spse": "1"}))
    assert shown_password(weak) == "pendek" and 'id="f-temporary_password-error"' in weak
    assert re.search(r'name="password_set_in_spse" value="1" checked', weak)
    registration.case.refresh_from_db()
    assert registration.case.status == Status.TRAINING

    done = client.post(activation_url, {"temporary_password": password, "password_set_in_spse": "1"}, follow=True)
    assert done.redirect_chain == [(reverse("console:training_unit", args=["spse"]), 302)]
    assert messages_of(done) == [
        "Aktivasi akun aa.calon0 tercatat. Informasi akun dan password sementara dikirim kepada Siti Rahmawati "
        "melalui tautan sekali pakai."
    ]
    registration.case.refresh_from_db()
    assert registration.case.status == Status.DONE
    mail = OutboxMessage.objects.get(case=registration.case, template="akun-dibuat")
    assert mail.to == "calon0@dinas.go.id" and mail.secret_link and password not in mail.body
    assert "Tidak ada akun yang menunggu aktivasi di SPSE." in page(done)
    assert client.get(activation_url).status_code == 404  # done: nothing left to confirm


def test_two_staff_never_set_two_passwords_for_one_activation(client, spse):
    from tests.factories import staff as make_staff
    from tests.registration.sop import ADMIN

    registration = candidates(spse, 1)[0]
    session = spse.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=spse.admin)
    start(session)
    services.record_attendance(session_id=session.pk, present_ids=[registration.pk], actor=spse.admin)
    colleague = make_staff("spse-rekan", "spse", ADMIN)
    activation_url = reverse("console:training_activation", args=[registration.pk])
    client.force_login(spse.admin)
    password = shown_password(page(client.get(activation_url)))
    other = type(client)()
    other.force_login(colleague)
    held = other.get(activation_url)
    assert held.status_code == 409
    assert "sedang mengaktifkan akun ini" in page(held) and 'name="temporary_password"' not in page(held)
    # The colleague's submit (an old tab, say) is refused; the holder's goes through.
    refused = other.post(activation_url, {"temporary_password": "Lain-2026!xyz", "password_set_in_spse": "1"})
    assert refused.status_code == 409
    registration.case.refresh_from_db()
    assert registration.case.status == Status.TRAINING
    client.post(activation_url, {"temporary_password": password, "password_set_in_spse": "1"})
    registration.case.refresh_from_db()
    assert registration.case.status == Status.DONE


def test_a_candidate_who_comes_late_is_invited_to_the_session_under_way_and_recorded(client, reg):
    late = candidates(reg, 1)[0]
    session = reg.session()
    start(session)
    client.force_login(reg.admin)
    url = reverse("console:training_session", args=[session.pk])
    html = page(client.get(url))
    assert 'class="card invite-form"' in html and late.candidate_name in html
    client.post(reverse("console:training_invite", args=[session.pk]), {"registrations": [late.pk]})
    html = page(client.get(url))
    assert 'class="card attendance-form"' in html
    client.post(reverse("console:training_attendance", args=[session.pk]), {"present": [late.pk]})
    late.case.refresh_from_db()
    assert late.case.status == Status.DONE
    TrainingSession.objects.filter(pk=session.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    assert 'class="card invite-form"' not in page(client.get(url))  # over: no more invitations
