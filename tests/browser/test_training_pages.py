"""The training pages in a real browser: the account lane plans a session (a refused try first,
its values kept), invites two waiting candidates with one submit, records attendance once the
session has started (the present one's case is done), reads an attendance list and looks at its
report; where the accounts live in SPSE, copies the offered password and confirms the activation.
Every page is shot at 1280 and 390 px into /tmp/shots/training-*.png; Chromium must refuse
nothing under the Content-Security-Policy.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.cases.models import Case, Status
from loket.notify.models import OutboxMessage
from loket.registration import services
from loket.registration.models import Registration, TrainingSession
from tests.factories import PASSWORD
from tests.registration.conftest import CANDIDATE_NIP, Registering, reg
from tests.registration.sop import registration_sop
from tests.sop_factory import make_service

__all__ = ["reg"]  # the registration fixture (tests/registration/conftest.py)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NIPS = [CANDIDATE_NIP, "198811302014031002", "198503152010012004"]
NAMES = ["Siti Rahmawati", "Yusuf Mandala", "Agus Salim"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def waiting(reg: Registering, n: int = 3, **values: str) -> list[Registration]:
    out = []
    for i in range(n):
        case = reg.submit(nip=NIPS[i], email=f"calon{i}@dinas.go.id", candidate_name=NAMES[i])
        extra = {"new_user_id": f"aa.calon{i}"} if values.get("spse") else {}
        out.append(Registration.objects.get(case=reg.to_training(case, **extra)))
    return out


def shoot(page: Page, name: str) -> None:
    """The page at 1280 and at 390 px wide, whole, then back to 1280."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"training-{name}-{size['width']}.png"), full_page=True)
        # Nothing wider than the screen: the page never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (name, size)
    page.set_viewport_size(WIDE)


def console(browser, base: str, username: str, refused: list[str], **options) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=WIDE, locale="id-ID", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console", lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    page.goto(f"{base}/konsol/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/konsol/")
    return page


def start(session: TrainingSession) -> None:
    now = timezone.now()
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2)
    )


def test_staff_plan_a_session_invite_and_record_attendance(live_server, browser, reg):
    base = live_server.url
    siti, yusuf, agus = waiting(reg)
    refused: list[str] = []
    page = console(browser, base, reg.admin.get_username(), refused)

    page.get_by_role("link", name="Pelatihan").click()
    page.wait_for_url(f"{base}/konsol/pelatihan/uji/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pelatihan")
    rows = page.locator("table.waiting tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Siti Rahmawati")

    # A refused try: the end before the start, no place. Everything typed comes back.
    form = page.locator("form.session-form")
    form.get_by_label("Judul (tidak wajib)").fill("Pelatihan Admin Agency angkatan 1")
    form.get_by_label("Tanggal").fill("2037-12-09")
    form.get_by_label("Jam mulai").fill("12:00")
    form.get_by_label("Jam selesai").fill("09:00")
    form.get_by_label("Kapasitas (peserta)").fill("2")
    form.get_by_role("button", name="Simpan sesi").click()
    form = page.locator("form.session-form")
    expect(form.locator("#id_end_error")).to_have_text("Jam selesai harus sesudah jam mulai.")
    expect(form.locator("#id_place_error")).to_have_text("Isi tempat pelatihan, tautan daring, atau keduanya.")
    expect(form.get_by_label("Judul (tidak wajib)")).to_have_value("Pelatihan Admin Agency angkatan 1")
    expect(form.get_by_label("Tanggal")).to_have_value("2037-12-09")
    expect(form.get_by_label("Kapasitas (peserta)")).to_have_value("2")
    form.scroll_into_view_if_needed()
    shoot(page, "1-sesi-baru-ditolak")

    form.get_by_label("Jam mulai").fill("09:00")
    form.get_by_label("Jam selesai").fill("12:00")
    form.get_by_label("Tempat").fill("Ruang Rapat LPSE Lt. 2, Jl. Gajah Mada No. 2, Samarinda")
    form.get_by_label("Tautan daring").fill("https://meet.example.go.id/pelatihan-aa-angkatan-1")
    form.get_by_role("button", name="Simpan sesi").click()
    page.wait_for_url("**/konsol/pelatihan/sesi/*/")
    expect(page.locator(".messages")).to_contain_text(
        "Sesi pelatihan tersimpan: Rabu, 9 Desember 2037 09.00–12.00 WITA"
    )
    expect(page.locator(".session-facts")).to_contain_text("Rabu, 9 Desember 2037 09.00–12.00 WITA")
    session = TrainingSession.objects.get(unit=reg.service.unit)

    # Two ticked, one submit.
    invite = page.locator("form.invite-form")
    for name in ("Siti Rahmawati", "Agus Salim"):
        invite.get_by_label(name).check()
    shoot(page, "2-undang")
    invite.get_by_role("button", name="Undang yang dicentang").click()
    expect(page.locator(".messages")).to_contain_text("2 calon diundang")
    # The session is full: Yusuf, still waiting, is pointed to another session.
    expect(page.locator("form.invite-form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Sesi sudah penuh. 1 calon masih menunggu")
    expect(page.locator("table.seats tbody tr")).to_have_count(2)
    expect(page.locator(".session-facts")).to_contain_text("2 dari 2 tempat")
    shoot(page, "3-diundang")

    # The session has started: the attendance screen.
    start(session)
    page.reload()
    expect(page.locator("form.invite-form")).to_have_count(0)
    attendance = page.locator("form.attendance-form")
    attendance.locator("tr", has_text="Siti Rahmawati").get_by_label("hadir: Siti Rahmawati").check()
    shoot(page, "4-kehadiran")
    attendance.get_by_role("button", name="Simpan kehadiran").click()
    expect(page.locator(".messages")).to_contain_text(
        "1 hadir, 1 tidak hadir; 1 akun diaktifkan dan informasi akun dikirim."
    )
    expect(page.locator("table.seats")).to_contain_text("tidak hadir")
    shoot(page, "5-kehadiran-tercatat")
    assert Case.objects.get(pk=siti.case_id).status == Status.DONE
    assert Case.objects.get(pk=agus.case_id).status == Status.TRAINING
    assert OutboxMessage.objects.filter(case_id=siti.case_id, template="akun-dibuat").count() == 1

    # Back on the unit's page: Agus missed the session and waits again beside Yusuf.
    page.get_by_role("link", name="« Pelatihan · ").click()
    page.wait_for_url(f"{base}/konsol/pelatihan/uji/")
    expect(page.locator("table.waiting tbody tr")).to_have_count(2)
    expect(page.locator("table.waiting tr", has_text="Agus Salim")).to_contain_text("1 sesi")
    expect(page.locator("table.sessions")).to_contain_text("sudah dicatat")
    shoot(page, "6-unit")
    assert refused == []


def test_an_attendance_list_is_looked_at_before_it_is_recorded(live_server, browser, reg, tmp_path):
    base = live_server.url
    siti, yusuf, _agus = waiting(reg)
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[siti.pk, yusuf.pk], actor=reg.admin)
    start(session)
    refused: list[str] = []
    page = console(browser, base, reg.admin.get_username(), refused)
    page.goto(f"{base}/konsol/pelatihan/sesi/{session.pk}/")
    listing = tmp_path / "daftar-hadir.csv"
    listing.write_text(
        f"nip;email;hadir\n{CANDIDATE_NIP};;hadir\n199001012015011001;;hadir\n;calon1@dinas.go.id;entah\n"
    )
    page.get_by_label("Daftar hadir (CSV)").set_input_files(listing)
    page.get_by_role("button", name="Baca daftar hadir").click()
    report = page.locator("table.report tbody tr")
    expect(report).to_have_count(3)
    expect(report.nth(1)).to_contain_text("tidak ada calon dengan NIP/e-mail ini")
    expect(page.get_by_label("hadir: Siti Rahmawati")).to_be_checked()
    expect(page.get_by_label("hadir: Yusuf Mandala")).not_to_be_checked()
    shoot(page, "7-daftar-hadir")
    assert TrainingSession.objects.get(pk=session.pk).attendance_recorded_at is None
    page.locator("form.attendance-form").get_by_role("button", name="Simpan kehadiran").click()
    expect(page.locator(".messages")).to_contain_text("1 hadir, 1 tidak hadir")
    assert refused == []


