"""A unit whose accounts live in SPSE (the assisted directory): the Admin Agency sets the temporary
password in SPSE by hand, Loket shows it once, takes the confirmation, delivers it by the one-time
link over real SMTP and keeps no copy of it in clear; the user ID comes from the imported directory
or is typed by staff. On a test SOP of a test unit (tests/sop_factory.py), whose one agency-scoped
lane does the checks and the reset: the assisted directory is not about one built-in SOP."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from loket.audit.models import AuditEntry
from loket.cases.models import Case, Status
from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from loket.units.models import Unit
from loket.units.services import UnitRefused, save_unit
from tests.api.conftest import API, bearer
from tests.cases.test_end_to_end import every_text_in_the_database, link_from, reveal
from tests.sop_factory import AGENCIES, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def assisted(service):
    save_unit(actor=None, kode="uji", nama=None, zona_waktu=None, jam_kerja=None, direktori="spse", update=True)
    return Unit.objects.get(kode="uji")


def shown_password(page: str) -> str:
    match = re.search(r'name="temporary_password" value="([^"]+)"', page)
    assert match, "the case page offers no temporary password"
    return match.group(1)


def reset_answers(case: Case, password: str, *, set_in_spse: bool = True, **more: str) -> dict[str, str]:
    """The console's answers to steps 2, 5 and 6 of an assisted reset with this temporary password,
    ticked as set in SPSE unless `set_in_spse` is false; `more` adds or overrides fields."""
    answers = {"version": case.version, "jawaban-2": "ya", "jawaban-5": "ya", "jawaban-6": "lanjut"}
    answers["temporary_password"] = password
    if set_in_spse:
        answers["password_set_in_spse"] = "1"
    return answers | more


def test_the_admin_agency_sets_the_password_in_spse_and_loket_delivers_it(
    client, service, assisted, smtp_server, settings
):
    settings.LOKET_BASE_URL = "http://testserver"
    holder = service.account
    old_hash = holder.password
    case = submit(service).case
    client.force_login(service.verifier)

    page = client.get(reverse("console:case", args=[case.pk]))
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    # One page: the checks and the reset done by hand, the password shown with a copy button.
    assert 'name="jawaban-2"' in html and 'name="jawaban-5"' in html and 'name="jawaban-6"' in html
    password = shown_password(html)
    assert "data-copy-target" in html and "sudah saya atur di SPSE" in html
    # Step 6 is answered by the confirmation itself: no second "done" button saying the same.
    assert 'type="hidden" name="jawaban-6" value="lanjut"' in html
    # Shown once: the next look offers another one.
    assert shown_password(client.get(reverse("console:case", args=[case.pk])).content.decode()) != password

    decided = client.post(reverse("console:case", args=[case.pk]), reset_answers(case, password))
    assert decided.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DONE
    reset = case.steps.get(step=6)
    # The reset is the Admin Agency's own step, measured against its standard like any other.
    assert (reset.by, reset.actor, reset.answer) == ("staf", service.verifier, "lanjut")
    assert reset.working_minutes is not None and reset.detail["diatur_manual"] is True
    # Loket changed nothing in its mirror of the account: the password lives in SPSE.
    holder.refresh_from_db()
    assert holder.password == old_hash and holder.must_change_password is False
    assert password not in every_text_in_the_database()

    call_command("worker", "--once")
    result = next(m for m in smtp_server.wait_for(2) if "/akun/tautan/" in m.body)
    assert result.envelope_to == [holder.email] == ["ppk.dpr@uji.go.id"]
    assert "diatur petugas di SPSE" in result.body and "saat pertama kali masuk" in result.body
    assert password not in result.body
    revealed = reveal(client, link_from(result.body))
    assert revealed.status_code == 200
    assert password in revealed.content.decode() and "ppk.dpr.uji" in revealed.content.decode()
    assert password not in every_text_in_the_database()

    # The holder signs in at SPSE, not at Loket's stand-in.
    signed_in = client.post(reverse("akun:masuk"), {"unit": "uji", "user_id": "ppk.dpr.uji", "password": password})
    assert "salah" in signed_in.content.decode()


def test_the_reset_waits_until_staff_confirm_it_is_set_and_the_password_meets_spse_rule(client, service, assisted):
    case = submit(service).case
    client.force_login(service.verifier)
    password = shown_password(client.get(reverse("console:case", args=[case.pk])).content.decode())

    unconfirmed = client.post(
        reverse("console:case", args=[case.pk]), reset_answers(case, password, set_in_spse=False) | {"catatan-5": "ok"}
    )
    assert unconfirmed.status_code == 400
    page = unconfirmed.content.decode()
    # The error stands at step 6, the answers and notes given are kept.
    step6 = page[page.index('id="langkah-6"') :]
    assert 'class="has-error"' in page[page.index('id="langkah-6"') - 40 : page.index('id="langkah-6"')]
    assert "sudah diatur di SPSE" in step6[: step6.index("</fieldset>")]
    assert 'value="ya" checked' in page and ">ok</textarea>" in page
    # The password the staff member may already have set is offered again, not a new one.
    assert shown_password(page) == password

    weak = client.post(reverse("console:case", args=[case.pk]), reset_answers(case, "rahasia"))
    assert weak.status_code == 400 and "huruf besar" in weak.content.decode()

    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.OPEN, 2)  # nothing of the three was saved
    assert not OutboxMessage.objects.filter(case=case, template="hasil-password").exists()


def test_a_user_id_request_needs_no_password_in_an_assisted_unit(client, service, assisted):
    case = submit(service, need="user-id").case
    client.force_login(service.verifier)
    html = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'name="jawaban-6"' not in html and 'name="temporary_password"' not in html
    client.post(
        reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-2": "ya", "jawaban-5": "ya"}
    )
    case.refresh_from_db()
    assert case.status == Status.DONE
    assert case.steps.get(step=6).by == "sistem"
    mail = OutboxMessage.objects.get(case=case, template="hasil-user-id")
    assert "ppk.dpr.uji" in mail.body


def test_an_account_only_in_spse_is_recorded_from_the_user_id_staff_type(client, service, assisted):
    case = submit(service, user_id="", nip="199001012015032001", name="Dewi Lestari", email="dewi@perumahan.go.id").case
    assert case.account is None
    client.force_login(service.verifier)
    password = shown_password(client.get(reverse("console:case", args=[case.pk])).content.decode())
    answers = reset_answers(case, password, user_id="dewi.dpr")
    # With no record to compare, the typed address must have been confirmed by phone.
    unconfirmed = client.post(reverse("console:case", args=[case.pk]), answers)
    assert unconfirmed.status_code == 400 and "telepon" in unconfirmed.content.decode()
    assert not Account.objects.filter(user_id="dewi.dpr").exists()

    confirmed = {**answers, "phone_confirmation": "Ditelepon 0812..., e-mail benar", "email_confirmed_by_phone": "1"}
    assert client.post(reverse("console:case", args=[case.pk]), confirmed).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DONE and case.account.user_id == "dewi.dpr"
    assert case.account.email == "dewi@perumahan.go.id" and case.account.agency == service.account.agency
    assert OutboxMessage.objects.get(case=case, template="hasil-password").to == "dewi@perumahan.go.id"


def test_the_api_asks_for_the_same_fields_and_runs_the_assisted_reset(client, service, assisted, tokens):
    case = submit(service).case
    token = tokens["verifier"]
    body = client.get(f"{API}/cases/{case.pk}", headers=bearer(token)).json()
    assert [(a["step"], a["fields"]) for a in body["answerable"]] == [
        (2, ["missing"]),
        (5, ["account_id", "user_id", "phone_confirmation", "email_confirmed_by_phone"]),
        (6, ["temporary_password", "password_set_in_spse"]),
    ]
    decision = {
        "version": body["version"],
        "answers": [{"step": 2, "answer": "ya"}, {"step": 5, "answer": "ya"}, {"step": 6, "answer": "lanjut"}],
        "temporary_password": "Spse-Baru-2026!",
    }
    refused = client.post(
        f"{API}/cases/{case.pk}/decisions", data=decision, content_type="application/json", headers=bearer(token)
    )
    assert refused.status_code == 400 and "password_set_in_spse" in refused.json()["problems"]
    decision["password_set_in_spse"] = True
    done = client.post(
        f"{API}/cases/{case.pk}/decisions", data=decision, content_type="application/json", headers=bearer(token)
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done" and done.json()["applied"] == [2, 5, 6]
    assert "Spse-Baru-2026!" not in every_text_in_the_database()
    assert AuditEntry.objects.filter(case=case, action="account.password_reset_or_looked_up").count() == 1


def test_a_local_unit_still_resets_by_itself(client, service):
    case = submit(service).case
    client.force_login(service.verifier)
    html = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'name="temporary_password"' not in html and 'name="jawaban-6"' not in html
    assert Case.objects.get(pk=case.pk).steps.count() == 2


@pytest.fixture
def tokens(service):
    from loket.staff.services import create_api_token

    return {"verifier": create_api_token(actor=None, user=service.verifier)[1]}


def test_staff_tie_a_case_only_to_an_account_of_its_agency(client, service, assisted):
    """A verifier of one agency cannot tie the case to another agency's account, by choosing it
    or by typing its user ID, and so cannot send that account's password anywhere."""
    other = service.accounts[AGENCIES[1]]
    case = submit(service, user_id="", nip="199001012015032001", name="Dewi Lestari", email="dewi@gmail.com").case
    client.force_login(service.verifier)
    password = shown_password(client.get(reverse("console:case", args=[case.pk])).content.decode())
    answers = reset_answers(case, password, phone_confirmation="Ditelepon", email_confirmed_by_phone="1")
    for given in ({"user_id": other.user_id.upper()}, {"account_id": str(other.pk)}):
        refused = client.post(reverse("console:case", args=[case.pk]), {**answers, **given})
        assert refused.status_code == 400 and "milik instansi lain" in refused.content.decode()
    case.refresh_from_db()
    assert case.account is None and case.status == Status.OPEN
    assert not OutboxMessage.objects.filter(case=case, template="hasil-password").exists()


