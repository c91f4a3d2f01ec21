"""Deviations from the mutu baku (issue 12, point 2): recorded when a step finishes, answered by
its executor, reviewed by the SOP's `pengawas` (or a superuser), scoped, and counted for the
report."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from loket.audit.models import AuditEntry
from loket.cases.errors import Conflict, Invalid, NotAllowed, NotFound
from loket.cases.models import Document
from loket.cases.services import supply_documents
from loket.deviations import selectors, services
from loket.deviations.models import Deviation, DeviationEvent, Kind, Status
from loket.reports.mutu_baku import ReportFilter
from tests.factories import PASSWORD, pdf_bytes
from tests.sop_factory import submit

from .conftest import answer, late_case, started_long_ago

pytestmark = pytest.mark.django_db


def _one(case) -> Deviation:  # type: ignore[no-untyped-def]
    return Deviation.objects.get(case=case)


# -- recorded when the step finishes ---------------------------------------------------------------


def test_a_late_step_is_recorded_for_its_executor_with_its_minutes(supervised):
    case = late_case(supervised.svc)
    d = _one(case)
    run = case.steps.get(step=2)
    assert (d.kind, d.status, d.executor, d.step_run) == (Kind.TIME, Status.OPEN, supervised.svc.verifier, run)
    assert run.working_minutes > run.standard_minutes == 10
    assert d.detail == {"menit_kerja": run.working_minutes, "mutu_baku": 10}
    assert [e.action for e in d.events.all()] == ["dicatat"]
    assert AuditEntry.objects.filter(action="deviation.recorded", case=case).count() == 1


def test_a_step_within_its_standard_and_the_systems_steps_record_nothing(supervised):
    case = submit(supervised.svc).case
    answer(case, supervised.svc.verifier, [(2, "ya"), (5, "ya")])  # done at once: 0 minutes each
    case.refresh_from_db()
    assert case.status == "done"
    assert not Deviation.objects.exists()


def test_the_reason_given_with_a_late_answer_answers_it_at_once(supervised):
    case = late_case(supervised.svc, **{"alasan-terlambat-2": "Server SPSE\nsedang gangguan"})
    d = _one(case)
    assert (d.status, d.reason) == (Status.ANSWERED, "Server SPSE\nsedang gangguan")
    assert [e.action for e in d.events.all()] == ["dicatat", "dijawab"]


def test_completeness_declared_with_a_required_document_missing_is_a_requirements_deviation(supervised):
    case = submit(supervised.svc).case
    Document.objects.filter(case=case, kode="sk-penunjukan").delete()  # e.g. a mail without the SK
    answer(case, supervised.svc.verifier, [(2, "ya")])
    d = _one(case)
    assert (d.kind, d.detail, d.executor) == (Kind.REQUIREMENT, {"berkas": ["sk-penunjukan"]}, supervised.svc.verifier)


def test_a_document_marked_missing_and_not_handed_in_since_counts_until_it_is(supervised):
    svc = supervised.svc
    first = submit(svc)
    answer(first.case, svc.verifier, [(2, "tidak")], missing=["sk-penunjukan"])
    # The requester hands in the letter again, not the SK; the check then says "lengkap".
    supply_documents(tracking_code=first.tracking_code, files=[("surat-pengajuan", "s.pdf", pdf_bytes())])
    answer(first.case, svc.verifier, [(2, "ya")])
    assert _one(first.case).detail == {"berkas": ["sk-penunjukan"]}
    # Handed in: no deviation.
    second = submit(svc)
    answer(second.case, svc.verifier, [(2, "tidak")], missing=["sk-penunjukan"])
    supply_documents(tracking_code=second.tracking_code, files=[("sk-penunjukan", "sk.pdf", pdf_bytes())])
    answer(second.case, svc.verifier, [(2, "ya")])
    assert not Deviation.objects.filter(case=second.case).exists()


# -- the lifecycle ----------------------------------------------------------------------------------


def test_answered_returned_answered_again_and_accepted_with_its_history(supervised):
    d = _one(late_case(supervised.svc))
    verifier, supervisor = supervised.svc.verifier, supervised.supervisor
    d = services.answer_deviation(deviation_id=d.pk, actor=verifier, version=d.version, reason="Antrean panjang")
    with pytest.raises(Invalid):  # returning needs a note
        services.review_deviation(deviation_id=d.pk, actor=supervisor, version=d.version, accept=False)
    d = services.review_deviation(
        deviation_id=d.pk, actor=supervisor, version=d.version, accept=False, note="Sebutkan jam antreannya"
    )
    assert (d.status, d.reviewer, d.review_note) == (Status.RETURNED, supervisor, "Sebutkan jam antreannya")
    d = services.answer_deviation(deviation_id=d.pk, actor=verifier, version=d.version, reason="Antrean 09.00-11.00")
    d = services.review_deviation(deviation_id=d.pk, actor=supervisor, version=d.version, accept=True)
    d.refresh_from_db()
    assert (d.status, d.reason, d.reviewer) == (Status.ACCEPTED, "Antrean 09.00-11.00", supervisor)
    history = [(e.action, e.actor, e.text) for e in DeviationEvent.objects.filter(deviation=d)]
    assert history == [
        ("dicatat", None, ""),
        ("dijawab", verifier, "Antrean panjang"),
        ("dikembalikan", supervisor, "Sebutkan jam antreannya"),
        ("dijawab", verifier, "Antrean 09.00-11.00"),
        ("diterima", supervisor, ""),
    ]
    actions = list(
        AuditEntry.objects.filter(action__startswith="deviation.").order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "deviation.recorded",
        "deviation.answered",
        "deviation.returned",
        "deviation.answered",
        "deviation.accepted",
    ]
    with pytest.raises(Conflict):  # accepted: nothing more to answer
        services.answer_deviation(deviation_id=d.pk, actor=verifier, version=d.version, reason="lagi")


def test_a_double_submit_and_two_reviewers_at_once_change_it_once(supervised):
    from tests.factories import staff

    second = staff("uji-kepala-2", "uji", "Kepala UKPBJ")
    d = _one(late_case(supervised.svc))
    seen = d.version
    services.answer_deviation(deviation_id=d.pk, actor=supervised.svc.verifier, version=seen, reason="Gangguan")
    with pytest.raises(Conflict):
        services.answer_deviation(deviation_id=d.pk, actor=supervised.svc.verifier, version=seen, reason="Gangguan")
    seen = Deviation.objects.get(pk=d.pk).version
    services.review_deviation(deviation_id=d.pk, actor=supervised.supervisor, version=seen, accept=True)
    with pytest.raises(Conflict) as refused:
        services.review_deviation(deviation_id=d.pk, actor=second, version=seen, accept=False, note="Kurang jelas")
    assert "sudah ditinjau" in refused.value.message
    d.refresh_from_db()
    assert (d.status, d.reviewer) == (Status.ACCEPTED, supervised.supervisor)
    assert DeviationEvent.objects.filter(deviation=d, action="dijawab").count() == 1


def test_only_the_executor_answers_and_only_the_supervisor_reviews(supervised):
    svc = supervised.svc
    d = _one(late_case(svc))
    with pytest.raises(NotAllowed):  # the supervisor sees it but does not answer for it
        services.answer_deviation(deviation_id=d.pk, actor=supervised.supervisor, version=d.version, reason="x")
    with pytest.raises(NotFound):  # the same lane at another agency does not even see it
        services.answer_deviation(deviation_id=d.pk, actor=svc.other_agency_verifier, version=d.version, reason="x")
    d = services.answer_deviation(deviation_id=d.pk, actor=svc.verifier, version=d.version, reason="Gangguan")
    with pytest.raises(NotAllowed):  # the executor sees it but does not review it
        services.review_deviation(deviation_id=d.pk, actor=svc.verifier, version=d.version, accept=True)
    with pytest.raises(NotFound):
        services.review_deviation(deviation_id=d.pk, actor=svc.no_role, version=d.version, accept=True)


def test_nobody_reviews_their_own_deviation(supervised):
    from loket.staff.models import StaffRole
    from loket.staff.rules import forget_roles

    svc = supervised.svc
    StaffRole.objects.create(user=svc.verifier, unit=svc.unit, role="Kepala UKPBJ")
    forget_roles(svc.verifier)
    d = _one(late_case(svc))
    d = services.answer_deviation(deviation_id=d.pk, actor=svc.verifier, version=d.version, reason="Gangguan")
    with pytest.raises(NotAllowed):
        services.review_deviation(deviation_id=d.pk, actor=svc.verifier, version=d.version, accept=True)


# -- scope --------------------------------------------------------------------------------------------


def _listed(client, user, name):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(reverse(f"console:{name}"))


def test_an_executor_sees_their_own_a_supervisor_their_units_an_outsider_none(client, supervised, other_service):
    svc = supervised.svc
    case = late_case(svc)
    ref = case.reference
    mine = _listed(client, svc.verifier, "my_deviations")
    assert mine.status_code == 200 and ref in mine.content.decode()
    assert _listed(client, svc.verifier, "deviations").status_code == 403  # no SOP to review
    review = _listed(client, supervised.supervisor, "deviations")
    assert review.status_code == 200 and ref in review.content.decode()
    admin = _listed(client, supervised.admin, "deviations")
    assert admin.status_code == 200 and ref in admin.content.decode()
    # The same lane at the unit's other agency: a list of their own, without it.
    other_agency = _listed(client, svc.other_agency_verifier, "my_deviations")
    assert other_agency.status_code == 200 and ref not in other_agency.content.decode()
    # A staff member of another unit: no review list, their own list without it, no page.
    stranger = other_service.staff_of("Petugas Layanan")
    assert _listed(client, stranger, "deviations").status_code == 403
    assert ref not in _listed(client, stranger, "my_deviations").content.decode()
    d = _one(case)
    assert client.get(reverse("console:deviation", args=[d.pk])).status_code == 404
    # An outsider (signed in, no role): refused.
    assert _listed(client, svc.no_role, "my_deviations").status_code == 403
    assert _listed(client, svc.no_role, "deviations").status_code == 403
    assert client.get(reverse("console:deviation", args=[d.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("console:deviations")).status_code == 302  # to the sign-in


def test_an_sop_without_pengawas_is_reviewed_by_a_superuser_only(service):
    from django.contrib.auth import get_user_model

    case = late_case(service)
    admin = get_user_model().objects.create_superuser("admin-lain", password=PASSWORD)
    assert not selectors.may_review(service.verifier)
    assert [d.case for d in selectors.deviation_list(admin, ReportFilter(), mine=False)] == [case]


def test_the_supervisor_of_a_revised_sop_reviews_the_cases_of_its_older_version(supervised):
    from loket.catalog.services import install_sop
    from tests.sop_factory import reset_sop

    case = late_case(supervised.svc)  # on versi 1
    install_sop(text=reset_sop(versi=2) + "pengawas: Kepala Bagian\n", source="v2.yaml")
    from tests.factories import staff

    head = staff("uji-kabag", "uji", "Kepala Bagian")
    assert [d.case for d in selectors.deviation_list(head, ReportFilter(), mine=False)] == [case]
    assert list(selectors.deviation_list(supervised.supervisor, ReportFilter(), mine=False)) == []


# -- filters, counts, nav ------------------------------------------------------------------------------


def test_the_lists_filter_like_the_report_and_by_status_and_kind(client, supervised):
    svc = supervised.svc
    late = late_case(svc)
    missing = submit(svc).case
    Document.objects.filter(case=missing, kode="sk-penunjukan").delete()
    answer(missing, svc.verifier, [(2, "ya")])
    client.force_login(supervised.supervisor)
    url = reverse("console:deviations")

    def refs(**params):  # type: ignore[no-untyped-def]
        response = client.get(url, params)
        assert response.status_code == 200
        return sorted(r["d"].case.reference for r in response.context["rows"])

    assert refs() == sorted([late.reference, missing.reference])
    assert refs(jenis="waktu") == [late.reference]
    assert refs(jenis="persyaratan") == [missing.reference]
    assert refs(status="dijawab") == []
    assert refs(langkah=5) == []
    assert refs(langkah=2, petugas=svc.verifier.pk, layanan=svc.kode) == sorted([late.reference, missing.reference])
    assert refs(instansi=svc.other_agency.pk) == []


def test_the_summary_counts_each_steps_deviations_answered_and_accepted(supervised):
    svc = supervised.svc
    ds = [_one(late_case(svc)) for _ in range(3)]
    a = services.answer_deviation(deviation_id=ds[0].pk, actor=svc.verifier, version=ds[0].version, reason="x")
    services.review_deviation(deviation_id=a.pk, actor=supervised.supervisor, version=a.version, accept=True)
    services.answer_deviation(deviation_id=ds[1].pk, actor=svc.verifier, version=ds[1].version, reason="y")
    summary = selectors.deviation_summary(supervised.supervisor, ReportFilter())
    assert summary == {(svc.version.pk, 2): {"jumlah": 3, "dijawab": 2, "diterima": 1}}
    assert selectors.deviation_summary(svc.no_role, ReportFilter()) == {}


def test_the_report_shows_each_steps_deviations_and_leads_to_their_list(client, supervised):
    """The mutu baku page's step table says how many deviations a step carries and how many are
    answered and accepted; for the reviewer the figure opens the deviation list of that step, in
    the report's filters."""
    svc = supervised.svc
    ds = [_one(late_case(svc)) for _ in range(2)]
    answered = services.answer_deviation(deviation_id=ds[0].pk, actor=svc.verifier, version=ds[0].version, reason="x")
    services.review_deviation(
        deviation_id=answered.pk, actor=supervised.supervisor, version=answered.version, accept=True
    )
    client.force_login(supervised.supervisor)
    page = client.get(reverse("console:mutu_baku"), {"kanal": "web"}).content.decode()
    assert '<th scope="col">Penyimpangan</th>' in page
    [link] = re.findall(r'<a href="([^"]*)">2 \(1 dijawab, 1 diterima\)</a>', page)
    target = client.get(link.replace("&amp;", "&"))
    assert target.status_code == 200
    assert sorted(row["d"].pk for row in target.context["rows"]) == sorted(d.pk for d in ds)
    query = target.wsgi_request.GET
    assert (query["layanan"], query["langkah"], query["kanal"]) == (svc.kode, "2", "web")
    # The executor sees the figures on the report, without a link to a list they may not open.
    client.force_login(svc.verifier)
    page = client.get(reverse("console:mutu_baku")).content.decode()
    assert "<td>2 (1 dijawab, 1 diterima)</td>" in page


