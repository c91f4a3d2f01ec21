"""The portal's request form renders a fresh form's fields once per process (a cached fragment,
keyed by the SOP version, the unit's agencies, the language and the file limit): what a visitor
sees must still follow each of those, and nothing of one visitor may reach another. And a submit
writes the browser's session row once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from loket.directory.models import Agency
from tests.web.test_portal import FORM_URL, form_token, request_data

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"')


def fresh_form(**headers: str) -> str:
    return Client(**headers).get(FORM_URL).content.decode()


def test_two_visitors_see_the_same_form_each_with_its_own_tokens(service):
    first, second = fresh_form(), fresh_form()
    assert TOKENS.sub("", first) == TOKENS.sub("", second)
    token = re.compile(r'name="form_token" value="([^"]+)"')
    assert token.findall(first) != token.findall(second)
    assert len(token.findall(first)) == 1


def test_an_agency_added_or_renamed_shows_on_the_next_fresh_form(service):
    assert "Dinas Kelautan" not in fresh_form()
    Agency.objects.create(unit=service.unit, name="Dinas Kelautan")
    assert "Dinas Kelautan" in fresh_form()
    Agency.objects.filter(name="Dinas Kelautan").update(name="Dinas Kelautan dan Perikanan")
    assert "Dinas Kelautan dan Perikanan" in fresh_form()


def test_each_language_gets_its_own_fields(service):
    assert "Identitas pemohon" in fresh_form()
    english = fresh_form(HTTP_ACCEPT_LANGUAGE="en")
    assert "Requester&#x27;s identity" in english or "Requester's identity" in english
    assert "Identitas pemohon" not in english
    assert "Identitas pemohon" in fresh_form()


def test_the_file_limit_shown_follows_the_setting(service):
    assert "paling besar 5,0\xa0MB" in fresh_form()
    with override_settings(LOKET_UPLOAD_MAX_BYTES=2 * 1024 * 1024):
        page = fresh_form()
    assert "paling besar 2,0\xa0MB" in page and "5,0\xa0MB" not in page


def test_a_refused_submit_shows_the_typed_values_and_problems_not_a_fresh_form(client, service):
    fresh_form()  # the fresh fields are cached now
    response = client.post(FORM_URL, request_data(service, form_token(client), email="bukan-alamat"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Rina Kartika"' in page and "e-mail tidak valid" in page
    assert "Pilih kembali setiap berkas" in page


def test_a_submit_writes_the_session_row_once(client, service):
    token = form_token(client)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(FORM_URL, request_data(service, token))
    assert response.status_code == 302
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
    assert len(writes) == 1
    # and the session kept what the write put there: the receipt shows the code once
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b", page)
