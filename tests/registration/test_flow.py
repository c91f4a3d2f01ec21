"""A registration through the services, on an SOP written in the tests: the head's request, the
numbered reply letter with the disposition, completeness, the account created inactive, the wait
for training outside every lane, attendance, the one-time link to the candidate with a copy
without the secret to the chief's lane, the archive; the incomplete loop, a duplicate candidate,
a missed session, an attendance list with bad rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.cases.errors import Conflict, Invalid
from loket.cases.models import Status
from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from loket.registration import services
from loket.registration.effects import REPLY_LETTER
from loket.registration.models import Registration, TrainingSeat

from .conftest import CANDIDATE_NIP

pytestmark = pytest.mark.django_db


def _start_session(session) -> None:  # type: ignore[no-untyped-def]
    """The session's time has come (attendance is recorded once it started)."""
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now() + dt.timedelta(hours=1)
    )


def test_the_whole_registration(reg):
    case = reg.submit()
    assert (case.status, case.current_step, case.current_lane) == (Status.OPEN, 2, reg.chief.staff_roles.get().role)
    registration = Registration.objects.get(case=case)
    assert registration.candidate_nip == CANDIDATE_NIP and case.requester_email == "kadis@dinas.go.id"

    reg.decide(case, reg.chief, [(2, "lanjut", "")], letter_note="Mohon calon hadir tepat waktu.")
    registration.refresh_from_db()
    assert registration.letter_number
    letter = case.documents.get(kode=REPLY_LETTER)
    assert letter.content_type == "application/pdf" and letter.step == 2
    to_head = OutboxMessage.objects.get(case=case, template="surat-jawaban")
    assert to_head.to == "kadis@dinas.go.id" and to_head.attachments == [{"document": letter.pk}]
    assert registration.letter_number in to_head.body

    # "Lengkap" needs every kelengkapan item of the step ticked (copies match the originals, ...).
    with pytest.raises(Invalid) as caught:
        reg.decide(case, reg.admin, [(3, "ya", ""), (6, "lanjut", "")], kelengkapan=[0])
    assert "Salinan sesuai aslinya" in str(caught.value) and "kelengkapan" in caught.value.problems
    case = reg.decide(case, reg.admin, [(3, "ya", ""), (6, "lanjut", "")], kelengkapan=[0, 1])
    assert case.steps.get(step=3).detail["kelengkapan_dicentang"] == [0, 1]
    assert case.status == Status.TRAINING and case.current_lane == "" and case.current_due_at is None
    account = Account.objects.get(pk=case.account_id)
    assert not account.is_active and account.nip == CANDIDATE_NIP and account.email == "calon@dinas.go.id"
    step6 = case.steps.get(step=6)
    assert step6.finished_at is not None and step6.working_minutes is not None
    assert not case.steps.filter(finished_at__isnull=True).exists()  # no step's minutes run

    assert services.waiting_candidates(reg.admin, case.unit) == [registration]
    session = reg.session()
    invited = services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    assert [s.registration_id for s in invited.seats] == [registration.pk]
    invitation = OutboxMessage.objects.get(case=case, template="undangan-pelatihan")
    assert invitation.to == "calon@dinas.go.id"
    assert invitation.attachments[0]["content_type"] == "text/calendar"
    assert "BEGIN:VEVENT" in invitation.attachments[0]["text"]
    assert services.waiting_candidates(reg.admin, case.unit) == []

    _start_session(session)
    recorded = services.record_attendance(session_id=session.pk, present_ids=[registration.pk], actor=reg.admin)
    assert recorded.activated == [registration]
    case.refresh_from_db()
    account.refresh_from_db()
    assert case.status == Status.DONE and account.is_active and account.must_change_password
    assert [s.step for s in case.steps.order_by("id")] == [1, 2, 3, 6, 7, 8]
    result = OutboxMessage.objects.get(case=case, template="akun-dibuat")
    assert result.to == "calon@dinas.go.id" and account.user_id in result.body
    copy = OutboxMessage.objects.get(case=case, template="tembusan-hasil")
    assert copy.to == reg.chief.email and not copy.secret_link and account.user_id in copy.body
    assert "#" not in copy.body.split("tautan sekali pakai")[0]  # no link in the copy
    assert hasattr(case, "archive")


def test_a_duplicate_candidate_is_caught_at_submit_and_at_creation(reg):
    case = reg.submit()
    with pytest.raises(Invalid) as caught:
        reg.submit()
    assert "sedang diproses" in caught.value.problems["candidate_nip"]
    reg.decide(case, reg.chief, [(2, "lanjut", "")])
    # An account for the same NIP appears meanwhile (imported from SPSE, say).
    Account.objects.create(
        unit=case.unit,
        user_id="siti.lama",
        name="Siti",
        email="s@x.go.id",
        role="Admin Agency",
        agency=case.agency,
        nip=CANDIDATE_NIP,
    )
    with pytest.raises(Invalid) as caught:
        reg.decide(case, reg.admin, [(3, "ya", ""), (6, "lanjut", "")])
    assert "siti.lama" in str(caught.value) and "Akun kedua tidak dibuat" in str(caught.value)
    assert Account.objects.filter(nip=CANDIDATE_NIP).count() == 1


