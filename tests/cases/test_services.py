"""The case services end to end over the database: each reset SOP through the happy path, the
incomplete loop and the refusal; concurrency, scope and bad uploads.

The parametrized runs over RESET_SOPS stay on the built-in SOPs and their units (`people`): their
point is that each built-in reset SOP, KKP's with its channel decision at step 1, runs as
written. Every other test here is about the services, not about one SOP, and runs on a test SOP
of a test unit (`service`, tests/sop_factory.py), so a revision of a built-in file cannot break it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, is_password_usable

from loket.cases import services
from loket.cases.archive import verify_seal
from loket.cases.errors import Conflict, Invalid, NotFound
from loket.cases.models import Case, Document, Status, StepRun
from loket.cases.services import Decision, StepAnswer
from loket.catalog.selectors import parsed
from loket.directory.credentials import reveal_credential, token_from_code
from loket.directory.models import CredentialLink
from loket.notify.models import OutboxMessage
from tests.factories import pdf_bytes, png_bytes, sop_version
from tests.sop_factory import HAPPY_STEPS as SERVICE_HAPPY_STEPS
from tests.sop_factory import STRANGERS, WAKTU, strangers
from tests.sop_factory import submit as submit_to

pytestmark = pytest.mark.django_db

# Each reset SOP with the staff who runs it and the account it serves.
RESET_SOPS = {
    "kaltim-reset-ppk": ("aa_pupr", "ppk", "web"),
    "magelang-reset-ppk": ("aa_magelang", "ppk_magelang", "web"),
    "sbt-reset-pokja": ("aa_sbt", "pokja_sbt", "email"),
    "kkp-reset-admin-agency": ("kkp_helpdesk", "aa_account_kkp", "email"),
}


# The happy path of the three same-shaped reset SOPs (kaltim, magelang, sbt) as recorded.
HAPPY_STEPS = [
    (1, "pemohon", "lanjut"),
    (2, "staf", "ya"),
    (5, "staf", "ya"),
    (6, "sistem", "lanjut"),
    (8, "sistem", "lanjut"),
    (9, "sistem", "lanjut"),
]


def submit(kode, account, *, channel="web", need="password", files=None, **identity):
    fields = {
        "name": account.name,
        "email": "pemohon.baru@gmail.com",
        "user_id": account.user_id,
        "agency_id": account.agency_id,
    }
    fields.update(identity)
    files = (
        files
        if files is not None
        else [
            ("surat-permohonan", "surat.pdf", pdf_bytes()),
            ("sk-pengangkatan", "sk.png", png_bytes()),
        ]
    )
    return services.submit_request(sop_version=sop_version(kode), channel=channel, need=need, files=files, **fields)


def ticked_all(case, answers) -> list[int]:  # type: ignore[no-untyped-def]
    """Every kelengkapan item of the completeness steps answered "ya": what staff tick."""
    sop = parsed(case.sop)
    return [
        i
        for no, ans, _note in answers
        if ans == "ya" and sop.step(no).aksi == "periksa-kelengkapan"
        for i in range(len(sop.step(no).kelengkapan))
    ]


def answer_run(case, actor, answers, **extra):
    case.refresh_from_db()
    extra.setdefault("kelengkapan", ticked_all(case, answers))
    return services.decide(
        case_id=case.pk,
        actor=actor,
        version=case.version,
        decision=Decision(answers=[StepAnswer(no, ans, note) for no, ans, note in answers], values=extra),
    )


def steps_of(case):
    return [(run.step, run.by, run.answer) for run in case.steps.order_by("id")]


def happy(kode, people):
    staff_name, account_name, channel = RESET_SOPS[kode]
    account = getattr(people, account_name)
    submitted = submit(kode, account, channel=channel)
    case = submitted.case
    if kode.startswith("kkp"):
        answer_run(case, people.kkp_helpdesk, [(4, "lanjut", ""), (5, "ya", "")])
        answer_run(case, people.kkp_admin_ppe, [(9, "ya", "")])
    else:
        answer_run(case, getattr(people, staff_name), [(2, "ya", ""), (5, "ya", "")])
    case.refresh_from_db()
    return case, account


@pytest.mark.parametrize("kode", sorted(RESET_SOPS))
def test_it_runs_the_happy_path_to_a_sealed_archive(people, kode):
    case, account = happy(kode, people)
    assert case.status == Status.DONE
    if kode.startswith("kkp"):
        # Step 1 answered by the system from the channel (e-mail: not at the counter) -> step 4.
        assert steps_of(case) == [
            (1, "pemohon", "tidak"),
            (4, "staf", "lanjut"),
            (5, "staf", "ya"),
            (8, "sistem", "lanjut"),
            (9, "staf", "ya"),
            (10, "sistem", "lanjut"),
            (12, "sistem", "lanjut"),
            (13, "sistem", "lanjut"),
            (14, "sistem", "lanjut"),
        ]
    else:
        assert steps_of(case) == HAPPY_STEPS
    # The system's steps are done on the authority of the staff member whose answer led there.
    runs = list(case.steps.select_related("actor", "on_behalf_of").order_by("id"))
    system_runs = [run for run in runs if run.by == StepRun.By.SYSTEM]
    assert system_runs
    for run in system_runs:
        deciding = [r for r in runs if r.id < run.id and r.by == StepRun.By.STAFF][-1]
        assert run.on_behalf_of is not None and run.on_behalf_of == deciding.actor, run.step
    account.refresh_from_db()
    # The old password stopped at the decision; the new one works once its holder reveals it.
    assert account.must_change_password is True
    assert not is_password_usable(account.password)
    assert case.credential_links.get().sealed_password
    mails = list(OutboxMessage.objects.filter(case=case).order_by("id").values_list("template", "to"))
    assert mails == [
        ("diterima", "pemohon.baru@gmail.com"),
        ("hasil-password", account.email),
        ("survei-kepuasan", "pemohon.baru@gmail.com"),  # loket.survey: the case is done
    ]
    record = case.archive
    assert [d["kode"] for d in record.manifest["berkas"]] == ["surat-permohonan", "sk-pengangkatan"]
    assert len(record.manifest["langkah"]) == case.steps.count()
    assert verify_seal(record)


def test_the_reference_counts_per_unit_and_the_tracking_code_is_not_stored(service, other_service):
    first = submit_to(service)
    second = submit_to(service)
    other = submit_to(other_service)
    year = first.case.created_at.year
    assert [first.case.reference, second.case.reference, other.case.reference] == [
        f"UJI-{year}-000001",
        f"UJI-{year}-000002",
        f"UJI-LAIN-{year}-000001",
    ]
    assert first.tracking_code != second.tracking_code
    assert not Case.objects.filter(tracking_digest=first.tracking_code).exists()
    assert services.case_by_tracking_code(first.tracking_code.lower().replace("-", " ")) == first.case


def test_it_asks_for_missing_documents_and_checks_again_after_they_come(service):
    case = submit_to(service).case
    answer_run(case, service.verifier, [(2, "tidak", "SK tidak terbaca")], missing=["sk-penunjukan"])
    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.WAITING, 4)
    assert case.current_due_at is None  # the requester's step pauses the clock
    ask = OutboxMessage.objects.get(case=case, template="minta-kelengkapan")
    assert "SK penunjukan sebagai pejabat pengadaan" in ask.body
    assert "Surat pengajuan pemulihan akun SPSE" not in ask.body
    assert ask.to == "pemohon.baru@gmail.com"
    # A staff answer now is refused: the case waits on the requester.
    with pytest.raises(Conflict):
        answer_run(case, service.verifier, [(2, "ya", "")])


# Per SOP: the steps the checker answers before completeness, the completeness step, the loop
# (check, ask, supply), the next staff step, and the system's steps of the happy path.
LOOPS = {
    "kaltim-reset-ppk": ([], 2, [2, 3, 4], [5], [6, 8, 9]),
    "magelang-reset-ppk": ([], 2, [2, 3, 4], [5], [6, 8, 9]),
    "sbt-reset-pokja": ([], 2, [2, 3, 4], [5], [6, 8, 9]),
    "kkp-reset-admin-agency": ([(4, "lanjut", "")], 5, [5, 6, 7], [8], [9, 10, 12, 13, 14]),
}


@pytest.mark.parametrize("kode", sorted(RESET_SOPS))
def test_the_incomplete_loop_goes_round_twice_and_then_finishes(people, kode):
    staff_name, account_name, channel = RESET_SOPS[kode]
    before, check, loop, after_check, rest = LOOPS[kode]
    submitted = submit(kode, getattr(people, account_name), channel=channel)
    case = submitted.case
    checker = getattr(people, staff_name)
    if before:
        answer_run(case, checker, before)
    for _ in range(2):
        answer_run(case, checker, [(check, "tidak", "")], missing=["sk-pengangkatan"])
        case.refresh_from_db()
        assert (case.status, case.current_step) == (Status.WAITING, loop[-1])
        services.supply_documents(
            tracking_code=submitted.tracking_code, files=[("sk-pengangkatan", "sk-baru.pdf", pdf_bytes(2))]
        )
        case.refresh_from_db()
        assert (case.status, case.current_step) == (Status.OPEN, check)
    answer_run(case, checker, [(check, "ya", "")] + ([] if kode.startswith("kkp") else [(5, "ya", "")]))
    if kode.startswith("kkp"):
        answer_run(case, people.kkp_admin_ppe, [(9, "ya", "")])
    case.refresh_from_db()
    assert case.status == Status.DONE
    first = [1] + [no for no, _, _ in before]
    assert [s for s, _, _ in steps_of(case)] == first + loop + loop + [check] + after_check + rest
    assert Document.objects.filter(case=case, kode="sk-pengangkatan").count() == 3
    assert OutboxMessage.objects.filter(case=case, template="minta-kelengkapan").count() == 2


@pytest.mark.parametrize("kode", sorted(RESET_SOPS))
def test_it_refuses_with_the_reason_and_leaves_the_password_alone(people, kode):
    staff_name, account_name, channel = RESET_SOPS[kode]
    account = getattr(people, account_name)
    old_hash = account.password
    case = submit(kode, account, channel=channel).case
    reason = "Nama pada SK berbeda dengan data akun"
    if kode.startswith("kkp"):
        answer_run(case, people.kkp_helpdesk, [(4, "lanjut", ""), (5, "ya", "")])
        answer_run(case, people.kkp_admin_ppe, [(9, "tidak", reason)])
        refused_at = 11
    else:
        answer_run(case, getattr(people, staff_name), [(2, "ya", ""), (5, "tidak", reason)])
        refused_at = 7
    case.refresh_from_db()
    assert case.status == Status.REFUSED
    assert steps_of(case)[-1] == (refused_at, "sistem", "lanjut")
    mail = OutboxMessage.objects.get(case=case, template="ditolak")
    assert reason in mail.body
    account.refresh_from_db()
    assert account.password == old_hash and account.must_change_password is False


def test_a_refusal_needs_a_reason(service):
    case = submit_to(service).case
    with pytest.raises(Invalid, match="alasan"):
        answer_run(case, service.verifier, [(2, "ya", ""), (5, "tidak", "")])
    case.refresh_from_db()
    assert (case.current_step, case.steps.count()) == (2, 2)  # nothing of the submit kept


def test_a_repeated_decision_advances_once(service):
    case = submit_to(service).case
    seen = case.version
    decision = Decision(answers=[StepAnswer(2, "ya"), StepAnswer(5, "ya")])
    services.decide(case_id=case.pk, actor=service.verifier, version=seen, decision=decision)
    with pytest.raises(Conflict):
        services.decide(case_id=case.pk, actor=service.verifier, version=seen, decision=decision)
    case.refresh_from_db()
    assert [s for s, _, _ in steps_of(case)] == [1, 2, 5, 6, 8, 9]
    assert OutboxMessage.objects.filter(case=case, template="hasil-password").count() == 1


def test_user_id_only_requests_get_the_user_id_and_keep_the_password(service):
    holder = service.account
    old_hash = holder.password
    case = submit_to(service, need="user-id", user_id="", nip=holder.nip).case
    assert case.account == holder  # found by NIP
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "")])
    mail = OutboxMessage.objects.get(case=case, template="hasil-user-id")
    assert "ppk.dpr.uji" in mail.body and mail.to == holder.email == "ppk.dpr@uji.go.id"
    holder.refresh_from_db()
    assert holder.password == old_hash


def test_the_credential_goes_to_the_typed_address_only_after_a_phone_confirmation(service):
    case = submit_to(service).case
    answer_run(
        case,
        service.verifier,
        [(2, "ya", ""), (5, "ya", "")],
        phone_confirmation="Ditelepon 0812..., e-mail kantor hilang, pakai gmail",
        email_confirmed_by_phone=True,
    )
    assert OutboxMessage.objects.get(case=case, template="hasil-password").to == "pemohon.baru@gmail.com"


@pytest.mark.parametrize("who", STRANGERS)
def test_staff_outside_the_scope_cannot_decide(service, other_service, who):
    case = submit_to(service).case
    with pytest.raises(NotFound):
        answer_run(case, strangers(service, other_service)[who], [(2, "ya", "")])
    case.refresh_from_db()
    assert case.current_step == 2


@pytest.mark.parametrize(
    ("files", "field", "message"),
    [
        (
            [("surat-pengajuan", "surat.pdf", b"MZ\x90\x00 not a pdf"), ("sk-penunjukan", "sk.pdf", pdf_bytes())],
            "surat-pengajuan",
            "bukan PDF",
        ),
        (
            [("surat-pengajuan", "surat.pdf", b"%PDF-1.7\n broken"), ("sk-penunjukan", "sk.pdf", pdf_bytes())],
            "surat-pengajuan",
            "rusak",
        ),
        ([("surat-pengajuan", "surat.pdf", pdf_bytes())], "sk-penunjukan", "wajib"),
        (
            [("surat-pengajuan", "surat.pdf", b""), ("sk-penunjukan", "sk.pdf", pdf_bytes())],
            "surat-pengajuan",
            "kosong",
        ),
        (
            [
                ("surat-pengajuan", "a.pdf", pdf_bytes()),
                ("sk-penunjukan", "sk.pdf", pdf_bytes()),
                ("ktp", "k.pdf", pdf_bytes()),
            ],
            "ktp",
            "tidak diminta",
        ),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(service, files, field, message):
    with pytest.raises(Invalid) as caught:
        submit_to(service, files=files)
    assert message in caught.value.problems[field]
    assert (Case.objects.count(), Document.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_a_too_large_upload_is_refused_with_the_limit(service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 100
    with pytest.raises(Invalid) as caught:
        submit_to(service)
    assert "terlalu besar" in caught.value.problems["surat-pengajuan"]
    assert Case.objects.count() == 0


def test_the_requester_can_withdraw_and_a_closed_case_cannot_be_decided(service):
    submitted = submit_to(service)
    services.withdraw_request(tracking_code=submitted.tracking_code, reason="Sudah ingat password")
    case = submitted.case
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        answer_run(case, service.verifier, [(2, "ya", "")])


def test_a_case_waiting_too_long_on_its_requester_expires(service, settings):
    import datetime as dt

    from django.utils import timezone

    submitted = submit_to(service)
    answer_run(submitted.case, service.verifier, [(2, "tidak", "")], missing=["sk-penunjukan"])
    later = timezone.now() + dt.timedelta(days=settings.LOKET_REQUESTER_WAIT_DAYS, minutes=1)
    assert services.expire_stale_cases(now=later - dt.timedelta(days=1)) == 0
    assert services.expire_stale_cases(now=later) == 1
    case = submitted.case
    case.refresh_from_db()
    assert case.status == Status.EXPIRED
    assert steps_of(case)[-1] == (4, "pemohon", "kedaluwarsa")
    assert OutboxMessage.objects.filter(case=case, template="kedaluwarsa").count() == 1


def test_the_staff_step_records_working_minutes_and_its_due_time(service):
    case = submit_to(service).case
    run = case.steps.get(step=2)
    assert run.standard_minutes == WAKTU[2] == 10 and run.due_at is not None and run.finished_at is None
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "")])
    run.refresh_from_db()
    assert run.actor == service.verifier and run.working_minutes is not None


def test_the_temporary_password_is_never_stored_in_clear(service):
    case = submit_to(service).case
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "")])
    case.refresh_from_db()
    assert steps_of(case) == SERVICE_HAPPY_STEPS
    account = service.account
    account.refresh_from_db()
    link = case.credential_links.get()
    assert link.sealed_password and "argon2" not in link.sealed_password
    token = token_from_code(OutboxMessage.objects.get(case=case, template="hasil-password").secret_link)
    password = reveal_credential(token=token).password
    account.refresh_from_db()
    # Revealed, the temporary password is stored as its argon2 hash at the OWASP minimum cost
    # (directory/hashers.py), and nowhere in clear.
    assert account.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert password not in account.password
    assert check_password(password, account.password)
    assert not CredentialLink.objects.get(pk=link.pk).sealed_password
