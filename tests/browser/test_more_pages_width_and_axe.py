"""The pages the phone-width and axe tests did not reach, each at 390 px in Chromium: the
document no wider than the viewport, every button, field and navigation link at least 44 px
high (test_phone_width's checks) and axe-core with no serious or critical violation
(test_accessibility's). The requester's receipt after a submit, the status page (with the
supply form of a case that waits for documents, and the form's errors), the withdraw page, the
account pages after sign-in and the one-time link's pages, the Standar Pelayanan pages; in the
console the archive check, the training pages, the mailbox, the mutu baku report, the
deviations, the survey's IKM page and the front office's and counter's pages. One browser
context per role, many pages each; the page header names the page's unit (issue 11, point 8).
Screenshots: /tmp/shots/helper11w/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from loket.cases.models import StepRun
from loket.catalog.selectors import latest_versions
from loket.counter import services as counter_services
from loket.deviations.models import Deviation
from loket.directory.backends import get_backend
from loket.directory.credentials import credential_url, issue_credential_link
from loket.mailbox.models import Mailbox
from loket.registration import services as registration_services
from loket.registration.models import Registration
from tests.browser.test_accessibility import AXE
from tests.browser.test_phone_width import PHONE, SMALL, WIDE
from tests.cases.test_services import answer_run
from tests.counter.conftest import make_desk
from tests.counter.test_intake import _open as open_at_the_counter
from tests.factories import PASSWORD, agency, pdf_bytes, staff
from tests.registration.conftest import Registering
from tests.registration.sop import registration_sop
from tests.sop_factory import make_service, reset_sop, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/helper11w")
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""


class Checker:
    """Checks pages of one browser context and collects every problem (all pages are seen before
    the test fails)."""

    def __init__(self, browser, base: str) -> None:  # type: ignore[no-untyped-def]
        if not AXE.exists():
            pytest.fail(f"axe-core not found at {AXE}: run `make test`")
        # axe is the test's script, not the page's: the page's CSP does not apply to it.
        self.context = browser.new_context(viewport=PHONE, locale="id-ID", bypass_csp=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        self.problems: list[str] = []
        self.checked: list[str] = []

    def sign_in_console(self, username: str) -> Checker:
        self.page.goto(f"{self.base}/konsol/masuk/")
        self.page.get_by_label("Nama pengguna").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Masuk").click()
        self.page.wait_for_url(f"{self.base}/konsol/")
        return self

    def go(self, path: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        if response is None or response.status != status:
            self.problems.append(f"{path}: status {response.status if response else None}, not {status}")
            return
        self.here(path)

    def here(self, name: str) -> None:
        """Check the page the browser shows now (also one reached by a POST)."""
        page = self.page
        self.checked.append(name)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.problems.append(f"{name}: {width} px wide: {page.evaluate(WIDE)}")
        small = page.evaluate(SMALL)
        if small:
            self.problems.append(f"{name}: under 44 px: {small}")
        page.add_script_tag(path=str(AXE))
        self.problems += [f"{name}: {v}" for v in page.evaluate(SERIOUS)]
        SHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
        page.screenshot(path=str(SHOTS / f"{slug}.png"), full_page=True)

    def close(self) -> list[str]:
        self.context.close()
        return self.problems


def _late(case, step: int) -> None:  # type: ignore[no-untyped-def]
    StepRun.objects.filter(case=case, step=step, finished_at__isnull=True).update(
        started_at=timezone.now() - dt.timedelta(days=3)
    )


def test_the_remaining_pages_fit_a_phone_and_pass_axe(live_server, browser, people, settings, tmp_path):
    settings.LOKET_COUNTER_CLOSES_AT = "off"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOKET_BASE_URL = live_server.url
    base = live_server.url
    problems: list[str] = []

    # -- the data, through the services ------------------------------------------------------
    service = make_service(text=reset_sop() + "pengawas: Kepala UKPBJ\n")  # unit `uji`
    head = staff("uji-kepala", "uji", "Kepala UKPBJ")
    waiting = submit(service, name="Pemohon Menunggu")
    answer_run(waiting.case, service.verifier, [(2, "tidak", "SK tidak terbaca")], missing=["sk-penunjukan"])
    done = submit(service, name="Pemohon Selesai").case
    _late(done, 2)  # finished late: a deviation for the executor and the supervisor
    answer_run(done, service.verifier, [(2, "ya", ""), (5, "ya", "")])
    deviation = Deviation.objects.get(case=done)
    password = get_backend().reset_password(service.accounts[list(service.accounts)[1]])
    link = credential_url(
        issue_credential_link(case=done, account=service.accounts[list(service.accounts)[1]], password=password)
    )

    reg = Registering(make_service(text=registration_sop(), accounts=False))  # the same unit
    training = reg.to_training(reg.submit())
    session = reg.session()
    registration_services.invite(
        session_id=session.pk, registration_ids=[Registration.objects.get(case=training).pk], actor=reg.admin
    )

    desk = make_desk()  # KKP's front office, counters and board
    entry = counter_services.record_guest(
        unit=desk.unit,
        service=desk.service,
        name="Hendra Gunawan",
        agency="Direktorat Jenderal Perikanan Tangkap",
        id_number="198709092012121008",
        phone="081234567890",
        actor=desk.front,
    )
    first = counter_services.issue_ticket(service=desk.service, entry=entry, actor=desk.front)
    counter_services.issue_ticket(service=desk.service, actor=desk.front)
    counter_services.sign_in(desk.counters[0], desk.helpdesk)
    called = counter_services.call_next(desk.counters[0], desk.helpdesk)
    assert called is not None and called.pk == first.pk
    counter_services.start_serving(called.pk, desk.counters[0], desk.helpdesk)
    open_at_the_counter(desk, called, now=timezone.now(), agency_id=agency("kkp", "Ditjen Perikanan Tangkap").pk)
    serving = counter_services.call_next(desk.counters[0], desk.helpdesk)
    assert serving is not None
    counter_services.start_serving(serving.pk, desk.counters[0], desk.helpdesk)
    box = Mailbox(unit=desk.unit, host="127.0.0.1", port=9, security=Mailbox.Security.NONE, username="loket")
    box.set_password("tidak-dipakai")
    box.save()

    # -- the requester: submit, receipt, status, supply, withdraw, account --------------------
    requester = Checker(browser, base)
    page = requester.page
    page.goto(f"{base}/permohonan/kaltim/kaltim-reset-ppk/")
    page.get_by_label("User ID SPSE").fill("ppk.pupr01")
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("Alamat e-mail").fill("siti.rahma85@gmail.com")
    page.get_by_label("Nomor telepon/HP").fill("081234567890")
    page.get_by_label("Instansi").select_option(label="Dinas PUPR")
    page.get_by_label("Password baru (beserta user ID)").check()
    for label, name in (
        ("Surat permohonan reset password atau informasi user ID", "surat.pdf"),
        ("Surat Keputusan/SK pengangkatan sebagai PPK", "sk.pdf"),
    ):
        page.get_by_label(label).set_input_files({"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()})
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_url("**/permohonan/tanda-terima/")
    requester.here("/permohonan/tanda-terima/")
    # The header names the unit the page concerns (issue 11, point 8), beside the brand.
    kaltim = latest_versions().get(kode="kaltim-reset-ppk").unit.nama
    assert page.locator("header.top .unit-mark").inner_text().strip() == kaltim
    code = page.locator(".tracking-code .code").inner_text().strip()
    reference = page.locator(".portal-receipt .reference").inner_text().strip()
    for tracking in (code, waiting.tracking_code):
        page.goto(f"{base}/permohonan/status/")
        page.locator("input[name=code]").fill(tracking)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/permohonan/status/*/")
    requester.go(f"/permohonan/status/{reference}/")
    requester.go(f"/permohonan/status/{reference}/batalkan/")
    requester.go(f"/permohonan/status/{waiting.case.reference}/")  # with the supply form
    supply = page.locator(f"form[action$='/{waiting.case.reference}/lengkapi/']")
    supply.locator("input[name=code]").fill("AAAA-BBBB-CCCC-DDDD")
    supply.locator("button[type=submit]").click()
    page.wait_for_load_state()
    requester.here(f"/permohonan/status/{waiting.case.reference}/lengkapi/ (ditolak)")
    requester.go("/akun/tautan/")
    page.goto(link)
    page.get_by_role("button", name="Tampilkan password sementara").click()
    page.wait_for_load_state()
    requester.here("/akun/tautan/ (terbuka)")
    requester.go("/akun/tautan/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    requester.here("/akun/tautan/ (kosong)")
    requester.go("/akun/masuk/")
    page.locator("select[name=unit]").select_option("kaltim")
    page.locator("input[name=user_id]").fill("ppk.pupr01")
    page.locator("input[name=password]").fill("Lama-Sekali-1!")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/akun/")
    requester.here("/akun/")
    requester.go("/akun/ganti-password/")
    requester.go("/standar-pelayanan/")
    for version in latest_versions():
        requester.go(f"/standar-pelayanan/{version.kode}/")
    problems += requester.close()

    # -- the console, one context per role ---------------------------------------------------
    for username, paths in (
        (
            service.verifier.get_username(),
            [
                f"/konsol/kasus/{done.pk}/arsip/periksa/",
                "/konsol/penyimpangan/saya/",
                "/konsol/survei/",
                "/konsol/laporan/mutu-baku/",
            ],
        ),
        (head.get_username(), ["/konsol/penyimpangan/", f"/konsol/penyimpangan/{deviation.pk}/"]),
        (
            reg.admin.get_username(),
            ["/konsol/pelatihan/", "/konsol/pelatihan/uji/", f"/konsol/pelatihan/sesi/{session.pk}/"],
        ),
        (
            desk.front.get_username(),
            [
                "/konsol/antrian/",
                "/konsol/antrian/kkp/tamu/",
                "/konsol/antrian/kkp/buku-tamu/",
                f"/konsol/antrian/kkp/tiket/{first.pk}/",
            ],
        ),
        (
            desk.helpdesk.get_username(),
            [
                "/konsol/antrian/kkp/loket/",
                f"/konsol/antrian/kkp/tiket/{serving.pk}/permohonan/",
                f"/konsol/antrian/kkp/tiket/{first.pk}/tanda-terima/",
                "/konsol/surel/kkp/",
            ],
        ),
    ):
        checker = Checker(browser, base).sign_in_console(username)
        for path in paths:
            checker.go(path)
        if username == service.verifier.get_username():
            # A console page of one unit's case names that unit in the header, as its footer does.
            checker.page.goto(f"{base}/konsol/kasus/{done.pk}/arsip/periksa/")
            assert service.unit.nama in checker.page.locator("header.top .unit-mark").inner_text()
        problems += checker.close()
    assert problems == [], "\n".join(problems)
