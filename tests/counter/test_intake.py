"""Opening a request at the counter from a served ticket: the counter branch of the SOP taken by
itself, the guest book, ticket and call recorded as the steps they are (with their real times,
staff and standards), the originals shown, the ticket done; refusals leave everything as it was.
Seed 004 (KKP) and an SOP written here, of a unit no code knows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from loket.cases.errors import Invalid
from loket.cases.models import Case, StepRun
from loket.catalog.selectors import parsed
from loket.counter import intake, services
from loket.counter.models import QueueTicket, Status
from loket.notify.models import OutboxMessage
from tests.factories import pdf_bytes, png_bytes
from tests.sop_factory import make_service

pytestmark = pytest.mark.django_db


def _served(desk, *, arrived, issued, called, serving, counter=None, helpdesk=None):  # type: ignore[no-untyped-def]
    counter = counter or desk.counters[0]
    helpdesk = helpdesk or desk.helpdesk
    entry = services.record_guest(
        unit=desk.unit,
        service=desk.service,
        name="Rina Wulandari",
        agency="Direktorat Jenderal Perikanan Tangkap",
        id_number="199204172018011003",
        phone="081234567890",
        actor=desk.front,
        arrived_at=arrived,
        now=arrived,
    )
    ticket = services.issue_ticket(service=desk.service, entry=entry, actor=desk.front, now=issued)
    services.sign_in(counter, helpdesk, now=called)
    assert services.call_next(counter, helpdesk, now=called).pk == ticket.pk
    services.start_serving(ticket.pk, counter, helpdesk, now=serving)
    return ticket


def _files() -> list[tuple[str, str, bytes]]:
    return [("surat-permohonan", "surat.pdf", pdf_bytes()), ("sk-pengangkatan", "sk.png", png_bytes())]


def _open(desk, ticket, *, counter=None, helpdesk=None, now, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "need": "password",
        "name": "Rina Wulandari",
        "email": "rina.wulandari@kkp.go.id",
        "nip": "199204172018011003",
        "phone": "081234567890",
        "files": _files(),
        "originals_shown": ["sk-pengangkatan"],
    }
    fields.update(overrides)
    return intake.open_request(
        ticket_id=ticket.pk,
        counter=counter or desk.counters[0],
        actor=helpdesk or desk.helpdesk,
        now=now,
        **fields,
    )


def test_seed_004_counter_branch_with_the_real_times_staff_and_originals(desk):
    ticket = _served(desk, arrived=desk.at(9, 0), issued=desk.at(9, 2), called=desk.at(9, 10), serving=desk.at(9, 12))
    opened = _open(desk, ticket, now=desk.at(9, 20))
    case = Case.objects.get(pk=opened.submitted.case.pk)
    sop = parsed(case.sop)
    assert case.channel == "loket"
    runs = list(case.steps.order_by("id"))
    # 1 handed in → (counter branch) 2 guest book → 3 ticket → 4 called → 5 completeness, open
    assert [(r.step, r.aksi, r.lane) for r in runs] == [
        (s.no, s.aksi, s.pelaksana) for s in (sop.step(n) for n in (1, 2, 3, 4, 5))
    ]
    handed, guest_book, number, call, check = runs
    assert (handed.started_at, handed.finished_at) == (desk.at(9, 0), desk.at(9, 0))
    assert handed.detail["asli_diperlihatkan"] == ["sk-pengangkatan"]
    assert handed.detail["asli_tidak_diperlihatkan"] == []
    assert guest_book.by == StepRun.By.REQUESTER and guest_book.detail["dicatat_oleh"] == desk.front.username
    assert (number.actor, number.started_at, number.finished_at) == (desk.front, desk.at(9, 0), desk.at(9, 2))
    assert (number.working_minutes, number.standard_minutes) == (2, 5)
    assert (call.actor, call.started_at, call.finished_at) == (desk.helpdesk, desk.at(9, 2), desk.at(9, 12))
    assert call.detail["tiket"] == ticket.display and call.detail["loket"] == desk.counters[0].name
    # The time at the counter runs from the visitor sitting down, against step 5's standard.
    assert check.finished_at is None and check.started_at == desk.at(9, 12)
    assert check.due_at == desk.at(9, 17)
    assert (case.current_step, case.status) == (5, "open")
    assert {d.kode for d in case.documents.all()} == {"surat-permohonan", "sk-pengangkatan"}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.case_id, ticket.done_at) == (Status.DONE, case.pk, desk.at(9, 20))
    assert ticket.minutes_at_counter == 8
    assert OutboxMessage.objects.filter(case=case, template="diterima", to="rina.wulandari@kkp.go.id").exists()


def test_a_late_ticket_is_measured_over_its_standard_and_an_original_not_shown_is_recorded(desk):
    ticket = _served(desk, arrived=desk.at(9, 0), issued=desk.at(9, 9), called=desk.at(9, 30), serving=desk.at(9, 31))
    case = _open(desk, ticket, now=desk.at(9, 40), originals_shown=[]).submitted.case
    number = case.steps.get(aksi="beri-nomor-antrian")
    assert number.working_minutes == 9 and number.working_minutes > number.standard_minutes
    handed = case.steps.order_by("id").first()
    assert handed.detail["asli_tidak_diperlihatkan"] == ["sk-pengangkatan"]


def test_a_refused_request_changes_nothing_and_the_ticket_stays_served(desk):
    ticket = _served(desk, arrived=desk.at(9, 0), issued=desk.at(9, 2), called=desk.at(9, 10), serving=desk.at(9, 12))
    with pytest.raises(Invalid) as refused:
        _open(desk, ticket, now=desk.at(9, 20), email="", files=_files()[:1])
    assert "email" in refused.value.problems and "sk-pengangkatan" in refused.value.problems
    assert not Case.objects.exists() and not StepRun.objects.exists()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.case_id) == (Status.SERVING, None)
    # Corrected, the same ticket opens its request.
    assert _open(desk, ticket, now=desk.at(9, 25)).submitted.case.channel == "loket"


def test_a_second_submit_or_another_counter_opens_nothing_more(desk):
    ticket = _served(desk, arrived=desk.at(9, 0), issued=desk.at(9, 2), called=desk.at(9, 10), serving=desk.at(9, 12))
    services.sign_in(desk.counters[1], desk.helpdesk2)
    with pytest.raises(services.CounterError):
        _open(desk, ticket, counter=desk.counters[1], helpdesk=desk.helpdesk2, now=desk.at(9, 15))
    _open(desk, ticket, now=desk.at(9, 20))
    with pytest.raises(services.CounterError):
        _open(desk, ticket, now=desk.at(9, 21))
    assert Case.objects.count() == 1


def test_done_without_a_request_needs_its_reason(desk):
    ticket = _served(desk, arrived=desk.at(9, 0), issued=desk.at(9, 2), called=desk.at(9, 10), serving=desk.at(9, 12))
    with pytest.raises(services.CounterError):
        services.finish(ticket.pk, desk.counters[0], desk.helpdesk, note="  ", now=desk.at(9, 14))
    services.finish(ticket.pk, desk.counters[0], desk.helpdesk, note="hanya bertanya", now=desk.at(9, 14))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.done_note, ticket.case_id) == (Status.DONE, "hanya bertanya", None)


UNSEEN_SOP = """
kode: uji-loket-pulih
versi: 1
layanan: reset-akun
peran_akun: [PPK]
unit: uji
nomor: "7/SOP/UJI/2026"
nama: Pemulihan Akun SPSE di Loket
pelaksana: [Pemilik Akun, Resepsionis, Petugas Loket]
berkas:
  - {kode: surat, nama: Surat permohonan pemulihan akun}
  - {kode: sk, nama: SK penunjukan, asli: true}