def test_the_nav_links_the_deviations_for_those_who_have_something_there(client, supervised):
    svc = supervised.svc
    client.force_login(svc.verifier)
    assert "Penyimpangan" not in client.get(reverse("console:queue")).content.decode()
    late_case(svc)
    page = client.get(reverse("console:queue")).content.decode()
    assert reverse("console:my_deviations") in page and "Penyimpangan saya (1)" in page
    client.force_login(supervised.supervisor)
    assert reverse("console:deviations") in client.get(reverse("console:queue")).content.decode()
    client.force_login(svc.no_role)
    assert "Penyimpangan" not in client.get(reverse("console:queue")).content.decode()


# -- the pages ------------------------------------------------------------------------------------------


def test_the_case_page_asks_why_a_late_step_is_late_and_answers_with_it(client, supervised):
    svc = supervised.svc
    case = submit(svc).case
    client.force_login(svc.verifier)
    url = reverse("console:case", args=[case.pk])
    assert "Alasan keterlambatan" not in client.get(url).content.decode()
    started_long_ago(case, 2)
    page = client.get(url).content.decode()
    assert "Alasan keterlambatan" in page and 'name="alasan-terlambat-2"' in page
    case.refresh_from_db()
    response = client.post(
        url, {"version": case.version, "jawaban-2": "ya", "alasan-terlambat-2": "Listrik padam pukul 09.00"}
    )
    assert response.status_code == 302
    d = _one(case)
    assert (d.status, d.reason, d.executor) == (Status.ANSWERED, "Listrik padam pukul 09.00", svc.verifier)


