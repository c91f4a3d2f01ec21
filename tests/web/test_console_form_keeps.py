"""The console's decision form keeps what was given (issue 11, point 6): after a refused submit
every answer, tick, note, chosen account and typed value comes back as the staff member posted
it, with the error at its step, and nothing is saved. On the test SOP (tests/sop_factory.py):
step 2 checks completeness (its field ticks the missing documents), step 5 the validity (its field
chooses the directory account where the case has none)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from loket.cases.models import Status
from tests.sop_factory import BERKAS, Berkas, make_service, submit

pytestmark = pytest.mark.django_db


def _input(page: str, name: str, value: str) -> str:
    """The one input tag of that name and value."""
    found = re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="{re.escape(value)}"[^>]*>', page)
    assert len(found) == 1, found
    return found[0]


def _option(page: str, value: str) -> str:
    found = re.findall(rf'<option value="{re.escape(value)}"[^>]*>', page)
    assert len(found) == 1, found
    return found[0]


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return found.group(1)


def test_the_missing_ticks_answer_and_note_come_back_after_an_error(client, service):
    case = submit(service).case  # both documents handed in: a fresh page ticks none
    client.force_login(service.verifier)
    url = reverse("console:case", args=[case.pk])
    fresh = client.get(url).content.decode()
    assert " checked" not in _input(fresh, "missing", "sk-penunjukan")

    response = client.post(
        url,
        {"version": case.version, "jawaban-2": "tidak", "missing": ["sk-penunjukan"], "catatan-2": "SK\x00 buram"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    # The error is at step 2, whose note holds the control character.
    step = page[page.index('id="langkah-2"') : page.index("</fieldset>", page.index('id="langkah-2"'))]
    assert "karakter kontrol" in step
    # What was ticked stays ticked, what was not stays unticked, the answer and the note are kept.
    assert " checked" in _input(page, "missing", "sk-penunjukan")
    assert " checked" not in _input(page, "missing", "surat-pengajuan")
    assert " checked" in _input(page, "jawaban-2", "tidak")
    assert "SK" in _textarea(page, "catatan-2") and "buram" in _textarea(page, "catatan-2")
    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.OPEN, 2)  # nothing saved


def test_unticking_a_document_not_handed_in_is_kept_too(client):
    # An optional document not handed in: a fresh page ticks it as missing; the staff member
    # unticks it (they judge it not needed) and ticks the SK instead.
    service = make_service(berkas=(*BERKAS, Berkas("surat-kuasa", "Surat kuasa", wajib=False)))
    case = submit(service, files=service.files(**{"surat-kuasa": None})).case
    client.force_login(service.verifier)
    url = reverse("console:case", args=[case.pk])
    fresh = client.get(url).content.decode()
    assert " checked" in _input(fresh, "missing", "surat-kuasa")
    assert " checked" not in _input(fresh, "missing", "sk-penunjukan")

    response = client.post(
        url,
        {"version": case.version, "jawaban-2": "tidak", "missing": ["sk-penunjukan"], "catatan-2": "Tidak\x07 jelas"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert " checked" not in _input(page, "missing", "surat-kuasa")
    assert " checked" in _input(page, "missing", "sk-penunjukan")


def test_the_chosen_account_and_phone_note_come_back_after_a_refusal_without_reason(client, service):
    # A user ID the directory does not know: the case has no account, and the page offers the
    # directory's records of the same name.
    case = submit(service, user_id="rina.lama").case
    assert case.account is None
    client.force_login(service.verifier)
    url = reverse("console:case", args=[case.pk])
    fresh = client.get(url).content.decode()
    assert " selected" not in _option(fresh, str(service.account.pk))

    response = client.post(
        url,
        {
            "version": case.version,
            "jawaban-2": "ya",
            "jawaban-5": "tidak",
            "account_id": str(service.account.pk),
            "phone_confirmation": "Ditelepon pukul 9",
            "email_confirmed_by_phone": "1",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    step = page[page.index('id="langkah-5"') : page.index("</fieldset>", page.index('id="langkah-5"'))]
    assert "Tulis alasan penolakan" in step
    assert " selected" in _option(page, str(service.account.pk))
    assert " checked" in _input(page, "jawaban-2", "ya")
    assert " checked" in _input(page, "jawaban-5", "tidak")
    assert " checked" in _input(page, "email_confirmed_by_phone", "1")
    assert _textarea(page, "phone_confirmation") == "Ditelepon pukul 9"
    case.refresh_from_db()
    assert case.account is None and case.current_step == 2