kegiatan:
  - {no: 1, uraian: Menyerahkan berkas permohonan, pelaksana: Pemilik Akun, waktu: null, aksi: ajukan-berkas,
     keputusan: {pertanyaan: Datang langsung?, ya: 2, tidak: 4, oleh: sistem, syarat: kanal-langsung}}
  - {no: 2, uraian: Mengisi buku tamu, pelaksana: Pemilik Akun, waktu: null, aksi: isi-buku-tamu, lanjut: 3}
  - {no: 3, uraian: Memberi nomor antrian, pelaksana: Resepsionis, waktu: 3, aksi: beri-nomor-antrian, lanjut: 4}
  - {no: 4, uraian: Memanggil nomor antrian atau membuka e-mail, pelaksana: Petugas Loket, waktu: null,
     aksi: panggil-antrian, lanjut: 5}
  - {no: 5, uraian: Memeriksa kelengkapan berkas. Lengkap?, pelaksana: Petugas Loket, waktu: 5,
     aksi: periksa-kelengkapan, kelengkapan: [Surat permohonan, SK penunjukan],
     keputusan: {pertanyaan: Lengkap?, ya: 8, tidak: 6}}
  - {no: 6, uraian: Meminta kelengkapan berkas, pelaksana: Petugas Loket, waktu: 5, aksi: minta-kelengkapan, lanjut: 7}
  - {no: 7, uraian: Melengkapi berkas, pelaksana: Pemilik Akun, waktu: null, aksi: lengkapi-berkas, lanjut: 5}
  - {no: 8, uraian: Memeriksa keabsahan. Sah?, pelaksana: Petugas Loket, waktu: 10, aksi: periksa-keabsahan,
     keputusan: {pertanyaan: Sah?, ya: 9, tidak: 12}}
  - {no: 9, uraian: Mengatur ulang password atau mencari user ID, pelaksana: Petugas Loket, waktu: 5,
     aksi: reset-atau-user-id, lanjut: 10}
  - {no: 10, uraian: Memberitahukan hasil, pelaksana: Petugas Loket, waktu: 5, aksi: beri-tahu-hasil, lanjut: 11}
  - {no: 11, uraian: Mengarsipkan berkas, pelaksana: Petugas Loket, waktu: 5, aksi: arsipkan, lanjut: selesai}
  - {no: 12, uraian: Menolak permohonan, pelaksana: Petugas Loket, waktu: 5, aksi: tolak, lanjut: selesai}
