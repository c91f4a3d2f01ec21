"""At 390 px (a phone) no page scrolls sideways and every button, field and navigation link is
at least 44 px high (a finger's target): the portal, the SOP catalogue and each built-in
SOP's page, the sign-ins, and the console's work queue, case page, outbox and lanes. The
counter's pages and the rest (receipt, status, account, training, mailbox, reports, deviations,
survey, Standar Pelayanan) are checked the same way, with axe, in test_more_pages_width_and_axe.py.
A wide table may scroll inside its own frame (`.table-scroll`); the page itself may not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loket.catalog.selectors import latest_versions
from tests.factories import PASSWORD, pdf_bytes
from tests.sop_factory import make_service, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")
# What sticks out of the page (not inside a scrolling frame), for the failure message.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll'))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


# Buttons, fields and the navigation's links smaller than a finger (44 px), for the message.
SMALL = """() => [...document.querySelectorAll(
    'main button, main select, main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), '
    + 'header.top a, header.top select, .console-nav a, .console-nav button, .account-nav a, .counter-links a')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 43.5)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' "' + (e.textContent || e.name || '').trim().slice(0, 20)
                   + '" ' + Math.round(e.getBoundingClientRect().height))"""


def _fits(page, url: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (url, width, page.evaluate(WIDE))
    assert page.evaluate(SMALL) == [], url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SHOTS / f"phone{re.sub(r'[^a-z0-9]+', '-', url.split('//', 1)[1].split('/', 1)[1])}.png"),
        full_page=True,
    )


def test_every_public_page_fits_a_phone(live_server, browser, installed):
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    base = live_server.url
    urls = ["/", "/permohonan/", "/permohonan/status/", "/antrian/tiket/", "/sop/", "/akun/masuk/", "/konsol/masuk/"]
    for version in latest_versions():
        urls += [f"/permohonan/?unit={version.unit.kode}", f"/permohonan/{version.unit.kode}/{version.kode}/"]
        urls.append(f"/sop/{version.kode}/")
    for url in dict.fromkeys(urls):
        _fits(page, base + url)
    context.close()


def test_the_console_fits_a_phone(live_server, browser, db):
    service = make_service()
    case = submit(
        service, files=[("surat-pengajuan", "surat.pdf", pdf_bytes()), ("sk-penunjukan", "sk.pdf", pdf_bytes())]
    ).case
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root-hp", password=PASSWORD)
    base = live_server.url
    for username, urls in (
        (service.verifier.get_username(), ["/konsol/", f"/konsol/kasus/{case.pk}/"]),
        ("root-hp", ["/konsol/kotak-keluar/", "/konsol/pelaksana/"]),
    ):
        context = browser.new_context(viewport=PHONE, locale="id-ID")
        page = context.new_page()
        page.goto(f"{base}/konsol/masuk/")
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(f"{base}/konsol/")
        for url in urls:
            _fits(page, base + url)
        context.close()