def test_a_typed_user_id_records_nothing_where_accounts_live_in_loket(client, service, tokens):
    """In a unit with Loket's own directory a user ID is not staff's to type: the API ignores it
    and no account is made (registration is its own service)."""
    case = submit(service, user_id="", nip="199001012015032001", name="Dewi Lestari", email="dewi@gmail.com").case
    decision = {
        "version": client.get(f"{API}/cases/{case.pk}", headers=bearer(tokens["verifier"])).json()["version"],
        "answers": [{"step": 2, "answer": "ya"}, {"step": 5, "answer": "ya"}],
        "user_id": "dewi.baru",
        "phone_confirmation": "Ditelepon",
        "email_confirmed_by_phone": True,
    }
    refused = client.post(
        f"{API}/cases/{case.pk}/decisions",
        data=decision,
        content_type="application/json",
        headers=bearer(tokens["verifier"]),
    )
    assert refused.status_code == 400 and "account_id" in refused.json()["problems"]
    assert not Account.objects.filter(user_id="dewi.baru").exists()
    case.refresh_from_db()
    assert (
        case.status == Status.OPEN and not OutboxMessage.objects.filter(case=case, template="hasil-password").exists()
    )


def test_the_directory_cannot_switch_under_a_case_waiting_for_its_password(client, service, assisted):
    case = submit(service).case
    client.force_login(service.verifier)
    # Checks answered, the reset by hand still to do: the case waits at step 6 for a person.
    client.post(reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-2": "ya"})
    case.refresh_from_db()
    client.post(reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-5": "ya"})
    case.refresh_from_db()
    assert case.current_step == 6
    with pytest.raises(UnitRefused, match="menunggu langkah pengaturan password"):
        save_unit(actor=None, kode="uji", nama=None, zona_waktu=None, jam_kerja=None, direktori="lokal", update=True)
    assert Unit.objects.get(kode="uji").direktori == "spse"


def test_reinstalling_the_built_ins_keeps_a_unit_set_to_spse(installed):
    from loket.catalog.services import install_builtin

    save_unit(actor=None, kode="kaltim", nama=None, zona_waktu=None, jam_kerja=None, direktori="spse", update=True)
    install_builtin()
    assert Unit.objects.get(kode="kaltim").direktori == "spse"
    assert Unit.objects.get(kode="magelang").direktori == "lokal"


def test_two_staff_are_never_offered_a_password_for_the_same_request_at_once(client, service, assisted, tokens):
    """Two verifiers of one agency open the same case: only the first is offered a password to set
    in SPSE; the second is told who is doing it, and neither the console nor the API lets them set
    another one until the first has saved or the claim has lapsed."""
    from tests.factories import staff
    from tests.sop_factory import VERIFIER

    second = staff("verifikator-kedua", "uji", VERIFIER, AGENCIES[0])
    case = submit(service).case
    client.force_login(service.verifier)
    first_page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    password = shown_password(first_page)

    other = Client()
    other.force_login(second)
    page = other.get(reverse("console:case", args=[case.pk])).content.decode()
    assert f"{service.verifier.get_username()} sedang mengerjakan permohonan ini" in page
    assert 'name="temporary_password"' not in page and 'name="jawaban-2"' not in page

    from loket.staff.services import create_api_token

    token = create_api_token(actor=None, user=second)[1]
    version = client.get(f"{API}/cases/{case.pk}", headers=bearer(token)).json()["version"]
    refused = client.post(
        f"{API}/cases/{case.pk}/decisions",
        data={
            "version": version,
            "answers": [{"step": 2, "answer": "ya"}, {"step": 5, "answer": "ya"}, {"step": 6, "answer": "lanjut"}],
            "temporary_password": "Lain-Sekali-2026!",
            "password_set_in_spse": True,
        },
        content_type="application/json",
        headers=bearer(token),
    )
    assert refused.status_code == 409 and service.verifier.get_username() in refused.json()["detail"]

    done = client.post(reverse("console:case", args=[case.pk]), reset_answers(case, password))
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DONE and case.password_claimed_by is None


def test_a_claim_left_unsaved_lapses(client, service, assisted, settings):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import staff
    from tests.sop_factory import VERIFIER

    second = staff("verifikator-kedua", "uji", VERIFIER, AGENCIES[0])
    case = submit(service).case
    client.force_login(service.verifier)
    client.get(reverse("console:case", args=[case.pk]))
    Case.objects.filter(pk=case.pk).update(
        password_claimed_at=timezone.now() - dt.timedelta(minutes=settings.LOKET_PASSWORD_CLAIM_MINUTES + 1)
    )
    other = Client()
    other.force_login(second)
    assert shown_password(other.get(reverse("console:case", args=[case.pk])).content.decode())
    assert Case.objects.get(pk=case.pk).password_claimed_by == second


def test_a_note_with_control_characters_is_refused_with_a_field_error(client, service, tokens):
    case = submit(service).case
    body = client.get(f"{API}/cases/{case.pk}", headers=bearer(tokens["verifier"])).json()
    refused = client.post(
        f"{API}/cases/{case.pk}/decisions",
        data={"version": body["version"], "answers": [{"step": 2, "answer": "tidak", "note": "SK\x00buram"}]},
        content_type="application/json",
        headers=bearer(tokens["verifier"]),
    )
    assert refused.status_code == 400 and "note-2" in refused.json()["problems"]
    case.refresh_from_db()
    assert case.current_step == 2