"""


def test_an_sop_no_code_knows_runs_its_counter_branch(db):
    service = make_service(unit="uji", text=UNSEEN_SOP, zona_waktu="WIT")
    unit = service.unit
    (queue,) = services.setup_services(unit)
    (counter,) = services.setup_counters(unit, 1)
    front, desk_staff = service.staff[("Resepsionis", None)], service.staff[("Petugas Loket", None)]
    zone = zoneinfo.ZoneInfo(unit.zona_waktu)

    def at(minute: int) -> dt.datetime:
        return dt.datetime(2026, 12, 2, 10, minute, tzinfo=zone)

    entry = services.record_guest(
        unit=unit, service=queue, name="Yusuf Mandala", agency="Dinas Ketahanan Pangan",
        id_number="198811302014031002", phone="081298765432", actor=front, arrived_at=at(0), now=at(0),
    )  # fmt: skip
    ticket = services.issue_ticket(service=queue, entry=entry, actor=front, now=at(4))
    services.sign_in(counter, desk_staff, now=at(5))
    services.call_next(counter, desk_staff, now=at(6))
    services.start_serving(ticket.pk, counter, desk_staff, now=at(7))
    case = intake.open_request(
        ticket_id=ticket.pk, counter=counter, actor=desk_staff, need="user-id", name="Yusuf Mandala",
        email="yusuf@pangan.uji.go.id", nip="198811302014031002", agency_id=service.agencies["Dinas Ketahanan Pangan"].pk,
        files=[("surat", "surat.pdf", pdf_bytes()), ("sk", "sk.pdf", pdf_bytes())], originals_shown=["sk"], now=at(9),
    ).submitted.case  # fmt: skip
    runs = list(case.steps.order_by("id"))
    assert [(r.step, r.lane) for r in runs] == [
        (1, "Pemilik Akun"),
        (2, "Pemilik Akun"),
        (3, "Resepsionis"),
        (4, "Petugas Loket"),
        (5, "Petugas Loket"),
    ]
    assert (runs[2].working_minutes, runs[2].standard_minutes, runs[2].actor) == (4, 3, front)
    assert runs[0].detail["asli_diperlihatkan"] == ["sk"]
    assert runs[4].started_at == at(7) and case.current_lane == "Petugas Loket"
    assert QueueTicket.objects.get(pk=ticket.pk).case_id == case.pk
