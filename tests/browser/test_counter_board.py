"""The counter in a real browser: the board shows a call within 2 seconds of it, chimes (the audio
element's play() recorded) and then says the number twice in Indonesian (speechSynthesis stubbed
in the page: each speak() and its text recorded, each taking a while, so overlaps would show);
the front office signs a visitor in, prints the 80 mm slip, and the Helpdesk calls and serves.
Every page is shot at 1280 and 390 px into /tmp/shots/counter-*.png; Chromium refuses nothing
under the Content-Security-Policy."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from loket.counter import services
from loket.counter.models import QueueTicket, Status
from tests.counter.conftest import Desk, make_desk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

STUBS = """
window.__played = [];
window.__spoken = [];
window.__overlap = false;
HTMLMediaElement.prototype.play = function () {
  var el = this;
  window.__played.push({ at: Date.now(), muted: el.muted, src: el.currentSrc || el.src });
  setTimeout(function () { el.dispatchEvent(new Event("ended")); }, 100);
  return Promise.resolve();
};
HTMLMediaElement.prototype.pause = function () {};
var speaking = false;
var stub = {
  speak: function (u) {
    if (speaking) window.__overlap = true;
    speaking = true;
    window.__spoken.push({ text: u.text, lang: u.lang, at: Date.now() });
    setTimeout(function () { speaking = false; if (u.onend) u.onend(new Event("end")); }, 300);
  },
  cancel: function () {}, getVoices: function () { return []; }, speaking: false, pending: false,
};
Object.defineProperty(window, "speechSynthesis", { value: stub, configurable: true });
if (typeof window.SpeechSynthesisUtterance !== "function") {
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
}
"""


@pytest.fixture(autouse=True)
def _open_all_day(settings):
    settings.LOKET_COUNTER_CLOSES_AT = "off"  # the test runs at whatever hour it runs


@pytest.fixture
def desk(installed) -> Desk:
    return make_desk()


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"counter-{name}-{size['width']}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (name, size)
    page.set_viewport_size(WIDE)


def watch(page: Page, refused: list[str]) -> Page:
    page.on(
        "console", lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    return page


def test_the_board_shows_a_call_within_2_seconds_chimes_and_speaks_twice(live_server, browser, desk):
    refused: list[str] = []
    context = browser.new_context(viewport=WIDE, locale="id-ID")
    context.add_init_script(STUBS)
    page = watch(context.new_page(), refused)
    page.set_default_timeout(15_000)
    one, two = desk.counters
    services.sign_in(one, desk.helpdesk)
    services.sign_in(two, desk.helpdesk2)
    for _ in range(3):
        services.issue_ticket(service=desk.service, actor=desk.front)
    with page.expect_response(lambda r: "status.json" in r.url):
        page.goto(f"{live_server.url}/papan/{desk.board.token}/")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__spoken.length") == 0  # nothing called yet, nothing said

    started = time.monotonic()
    services.call_next(one, desk.helpdesk)
    expect(page.locator("[data-counters] .counter").first).to_contain_text("A-001", timeout=2000)
    shown_after = time.monotonic() - started
    assert shown_after < 2.0
    # A second call right after: it waits for the first announcement to end.
    services.call_next(two, desk.helpdesk2)
    expect(page.locator("[data-counters] .counter").nth(1)).to_contain_text("A-002", timeout=2000)
    page.wait_for_function("() => window.__spoken.length >= 4", timeout=10_000)
    spoken = page.evaluate("window.__spoken")
    assert [s["text"] for s in spoken] == [
        "Nomor antrian A-001, silakan menuju loket 1",
        "Nomor antrian A-001, silakan menuju loket 1",
        "Nomor antrian A-002, silakan menuju loket 2",
        "Nomor antrian A-002, silakan menuju loket 2",
    ]
    assert {s["lang"] for s in spoken} == {"id-ID"}
    assert page.evaluate("window.__overlap") is False
    played = [p for p in page.evaluate("window.__played") if not p["muted"]]
    assert len(played) == 2 and played[0]["src"].endswith("/papan/bel.wav")
    assert played[0]["at"] <= spoken[0]["at"] and spoken[1]["at"] <= played[1]["at"] <= spoken[2]["at"]
    expect(page.locator("[data-calls] li").first).to_contain_text("A-002")
    shoot(page, "board")

    # Speech switched off: the chime alone.
    page.locator("[data-speech]").uncheck()
    services.finish(
        services.start_serving(QueueTicket.objects.get(number=1).pk, one, desk.helpdesk).pk,
        one,
        desk.helpdesk,
        note="hanya bertanya",
    )
    services.call_next(one, desk.helpdesk)
    page.wait_for_function("() => window.__played.filter(p => !p.muted).length >= 3", timeout=5000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__spoken.length") == 4
    body = page.content()
    assert desk.front.get_username() not in body and "Rina" not in body
    assert refused == []
    context.close()


def sign_in(browser, base: str, username: str, refused: list[str], viewport=WIDE) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = watch(context.new_page(), refused)
    page.set_default_timeout(15_000)
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")
    return page


def test_front_office_prints_a_ticket_and_the_helpdesk_calls_and_serves_it(live_server, browser, desk):
    base = live_server.url
    refused: list[str] = []
    front = sign_in(browser, base, desk.front.get_username(), refused)
    front.goto(f"{base}/konsol/antrian/")
    shoot(front, "index")
    front.get_by_role("link", name=desk.unit.nama).first.click()
    front.get_by_label("Nama", exact=True).fill("Rina Wulandari")
    front.get_by_label("Instansi").fill("Direktorat Jenderal Perikanan Tangkap")
    front.get_by_label("NIP atau nomor identitas").fill("199204172018011003")
    front.get_by_label("Nomor telepon").fill("0812 3456 7890")
    shoot(front, "front-office")
    front.get_by_role("button", name="Catat dan beri nomor antrian").click()
    expect(front.get_by_role("heading", level=1)).to_contain_text("A-001")
    ticket = QueueTicket.objects.get()
    expect(front.locator("body")).to_contain_text(ticket.code)
    shoot(front, "ticket")

    front.get_by_role("link", name="Cetak 80 mm").click()
    expect(front.locator(".slip .number")).to_have_text("A-001")
    front.wait_for_load_state("networkidle")
    shoot(front, "print-80mm")
    width = front.evaluate("document.querySelector('.slip').getBoundingClientRect().width")
    assert abs(width - 80 * 96 / 25.4) < 2  # 80 mm at the CSS 96 dpi
    front.emulate_media(media="print")
    front.screenshot(path=str(SHOTS / "counter-print-80mm-as-printed.png"), full_page=True)
    assert front.locator(".toolbar").is_hidden()
    front.emulate_media(media="screen")
    pdf = front.pdf(prefer_css_page_size=True)
    assert pdf[:4] == b"%PDF"
    (SHOTS / "counter-print-80mm.pdf").write_bytes(pdf)
    for size in ("58mm", "a6"):
        front.goto(f"{base}/konsol/antrian/{desk.unit.kode}/tiket/{ticket.pk}/cetak/{size}/")
        front.wait_for_load_state("networkidle")
        shoot(front, f"print-{size}")
    front.goto(f"{base}/konsol/antrian/{desk.unit.kode}/buku-tamu/")
    expect(front.locator("table.guest-book")).to_contain_text("Rina Wulandari")
    shoot(front, "guest-book")

    helpdesk = sign_in(browser, base, desk.helpdesk.get_username(), refused)
    helpdesk.goto(f"{base}/konsol/antrian/{desk.unit.kode}/loket/")
    shoot(helpdesk, "desk-sign-in")
    helpdesk.get_by_role("button", name="Loket 1").click()
    expect(helpdesk.get_by_role("heading", level=1)).to_contain_text("Loket 1")
    shoot(helpdesk, "desk-idle")
    helpdesk.get_by_role("button", name="Panggil berikutnya").click()
    expect(helpdesk.locator(".counter-now .ticket-number")).to_have_text("A-001")
    shoot(helpdesk, "desk-called")
    helpdesk.get_by_role("button", name="Panggil ulang").click()
    helpdesk.get_by_role("button", name="Hadir — layani").click()
    expect(helpdesk.get_by_role("link", name="Buka permohonan")).to_be_visible()
    shoot(helpdesk, "desk-serving")
    # The visitor only asked: done without a request, with the reason (the request itself:
    # tests/browser/test_kkp_counter_and_mail.py).
    helpdesk.get_by_placeholder("mis. hanya bertanya").fill("hanya menanyakan syarat")
    helpdesk.get_by_role("button", name="Selesai").click()
    expect(helpdesk.locator(".messages")).to_contain_text("A-001 selesai tanpa permohonan")
    ticket.refresh_from_db()
    assert ticket.status == Status.DONE and ticket.recalls == 1 and ticket.done_note == "hanya menanyakan syarat"
    assert refused == []
