"""Seed 004 (KKP, Admin Agency reset) end to end in a real browser, both ways a request reaches
the unit: in person (guest book, printed ticket, the board calling the number aloud, the
Helpdesk opening the request from the ticket with the scanned documents and the original SK
shown, the completeness check, the Admin PPE's validity check, the result by mail) and by e-mail
(a mail in the unit's real IMAP mailbox becomes the case, the Helpdesk asks for a readable SK,
the requester's threaded reply supplies it, the case runs to the end). Every page is shot at
1280 and 390 px into /tmp/shots/kkp-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from loket.cases.models import Case
from loket.counter.models import QueueTicket
from loket.mailbox.models import InboundMail, Mailbox
from loket.mailbox.services import poll_mailbox
from loket.notify.models import OutboxMessage
from tests.browser.test_counter_board import STUBS, shoot, sign_in, watch
from tests.counter.conftest import Desk, make_desk
from tests.factories import account, pdf_bytes, png_bytes
from tests.mailbox.conftest import deliver_mail, imap_server, jpeg_bytes, make_mail

__all__ = ["imap_server"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLDER_EMAIL = "aa.djpt@kkp.go.id"


@pytest.fixture(autouse=True)
def _open_all_day(settings):
    settings.LOKET_COUNTER_CLOSES_AT = "off"  # the test runs at whatever hour it runs


@pytest.fixture
def desk(installed) -> Desk:
    desk = make_desk()
    account("kkp", "aa.djpt", role="Admin Agency", agency_name="Ditjen Perikanan Tangkap", name="Rina Wulandari",
            nip="199204172018011003", email=HOLDER_EMAIL)  # fmt: skip
    return desk


@pytest.fixture
def admin_ppe(desk):  # type: ignore[no-untyped-def]
    from tests.factories import staff

    return staff("ppe-kkp", "kkp", "Admin PPE")


def _files(tmp_path):  # type: ignore[no-untyped-def]
    surat, sk = tmp_path / "surat-permohonan.pdf", tmp_path / "sk-pengangkatan.png"
    surat.write_bytes(pdf_bytes())
    sk.write_bytes(png_bytes())
    return surat, sk


def _admin_ppe_validates(page, base: str, case: Case) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/konsol/kasus/{case.pk}/")
    decision = page.locator("form.decision")
    decision.locator('input[name="jawaban-9"][value="ya"]').check()
    shoot(page, f"{case.channel}-admin-ppe")
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(page.locator("h1 .badge")).to_have_text("selesai")
    shoot(page, f"{case.channel}-selesai")


def test_seed_004_in_person_ticket_board_counter_and_to_the_end(live_server, browser, desk, admin_ppe, tmp_path):
    base = live_server.url
    refused: list[str] = []
    # 1. The front office signs the visitor in and prints the ticket.
    front = sign_in(browser, base, desk.front.get_username(), refused)
    front.goto(f"{base}/konsol/antrian/kkp/tamu/")
    front.get_by_label("Nama", exact=True).fill("Rina Wulandari")
    front.get_by_label("Instansi").fill("Ditjen Perikanan Tangkap")
    front.get_by_label("NIP atau nomor identitas").fill("199204172018011003")
    front.get_by_label("Nomor telepon").fill("081234567890")
    front.get_by_role("button", name="Catat dan beri nomor antrian").click()
    expect(front.get_by_role("heading", level=1)).to_contain_text("A-001")
    front.get_by_role("link", name="Cetak 80 mm").click()
    expect(front.locator(".slip .number")).to_have_text("A-001")
    shoot(front, "kkp-counter-1-tiket-80mm")
    ticket = QueueTicket.objects.get()

    # 2. The Helpdesk signs in to Loket 1 and calls; the board shows and says it.
    helpdesk = sign_in(browser, base, desk.helpdesk.get_username(), refused)
    helpdesk.goto(f"{base}/konsol/antrian/kkp/loket/")
    helpdesk.get_by_role("button", name="Loket 1").click()
    # The board on the waiting-room screen, speech stubbed to record what it says. (Open only
    # while it is watched: the test database, SQLite in memory, locks whole tables, so a sign-in
    # beside its polling could be refused.)
    board_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    board_context.add_init_script(STUBS)
    board = watch(board_context.new_page(), refused)
    with board.expect_response(lambda r: "status.json" in r.url):
        board.goto(f"{base}/papan/{desk.board.token}/")
    helpdesk.get_by_role("button", name="Panggil berikutnya").click()
    expect(board.locator("[data-counters] .counter").first).to_contain_text("A-001", timeout=2000)
    board.wait_for_function("() => window.__spoken.length >= 2", timeout=10_000)
    assert [s["text"] for s in board.evaluate("window.__spoken")][:2] == [
        "Nomor antrian A-001, silakan menuju loket 1"
    ] * 2
    shoot(board, "kkp-counter-2-papan")
    board_context.close()
    helpdesk.get_by_role("button", name="Hadir — layani").click()
    shoot(helpdesk, "kkp-counter-3-dilayani")

    # 3. The request from the ticket: filled from the guest book, scanned documents, the original SK.
    helpdesk.get_by_role("link", name="Buka permohonan").click()
    expect(helpdesk.get_by_label("Nama lengkap")).to_have_value("Rina Wulandari")
    expect(helpdesk.get_by_label("NIP")).to_have_value("199204172018011003")
    helpdesk.get_by_label("User ID SPSE").fill("aa.djpt")
    helpdesk.get_by_label("Alamat e-mail").fill(HOLDER_EMAIL)
    helpdesk.get_by_label("Password baru (beserta user ID)").check()
    surat, sk = _files(tmp_path)
    helpdesk.get_by_label("Surat Permohonan Reset Password atau Informasi User ID").set_input_files(surat)
    helpdesk.locator('input[name="berkas-sk-pengangkatan"]').set_input_files(sk)
    helpdesk.get_by_label("Asli SK Pengangkatan Admin Agency").check()
    shoot(helpdesk, "kkp-counter-4-buka-permohonan")
    helpdesk.get_by_role("button", name="Buka permohonan").click()
    expect(helpdesk.locator(".receipt .reference strong")).to_have_text(re.compile(r"KKP-\d{4}-\d{6}"))
    code = helpdesk.locator(".receipt .code strong").inner_text()
    assert code and code not in helpdesk.url
    shoot(helpdesk, "kkp-counter-5-tanda-terima")
    case = Case.objects.get()
    assert (case.channel, case.current_step) == ("loket", 5)

    # 4. The completeness check on the case page: steps 2-4 done with their times, the SK's original shown.
    helpdesk.get_by_role("link", name="Lanjut: periksa kelengkapan berkas").click()
    expect(helpdesk.locator("table.data").first).to_contain_text("asli diperlihatkan")
    expect(helpdesk.locator(".counter-visit")).to_contain_text("nomor antrian A-001, dilayani di Loket 1")
    steps = helpdesk.locator("table.steps tbody")
    for no in ("1", "2", "3", "4"):
        expect(steps.locator("tr", has=helpdesk.locator(f"td:text-is('{no}')"))).to_have_count(1)
    decision = helpdesk.locator("form.decision")
    for item in decision.locator('input[name="kelengkapan"]').all():
        item.check()
    decision.locator('input[name="jawaban-5"][value="ya"]').check()
    shoot(helpdesk, "kkp-counter-6-kelengkapan")
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(helpdesk.locator(".messages")).to_contain_text("Tersimpan: langkah 5")

    # 5. The Admin PPE checks validity; reset, hand-over, archive and the result mail run by themselves.
    ppe = sign_in(browser, base, admin_ppe.get_username(), refused)
    _admin_ppe_validates(ppe, base, case)
    assert OutboxMessage.objects.filter(case=case, to=HOLDER_EMAIL).exclude(template="diterima").exists()
    ticket.refresh_from_db()
    assert ticket.case_id == case.pk and ticket.minutes_at_counter is not None

    # 6. The visitor follows the ticket by its code.
    public = watch(browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID").new_page(), refused)
    public.goto(f"{base}/antrian/tiket/")
    public.get_by_label("Kode tiket").fill(ticket.code)
    public.get_by_role("button", name="Cek tiket").click()
    expect(public.locator(".ticket-state")).to_contain_text(case.reference)
    shoot(public, "kkp-counter-7-cek-tiket")
    assert "Rina" not in public.content()
    assert refused == []


def test_seed_004_by_email_a_threaded_reply_completes_it(live_server, browser, desk, admin_ppe, imap_server):
    base = live_server.url
    refused: list[str] = []
    user, password = imap_server.add_user()
    box = Mailbox(unit=desk.unit, host=imap_server.host, port=imap_server.port,
                  security=Mailbox.Security.NONE, username=user)  # fmt: skip
    box.set_password(password)
    box.save()
    first = make_mail(
        sender=f"Rina Wulandari <{HOLDER_EMAIL}>",
        to="lpse@kkp.go.id",
        subject="Permohonan reset password Admin Agency",
        attachments=[
            ("surat-permohonan.pdf", "application/pdf", pdf_bytes()),
            ("sk-pengangkatan.jpg", "image/jpeg", jpeg_bytes()),
        ],
    )
    deliver_mail(box, first)
    poll_mailbox(box)
    case = Case.objects.get()
    assert (case.channel, case.current_step, case.account.user_id) == ("email", 4, "aa.djpt")
    assert InboundMail.objects.get().status == InboundMail.Status.REQUEST

    # The Helpdesk opens the mail (step 4) and finds the SK unreadable (step 5: tidak).
    helpdesk = sign_in(browser, base, desk.helpdesk.get_username(), refused)
    row = helpdesk.locator("table.queue tbody tr", has_text=case.reference)
    expect(row).to_have_count(1)
    shoot(helpdesk, "kkp-email-1-antrean")
    row.get_by_role("link", name=case.reference).click()
    decision = helpdesk.locator("form.decision")
    decision.locator('input[name="jawaban-4"][value="lanjut"]').check()
    decision.locator('input[name="jawaban-5"][value="tidak"]').check()
    decision.locator('input[name="missing"][value="sk-pengangkatan"]').check()
    decision.locator('textarea[name="catatan-5"]').fill("Foto SK tidak terbaca; kirim ulang hasil pindai yang jelas.")
    shoot(helpdesk, "kkp-email-2-tidak-lengkap")
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(helpdesk.locator(".messages")).to_contain_text("Tersimpan: langkah 4, 5")
    case.refresh_from_db()
    assert case.status == "waiting"
    ask = OutboxMessage.objects.get(case=case, template="minta-kelengkapan")

    # The requester answers the mail with the SK; the poller threads it to the case.
    reply = make_mail(
        sender=HOLDER_EMAIL,
        to="lpse@kkp.go.id",
        subject=f"Re: {ask.subject}",
        attachments=[("sk-pengangkatan.pdf", "application/pdf", pdf_bytes())],
        headers={"In-Reply-To": ask.message_id, "References": ask.message_id},
    )
    deliver_mail(box, reply)
    poll_mailbox(box)
    case.refresh_from_db()
    assert (case.status, case.current_step) == ("open", 5)
    assert InboundMail.objects.get(message_id=reply["Message-ID"]).status == InboundMail.Status.SUPPLIED

    helpdesk.reload()
    decision = helpdesk.locator("form.decision")
    for item in decision.locator('input[name="kelengkapan"]').all():
        item.check()
    decision.locator('input[name="jawaban-5"][value="ya"]').check()
    shoot(helpdesk, "kkp-email-3-lengkap")
    decision.get_by_role("button", name="Simpan keputusan").click()
    expect(helpdesk.locator(".messages")).to_contain_text("Tersimpan: langkah 5")

    ppe = sign_in(browser, base, admin_ppe.get_username(), refused)
    _admin_ppe_validates(ppe, base, case)
    assert OutboxMessage.objects.filter(case=case, to=HOLDER_EMAIL).exclude(template="diterima").count() >= 2
    assert refused == []