def test_where_accounts_live_in_spse_staff_copy_the_password_and_confirm(live_server, browser, db):
    base = live_server.url
    spse = Registering(make_service(unit="spse", text=registration_sop(unit="spse"), direktori="spse", accounts=False))
    siti = waiting(spse, 1, spse="1")[0]
    session = spse.session()
    services.invite(session_id=session.pk, registration_ids=[siti.pk], actor=spse.admin)
    start(session)
    services.record_attendance(session_id=session.pk, present_ids=[siti.pk], actor=spse.admin)
    refused: list[str] = []
    page = console(browser, base, spse.admin.get_username(), refused, permissions=["clipboard-read", "clipboard-write"])
    page.goto(f"{base}/konsol/pelatihan/spse/")
    awaiting = page.locator("table.awaiting tbody tr")
    expect(awaiting).to_have_count(1)
    expect(awaiting).to_contain_text("aa.calon0")
    shoot(page, "8-menunggu-aktivasi")
    awaiting.get_by_role("link", name="Konfirmasi aktivasi").click()
    page.wait_for_url("**/konsol/pelatihan/aktivasi/*/")
    field = page.get_by_label("Password sementara yang diatur di SPSE")
    shown = field.input_value()
    page.get_by_role("button", name="Salin").click()
    expect(page.locator("[data-copy-done]")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == shown
    page.get_by_role("button", name="Simpan konfirmasi aktivasi").click()
    expect(page.locator("#f-password_set_in_spse-error")).to_contain_text("Centang bahwa akun sudah diaktifkan")
    expect(page.get_by_label("Password sementara yang diatur di SPSE")).to_have_value(shown)
    shoot(page, "9-aktivasi-tanpa-centang")
    page.get_by_label("Akun sudah diaktifkan dan password sementara diatur di SPSE").check()
    page.get_by_role("button", name="Simpan konfirmasi aktivasi").click()
    page.wait_for_url(f"{base}/konsol/pelatihan/spse/")
    expect(page.locator(".messages")).to_contain_text("Aktivasi akun aa.calon0 tercatat")
    assert Case.objects.get(pk=siti.case_id).status == Status.DONE
    assert refused == []
