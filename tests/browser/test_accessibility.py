"""axe-core (from the npm registry, installed by `make test`) on the pages people use: the portal,
the SOP catalogue, the sign-ins, the console's queue, case page, outbox and lanes, the front
office, the counter and the board (at 1280 px; the other pages, at 390 px, are in
test_more_pages_width_and_axe.py). No serious or critical violation is allowed; the test names
each one it finds (rule, impact, the elements)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loket.catalog.selectors import latest_versions
from loket.counter import services as counter_services
from loket.counter.models import Board
from tests.factories import PASSWORD, pdf_bytes, staff
from tests.sop_factory import make_service, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(os.environ.get("LOKET_AXE", Path(__file__).parents[2] / ".venv/node/node_modules/axe-core/axe.min.js"))
WIDE = {"width": 1280, "height": 900}


def _context(browser):  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run `make test` (it installs axe-core from npm)")
    # axe is injected as a script of the test, not of the page: the page's CSP does not apply to it.
    return browser.new_context(viewport=WIDE, locale="id-ID", bypass_csp=True)


def _violations(page, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""
    )
    return [f"{url}: {v}" for v in found]


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")


def test_public_pages_have_no_serious_violation(live_server, browser, installed):
    context = _context(browser)
    page = context.new_page()
    # The check itself finds what it must: an image without alt text is critical.
    page.goto(live_server.url + "/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\\'/x.png\\'>')")
    page.add_script_tag(path=str(AXE))
    assert "image-alt" in page.evaluate("async () => (await axe.run()).violations.map(v => v.id)")
    urls = ["/", "/permohonan/", "/permohonan/status/", "/antrian/tiket/", "/sop/", "/akun/masuk/", "/konsol/masuk/"]
    for version in latest_versions():
        urls += [f"/permohonan/{version.unit.kode}/{version.kode}/", f"/sop/{version.kode}/"]
    board = Board.objects.create(unit=latest_versions().filter(unit__kode="kkp").first().unit)
    urls.append(f"/papan/{board.token}/")
    found = [v for url in dict.fromkeys(urls) for v in _violations(page, live_server.url + url)]
    context.close()
    assert found == []


def test_console_pages_have_no_serious_violation(live_server, browser, installed, settings):
    settings.LOKET_COUNTER_CLOSES_AT = "off"  # the ticket page is tested at whatever hour the test runs
    service = make_service()
    case = submit(
        service, files=[("surat-pengajuan", "s.pdf", pdf_bytes()), ("sk-penunjukan", "k.pdf", pdf_bytes())]
    ).case
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root-axe", password=PASSWORD)
    kkp = latest_versions().filter(unit__kode="kkp").first().unit
    (queue,) = counter_services.setup_services(kkp)
    counter_services.setup_counters(kkp, 1)
    front = staff("fo-axe", "kkp", "Front Office")
    desk = staff("hd-axe", "kkp", "Helpdesk")
    ticket = counter_services.issue_ticket(service=queue, actor=front)
    base = live_server.url
    found: list[str] = []
    for username, urls in (
        (service.verifier.get_username(), ["/konsol/", f"/konsol/kasus/{case.pk}/", "/konsol/kasus/",
                                           f"/konsol/kasus/?q={case.reference}"]),
        ("root-axe", ["/konsol/kotak-keluar/", "/konsol/pelaksana/"]),
        (front.get_username(), ["/konsol/antrian/", "/konsol/antrian/kkp/tamu/", "/konsol/antrian/kkp/buku-tamu/",
                                f"/konsol/antrian/kkp/tiket/{ticket.pk}/"]),
        (desk.get_username(), ["/konsol/antrian/kkp/loket/"]),
    ):  # fmt: skip
        context = _context(browser)
        page = context.new_page()
        _sign_in(page, base, username)
        found += [v for url in urls for v in _violations(page, base + url)]
        context.close()
    assert found == []