def test_answering_and_reviewing_on_the_pages_and_a_stale_form_keeps_the_text(client, supervised):
    svc = supervised.svc
    d = _one(late_case(svc))
    client.force_login(svc.verifier)
    url = reverse("console:deviation_answer", args=[d.pk])
    back = reverse("console:my_deviations") + "?jenis=waktu"
    done = client.post(url, {"version": d.version, "alasan": "Gangguan jaringan", "next": back})
    assert done.status_code == 302 and done["Location"] == back
    stale = client.post(url, {"version": d.version, "alasan": "Teks yang tidak boleh hilang"})
    assert stale.status_code == 409
    assert "sudah" in stale.content.decode()
    d.refresh_from_db()
    client.force_login(supervised.supervisor)
    review = reverse("console:deviation_review", args=[d.pk])
    missing_note = client.post(review, {"version": d.version, "keputusan": "kembalikan", "catatan": ""})
    assert missing_note.status_code == 400 and "Tulis catatan" in missing_note.content.decode()
    assert (
        client.post(review, {"version": d.version, "keputusan": "kembalikan", "catatan": "Jam berapa?"}).status_code
        == 302
    )
    stale_review = client.post(review, {"version": d.version, "keputusan": "terima", "catatan": "Catatan saya tetap"})
    assert stale_review.status_code == 409
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    # The executor's page: returned, their new reason refused once (stale) keeps its text.
    client.force_login(svc.verifier)
    old = d.version - 1
    kept = client.post(url, {"version": old, "alasan": "Teks yang tidak boleh hilang"})
    assert kept.status_code == 409 and "Teks yang tidak boleh hilang" in kept.content.decode()
    page = client.get(reverse("console:deviation", args=[d.pk])).content.decode()
    assert "Jam berapa?" in page and "Gangguan jaringan" in page


def test_the_review_list_reads_a_fixed_number_of_queries_however_many_rows(client, supervised):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    svc = supervised.svc
    d = _one(late_case(svc))
    services.answer_deviation(deviation_id=d.pk, actor=svc.verifier, version=d.version, reason="Gangguan")
    client.force_login(supervised.supervisor)
    url = reverse("console:deviations")
    client.get(url)  # the session is saved once, after the first page
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        late_case(svc)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(response.context["rows"]) == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