def test_the_incomplete_loop_asks_the_requester(reg):
    case = reg.submit()
    reg.decide(case, reg.chief, [(2, "lanjut", "")])
    case = reg.decide(case, reg.admin, [(3, "tidak", "SK belum dilegalisir")], missing=["sk-tugas"])
    assert case.status == Status.WAITING and case.current_step == 5
    assert OutboxMessage.objects.filter(case=case, template="minta-kelengkapan", to="kadis@dinas.go.id").exists()


def test_a_missed_session_puts_the_candidate_back_on_the_list(reg):
    case = reg.to_training(reg.submit())
    registration = Registration.objects.get(case=case)
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    _start_session(session)
    recorded = services.record_attendance(session_id=session.pk, present_ids=[], actor=reg.admin)
    assert recorded.absent == [registration]
    case.refresh_from_db()
    assert case.status == Status.TRAINING
    assert TrainingSeat.objects.get(registration=registration).status == TrainingSeat.Status.ABSENT
    assert services.waiting_candidates(reg.admin, case.unit) == [registration]
    second = reg.session(hours_from_now=48)
    services.invite(session_id=second.pk, registration_ids=[registration.pk], actor=reg.admin)
    assert registration.seats.count() == 2


def test_an_attendance_list_reports_each_bad_row(reg):
    first = reg.to_training(reg.submit())
    second = reg.to_training(reg.submit(nip="198811302014031002", email="calon2@dinas.go.id", candidate_name="Yusuf"))
    regs = [Registration.objects.get(case=c) for c in (first, second)]
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[r.pk for r in regs], actor=reg.admin)
    data = (
        "nip;email;hadir\n"
        f"{CANDIDATE_NIP};;hadir\n"
        "199001012015011001;;hadir\n"
        ";calon2@dinas.go.id;mungkin\n"
        f"{CANDIDATE_NIP};;ya\n"
    ).encode()
    present, reports = services.read_attendance_csv(session.pk, data, reg.admin)
    assert present == {regs[0].pk}
    assert [(r.line, r.ok) for r in reports] == [(2, True), (3, False), (4, False), (5, False)]
    assert "tidak ada calon" in reports[1].outcome and "tidak dikenal" in reports[2].outcome
    with pytest.raises(Invalid):
        services.read_attendance_csv(session.pk, b"nama,status\nx,y\n", reg.admin)


def test_attendance_waits_for_the_session_and_a_full_session_refuses(reg):
    cases = [
        reg.to_training(reg.submit(nip=n, email=f"c{i}@d.go.id"))
        for i, n in enumerate([CANDIDATE_NIP, "198811302014031002"])
    ]
    regs = [Registration.objects.get(case=c) for c in cases]
    session = reg.session(capacity=1)
    invited = services.invite(session_id=session.pk, registration_ids=[r.pk for r in regs], actor=reg.admin)
    assert len(invited.seats) == 1 and "penuh" in invited.refused[regs[1].pk]
    with pytest.raises(Conflict):
        services.record_attendance(session_id=session.pk, present_ids=[regs[0].pk], actor=reg.admin)


def test_the_archive_holds_the_letter_and_the_attendance(reg):
    case = reg.to_training(reg.submit())
    registration = Registration.objects.get(case=case)
    missed = reg.session()
    services.invite(session_id=missed.pk, registration_ids=[registration.pk], actor=reg.admin)
    _start_session(missed)
    services.record_attendance(session_id=missed.pk, present_ids=[], actor=reg.admin)
    attended = reg.session(hours_from_now=30)
    services.invite(session_id=attended.pk, registration_ids=[registration.pk], actor=reg.admin)
    _start_session(attended)
    services.record_attendance(session_id=attended.pk, present_ids=[registration.pk], actor=reg.admin)
    case.refresh_from_db()
    manifest = case.archive.manifest
    assert REPLY_LETTER in [d["kode"] for d in manifest["berkas"]]
    part = manifest["registrasi"]
    assert part["nomor_surat_jawaban"] == Registration.objects.get(case=case).letter_number
    assert [k["status"] for k in part["kehadiran"]] == ["absent", "present"]
    assert part["calon"]["nip"] == CANDIDATE_NIP

    from io import BytesIO

    from pypdf import PdfReader

    from loket.cases.archive import archive_pdf

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(archive_pdf(case.archive))).pages)
    assert "Daftar hadir pelatihan" in text and part["nomor_surat_jawaban"] in text


