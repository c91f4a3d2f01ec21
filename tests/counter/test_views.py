"""The console pages of the front office and the counters, and the public board: who gets what."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from loket.counter import services
from loket.counter.models import GuestBookEntry, QueueTicket, Status
from tests.factories import PASSWORD, staff

pytestmark = pytest.mark.django_db

GUEST = {
    "name": "Rina Wulandari",
    "agency": "Direktorat Jenderal Perikanan Tangkap",
    "id_number": "199204172018011003",
    "phone": "0812-3456-7890",
}


@pytest.fixture(autouse=True)
def _open_all_day(settings):
    settings.LOKET_COUNTER_CLOSES_AT = "off"  # the pages are tested at whatever hour they run


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def test_front_office_signs_the_guest_book_and_gets_a_ticket_and_its_prints(desk):
    client = signed_in(desk.front)
    url = reverse("console:counter_front", args=[desk.unit.kode])
    assert client.get(url).status_code == 200
    response = client.post(url, {**GUEST, "service": desk.service.pk})
    ticket = QueueTicket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "console:counter_ticket", args=[desk.unit.kode, ticket.pk]
    )
    assert ticket.entry.phone == "081234567890" and ticket.entry.recorded_by == desk.front
    page = client.get(response["Location"]).content.decode()
    assert "A-001" in page and ticket.code in page
    for size in ("80mm", "58mm", "a6"):
        slip = client.get(reverse("console:counter_print", args=[desk.unit.kode, ticket.pk, size]))
        text = slip.content.decode()
        assert slip.status_code == 200 and "A-001" in text and desk.unit.nama in text and ticket.code in text
        assert f"counter/print-{size}.css" in text and "<script>" not in text and "onclick" not in text
    assert client.get(reverse("console:counter_print", args=[desk.unit.kode, ticket.pk, "a4"])).status_code == 404
    # Times are the unit's local time (KKP: WIB), not the server's UTC.
    QueueTicket.objects.filter(pk=ticket.pk).update(issued_at=desk.at(9, 7))
    slip = client.get(reverse("console:counter_print", args=[desk.unit.kode, ticket.pk, "80mm"])).content.decode()
    assert "09:07 WIB" in slip
    assert "09:07" in client.get(reverse("console:counter_ticket", args=[desk.unit.kode, ticket.pk])).content.decode()


def test_guest_book_form_errors_are_shown_and_nothing_is_saved(desk):
    client = signed_in(desk.front)
    url = reverse("console:counter_front", args=[desk.unit.kode])
    page = client.post(url, {**GUEST, "phone": "12", "service": desk.service.pk}).content.decode()
    assert "8–15 angka" in page and not GuestBookEntry.objects.exists()


def test_guest_book_search_and_csv(desk):
    client = signed_in(desk.front)
    url = reverse("console:counter_front", args=[desk.unit.kode])
    client.post(url, {**GUEST, "service": desk.service.pk})
    client.post(url, {**GUEST, "name": "=HYPERLINK(1)", "agency": "Biro Umum", "service": desk.service.pk})
    client.get(url)  # shows (and so clears) the "ticket given" message
    book = reverse("console:counter_guests", args=[desk.unit.kode])
    page = client.get(book, {"q": "perikanan"}).content.decode()
    assert "Rina Wulandari" in page and "HYPERLINK" not in page
    code = QueueTicket.objects.get(number=2).code
    assert "HYPERLINK" in client.get(book, {"q": code}).content.decode()
    csv = client.get(book, {"unduh": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Rina Wulandari" in text and "'=HYPERLINK(1)" in text and "A-001" in text
    assert text.splitlines()[0].startswith("waktu datang (WIB),nama,instansi")
    xlsx = client.get(book, {"unduh": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "Rina Wulandari" in strings and "=HYPERLINK(1)" in strings and "A-002" in strings
    assert "<f>" not in sheet  # the typed name stays text, never a formula
    assert sheet.count("<row ") == 3  # the header and the two guests


def test_the_counter_page_signs_in_calls_and_serves(desk):
    services.issue_ticket(service=desk.service, actor=desk.front)
    client = signed_in(desk.helpdesk)
    url = reverse("console:counter_desk", args=[desk.unit.kode])
    assert "Masuk ke loket" in client.get(url).content.decode()
    one = desk.counters[0]
    client.post(url, {"aksi": "masuk", "loket": one.pk})
    page = client.get(url).content.decode()
    assert "Panggil berikutnya" in page and "A-001" in page
    client.post(url, {"aksi": "panggil"})
    ticket = QueueTicket.objects.get()
    assert ticket.status == Status.CALLED and ticket.counter == one
    client.post(url, {"aksi": "ulang", "tiket": ticket.pk})
    client.post(url, {"aksi": "layani", "tiket": ticket.pk})
    client.post(url, {"aksi": "selesai", "tiket": ticket.pk, "catatan": ""})
    ticket.refresh_from_db()
    assert ticket.status == Status.SERVING  # done without a request needs its reason
    client.post(url, {"aksi": "selesai", "tiket": ticket.pk, "catatan": "hanya bertanya"})
    ticket.refresh_from_db()
    assert ticket.status == Status.DONE and ticket.recalls == 1 and ticket.done_note == "hanya bertanya"
    # Another Helpdesk member cannot take a counter that is staffed.
    other = signed_in(desk.helpdesk2)
    other.post(url, {"aksi": "masuk", "loket": one.pk})
    one.refresh_from_db()
    assert one.staffed_by == desk.helpdesk


@pytest.mark.parametrize("page", ["counter_front", "counter_guests", "counter_desk"])
def test_staff_of_another_unit_or_lane_get_404(desk, page):
    url = reverse(f"console:{page}", args=[desk.unit.kode])
    stranger = staff("aa-kaltim-x", "kaltim", "Admin Agency", "Dinas Pekerjaan Umum dan Penataan Ruang")
    assert signed_in(stranger).get(url).status_code == 404
    wrong_lane = desk.helpdesk if page != "counter_desk" else desk.front
    assert signed_in(wrong_lane).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in


def test_a_ticket_of_another_unit_is_not_found(desk):
    t = services.issue_ticket(service=desk.service, actor=desk.front)
    stranger = staff("aa-kaltim-y", "kaltim", "Admin Agency", "Dinas Pekerjaan Umum dan Penataan Ruang")
    client = signed_in(stranger)
    assert client.get(reverse("console:counter_ticket", args=["kkp", t.pk])).status_code == 404
    assert client.get(reverse("console:counter_print", args=["kaltim", t.pk, "80mm"])).status_code == 404


def test_the_board_needs_its_token_and_shows_nothing_personal(desk):
    entry = services.record_guest(
        unit=desk.unit, service=desk.service, actor=desk.front, **{**GUEST, "phone": "081234567890"}
    )
    t = services.issue_ticket(service=desk.service, entry=entry, actor=desk.front)
    services.sign_in(desk.counters[0], desk.helpdesk)
    services.call_next(desk.counters[0], desk.helpdesk)
    anonymous = Client()
    assert anonymous.get("/papan/salah-token/").status_code == 404
    assert anonymous.get("/papan/salah-token/status.json").status_code == 404
    page = anonymous.get(f"/papan/{desk.board.token}/")
    status = anonymous.get(f"/papan/{desk.board.token}/status.json")
    assert page.status_code == 200 and status.status_code == 200
    assert status.json()["counters"][0] == {"name": "Loket 1", "number": "A-001"}
    for body in (page.content.decode(), status.content.decode()):
        for secret in (GUEST["name"], GUEST["agency"], GUEST["id_number"], "081234567890", t.code):
            assert secret not in body
    assert page["Referrer-Policy"] == "no-referrer"
    wav = anonymous.get("/papan/bel.wav")
    assert wav["Content-Type"] == "audio/wav" and wav.content[:4] == b"RIFF"


def test_the_work_queue_shows_the_counter_and_the_nav_links_to_it(desk):
    services.issue_ticket(service=desk.service, actor=desk.front)
    client = signed_in(desk.helpdesk)
    client.post(reverse("console:counter_desk", args=[desk.unit.kode]), {"aksi": "masuk", "loket": desk.counters[0].pk})
    page = client.get(reverse("console:queue")).content.decode()
    assert f'href="{reverse("console:counter_index")}"' in page  # the nav's "Antrian"
    panel = page.split('class="card counter-panel"')[1].split("</section>")[0]
    assert desk.counters[0].name in panel and "1 menunggu" in panel
    front = signed_in(desk.front).get(reverse("console:queue")).content.decode()
    assert reverse("console:counter_front", args=[desk.unit.kode]) in front
    # Staff of the reset lanes only get neither.
    from loket.units.models import Unit
    from tests.factories import staff

    reset_only = staff("aa-kaltim-x", Unit.objects.get(kode="kaltim").kode, "Admin Agency", "Dinas X")
    other = signed_in(reset_only).get(reverse("console:queue")).content.decode()
    assert "counter-panel" not in other and reverse("console:counter_index") not in other


def test_the_helpdesk_opens_the_request_from_the_ticket_and_prints_the_receipt(desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from loket.cases.models import Case
    from tests.factories import pdf_bytes, png_bytes

    front = signed_in(desk.front)
    front.post(reverse("console:counter_front", args=[desk.unit.kode]), {**GUEST, "service": desk.service.pk})
    ticket = QueueTicket.objects.get()
    client = signed_in(desk.helpdesk)
    desk_url = reverse("console:counter_desk", args=[desk.unit.kode])
    client.post(desk_url, {"aksi": "masuk", "loket": desk.counters[0].pk})
    client.post(desk_url, {"aksi": "panggil"})
    client.post(desk_url, {"aksi": "layani", "tiket": ticket.pk})
    url = reverse("console:counter_open_request", args=[desk.unit.kode, ticket.pk])
    assert url in client.get(desk_url).content.decode()  # "Buka permohonan" on the served ticket
    form = client.get(url).content.decode()
    # Filled from the guest book: name, NIP (18 digits), phone; the original SK to tick.
    assert 'value="Rina Wulandari"' in form and 'value="199204172018011003"' in form and 'value="081234567890"' in form
    assert 'name="originals" value="sk-pengangkatan"' in form
    assert "Apabila datang langsung ke LPSE membawa asli SK" in form  # the SOP's note, at the counter
    posted = {
        "name": "Rina Wulandari",
        "nip": "199204172018011003",
        "email": "rina.wulandari@kkp.go.id",
        "need": "password",
        "berkas-surat-permohonan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
    }
    refused = client.post(url, posted)
    assert refused.status_code == 400 and "SK Pengangkatan Admin Agency wajib dilampirkan" in refused.content.decode()
    assert "Surat Permohonan Reset Password atau Informasi User ID wajib" not in refused.content.decode()
    assert not Case.objects.exists() and QueueTicket.objects.get().status == Status.SERVING
    posted["berkas-surat-permohonan"] = SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf")
    posted["berkas-sk-pengangkatan"] = SimpleUploadedFile("sk.png", png_bytes(), "image/png")
    posted["originals"] = ["sk-pengangkatan"]
    done = client.post(url, posted)
    receipt_url = reverse("console:counter_receipt", args=[desk.unit.kode, ticket.pk])
    assert done.status_code == 302, re.findall(r'(?:error|field-message)"[^>]*>([^<]+)', done.content.decode())
    assert done["Location"] == receipt_url
    case = Case.objects.get()
    assert case.channel == "loket" and case.current_step == 5
    first = client.get(receipt_url).content.decode()
    code = first.split("Kode pelacakan<br><strong>")[1].split("<")[0]
    assert case.reference in first and len(code) >= 8 and code not in receipt_url
    again = client.get(receipt_url).content.decode()
    assert case.reference in again and code not in again  # the tracking code is shown once
    # A second submit (a double click, a reload) goes to the case; nothing more is opened.
    assert client.post(url, posted)["Location"] == reverse("console:case", args=[case.pk])
    assert Case.objects.count() == 1
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "asli diperlihatkan" in page and "nomor antrian A-001" in page


def test_only_the_counter_serving_the_ticket_opens_its_request(desk):
    ticket = services.issue_ticket(service=desk.service, actor=desk.front)
    services.sign_in(desk.counters[0], desk.helpdesk)
    services.call_next(desk.counters[0], desk.helpdesk)
    services.start_serving(ticket.pk, desk.counters[0], desk.helpdesk)
    other = signed_in(desk.helpdesk2)
    other.post(reverse("console:counter_desk", args=[desk.unit.kode]), {"aksi": "masuk", "loket": desk.counters[1].pk})
    response = other.get(reverse("console:counter_open_request", args=[desk.unit.kode, ticket.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "console:counter_desk", args=[desk.unit.kode]
    )
    assert (
        signed_in(desk.front).get(reverse("console:counter_open_request", args=[desk.unit.kode, ticket.pk])).status_code
        == 404
    )


def test_the_visitor_follows_the_ticket_by_its_code_and_sees_nothing_personal(desk):
    from loket.counter import intake
    from tests.factories import pdf_bytes, png_bytes

    entry = services.record_guest(
        unit=desk.unit, service=desk.service, actor=desk.front, **{**GUEST, "phone": "081234567890"}
    )
    first = services.issue_ticket(service=desk.service, entry=entry, actor=desk.front)
    second = services.issue_ticket(service=desk.service, actor=desk.front)
    url = reverse("queue:ticket")
    public = Client()
    assert public.get(url).status_code == 200
    waiting = public.post(url, {"code": second.code.lower()}).content.decode()
    assert "A-002" in waiting and "1 nomor lagi sebelum Anda" in waiting
    services.sign_in(desk.counters[0], desk.helpdesk)
    services.call_next(desk.counters[0], desk.helpdesk)
    called = public.post(url, {"code": first.code}).content.decode()
    assert "Dipanggil ke Loket 1" in called and "Rina" not in called
    services.start_serving(first.pk, desk.counters[0], desk.helpdesk)
    case = intake.open_request(
        ticket_id=first.pk, counter=desk.counters[0], actor=desk.helpdesk, need="password", name="Rina Wulandari",
        email="rina.wulandari@kkp.go.id", nip="199204172018011003",
        files=[("surat-permohonan", "s.pdf", pdf_bytes()), ("sk-pengangkatan", "sk.png", png_bytes())],
    ).submitted.case  # fmt: skip
    opened = public.post(url, {"code": first.code}).content.decode()
    assert case.reference in opened and "Petugas memeriksa kelengkapan berkas Anda" in opened
    assert "Rina" not in opened and "rina.wulandari" not in opened and "199204172018011003" not in opened
    wrong = public.post(url, {"code": "ZZZZZZ"})
    assert wrong.status_code == 400 and "tidak ditemukan" in wrong.content.decode()
    slip = signed_in(desk.front).get(reverse("console:counter_print", args=[desk.unit.kode, first.pk, "80mm"]))
    assert "/antrian/tiket/" in slip.content.decode()


def test_guessing_ticket_codes_is_limited_like_tracking_codes(desk, settings):
    settings.LOKET_LOOKUP_LIMIT_PER_SESSION = 2
    public = Client()
    statuses = [
        public.post(reverse("queue:ticket"), {"code": code}).status_code for code in ("ZZZZZZ", "YYYYYY", "XXXXXX")
    ]
    assert statuses == [400, 400, 429]


def test_the_counter_pages_speak_english_to_staff_who_chose_it(desk):
    client = signed_in(desk.helpdesk)
    url = reverse("console:counter_desk", args=[desk.unit.kode])
    assert "Masuk ke loket" in client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Take a counter" in page and "Masuk ke loket" not in page
    front = signed_in(desk.front)
    office = front.get(
        reverse("console:counter_front", args=[desk.unit.kode]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Record and give a queue number" in office and "Guest book" in office
    book = front.get(
        reverse("console:counter_guests", args=[desk.unit.kode]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Download Excel (XLSX)" in book and "Unduh" not in book