def test_where_accounts_live_in_spse_staff_record_the_user_id_and_confirm_the_activation(db):
    from tests.sop_factory import make_service

    from .conftest import Registering
    from .sop import registration_sop

    spse = Registering(make_service(unit="spse", text=registration_sop(unit="spse"), direktori="spse", accounts=False))
    case = spse.submit()
    spse.decide(case, spse.chief, [(2, "lanjut", "")])
    with pytest.raises(Invalid) as caught:
        spse.decide(case, spse.admin, [(3, "ya", ""), (6, "lanjut", "")], new_user_id="")
    assert "dibuat di SPSE" in str(caught.value)
    case = spse.decide(case, spse.admin, [(3, "ya", ""), (6, "lanjut", "")], new_user_id="aa.dpr.siti")
    assert case.status == Status.TRAINING and case.account.user_id == "aa.dpr.siti"
    registration = Registration.objects.get(case=case)
    session = spse.session()
    services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=spse.admin)
    _start_session(session)
    recorded = services.record_attendance(session_id=session.pk, present_ids=[registration.pk], actor=spse.admin)
    assert recorded.present == [registration] and recorded.activated == []
    case.refresh_from_db()
    assert case.status == Status.TRAINING  # a person activates it in SPSE first
    assert services.awaiting_activation(spse.admin, case.unit) == [registration]
    with pytest.raises(Invalid):
        services.confirm_activation(
            registration_id=registration.pk,
            actor=spse.admin,
            temporary_password="Sementara-2026!x",
            password_set_in_spse=False,
        )
    services.confirm_activation(
        registration_id=registration.pk,
        actor=spse.admin,
        temporary_password="Sementara-2026!x",
        password_set_in_spse=True,
    )
    case.refresh_from_db()
    assert case.status == Status.DONE
    mail = OutboxMessage.objects.get(case=case, template="akun-dibuat")
    assert mail.secret_link and "aa.dpr.siti" in mail.body and "SPSE" in mail.body
    assert "Sementara-2026!x" not in mail.body


def test_the_head_sees_the_wait_for_training_on_the_status_page(reg):
    from loket.cases.requester_view import requester_view
    from loket.catalog.selectors import parsed

    case = reg.to_training(reg.submit())
    view = requester_view(case, parsed(case.sop))
    states = [(item.step, item.state) for item in view.progress]
    assert states == [
        (1, "done"),
        (2, "done"),
        (3, "done"),
        (6, "done"),
        (6, "in-progress"),
        (7, "expected"),
        (8, "expected"),
    ]
    assert "pelatihan" in view.progress[4].text


def test_a_request_withdrawn_after_the_invitation_does_not_stop_the_attendance(reg):
    from loket.cases.services import withdraw_request

    kept = reg.to_training(reg.submit())
    gone = reg.to_training(reg.submit(nip="198811302014031002", email="calon2@dinas.go.id"))
    regs = [Registration.objects.get(case=c) for c in (kept, gone)]
    session = reg.session()
    services.invite(session_id=session.pk, registration_ids=[r.pk for r in regs], actor=reg.admin)
    # The head withdraws the second request from the status page (tracking code: the case's own).
    from loket.cases.codes import new_tracking_code, tracking_digest

    code = new_tracking_code()
    type(gone).objects.filter(pk=gone.pk).update(tracking_digest=tracking_digest(code))
    withdraw_request(tracking_code=code, reason="calon pindah tugas")
    _start_session(session)
    recorded = services.record_attendance(session_id=session.pk, present_ids=[r.pk for r in regs], actor=reg.admin)
    assert recorded.activated == [regs[0]]
    gone.refresh_from_db()
    assert gone.status == Status.WITHDRAWN and not gone.account.is_active


def test_a_registration_sop_with_a_refusal_refuses_with_the_reason_and_creates_nothing(db):
    from tests.sop_factory import make_service

    from .conftest import Registering
    from .sop import registration_sop

    strict = Registering(make_service(unit="ketat", text=registration_sop(unit="ketat", refusal=True), accounts=False))
    strict.chief.email = "ketua@ketat.go.id"
    strict.chief.save(update_fields=["email"])
    case = strict.submit()
    strict.decide(case, strict.chief, [(2, "lanjut", "")])
    case = strict.decide(case, strict.admin, [(3, "tidak", "SK tidak ditandatangani pejabat yang berwenang")])
    assert case.status == Status.REFUSED and case.account is None
    refusal = OutboxMessage.objects.get(case=case, template="ditolak")
    assert refusal.to == "kadis@dinas.go.id" and "SK tidak ditandatangani" in refusal.body
    assert not Account.objects.filter(unit=case.unit).exists()
