"""The mutu baku report (issue 12, point 1) against hand-computed figures.

The cases run through the real services on a test SOP (tests/sop_factory.py: happy path
1-2-5-6-8-9, standards 2: 10, 5: 15, 6/8/9: 5, happy path 40 minutes); then the stored minutes of
steps 2 and 5 are set to known values, as the working-minute calendar would have written them, and
the tallies the report reads are counted again from the steps (`retally`, what `loket tally
rebuild` does), since the services counted the minutes they wrote:

    case   step 2 (std 10)   step 5 (std 15)   staff total   requester step 1 (hours)
    A             4                20               24               2
    B            12                15               27               4
    C            10                 6               16               6
    D      running (due an hour ago)                    0               1

Step 2: finished [4, 10, 12]: median 10, p90 = 10 + 0.8 * (12 - 10) = 11.6, within 2 (10 <= 10),
overdue 1, running 1 (late). Step 5: [6, 15, 20]: median 15, p90 = 15 + 0.8 * 5 = 19, within 2,
overdue 1. Steps 6, 8, 9: the system's, 0 minutes each. Requester step 1: [1, 2, 4, 6] hours:
median 3, p90 = 4 + 0.7 * 2 = 5.4.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from loket.cases.models import Case, StepRun
from loket.cases.services import Decision, StepAnswer, decide
from loket.catalog.selectors import parsed
from loket.registration.models import Registration
from loket.reports import mutu_baku
from loket.reports.mutu_baku import ReportFilter
from loket.tallies.services import rebuild as retally
from tests.sop_factory import HAPPY_MINUTES, VERIFIER, Service, make_service, submit

pytestmark = pytest.mark.django_db

LATER = timezone.now() + dt.timedelta(days=400)  # "now" for the report: every running step is late
MINUTES = {"A": (4, 20), "B": (12, 15), "C": (10, 6)}
REQUESTER_HOURS = {"A": 2, "B": 4, "C": 6, "D": 1}


def _answer(case: Case, actor, answers):  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    sop = parsed(case.sop)
    ticked = [
        i
        for no, ans in answers
        if ans == "ya" and sop.step(no).aksi == "periksa-kelengkapan"
        for i in range(len(sop.step(no).kelengkapan))
    ]
    decide(
        case_id=case.pk,
        actor=actor,
        version=case.version,
        decision=Decision(
            answers=[StepAnswer(no, ans, "" if ans == "ya" else "Berkas tidak cocok") for no, ans in answers],
            values={"kelengkapan": ticked},
        ),
    )


def _set(case: Case, step: int, **fields) -> None:  # type: ignore[no-untyped-def]
    StepRun.objects.filter(case=case, step=step).update(**fields)


def _requester_wait(case: Case, hours: int) -> None:
    run = case.steps.get(step=1)
    run.started_at = run.finished_at - dt.timedelta(hours=hours)
    run.save(update_fields=["started_at"])


@pytest.fixture
def cases(service: Service) -> dict[str, Case]:
    out = {}
    for name in "ABCD":
        out[name] = submit(service).case
        _requester_wait(out[name], REQUESTER_HOURS[name])
    for name, (two, five) in MINUTES.items():
        _answer(out[name], service.verifier, [(2, "ya"), (5, "ya")])
        _set(out[name], 2, working_minutes=two)
        _set(out[name], 5, working_minutes=five)
    _set(out["D"], 2, due_at=timezone.now() - dt.timedelta(hours=1))
    retally()
    return out


def _by_step(rows):  # type: ignore[no-untyped-def]
    return {row.step: row for row in rows}


def test_it_measures_each_step_against_its_standard(service, cases):
    rows = _by_step(mutu_baku.step_rows(service.verifier, ReportFilter(), now=LATER))
    assert sorted(rows) == [2, 5, 6, 8, 9]
    two, five = rows[2], rows[5]
    assert (two.standard, two.count, two.median, two.p90) == (10, 3, 10, pytest.approx(11.6))
    assert (two.within, two.overdue, two.running, two.running_late) == (2, 1, 1, 1)
    assert two.share_within == pytest.approx(2 / 3)
    assert two.lane == VERIFIER
    assert (five.standard, five.count, five.median, five.p90) == (15, 3, 15, pytest.approx(19))
    assert (five.within, five.overdue, five.running) == (2, 1, 0)
    assert [(rows[n].count, rows[n].median, rows[n].p90, rows[n].share_within) for n in (6, 8, 9)] == [
        (3, 0, 0, 1.0)
    ] * 3


def test_it_does_not_count_a_running_step_late_before_its_due_time(service, cases):
    rows = _by_step(mutu_baku.step_rows(service.verifier, ReportFilter(), now=timezone.now() - dt.timedelta(days=1)))
    assert (rows[2].running, rows[2].running_late) == (1, 0)


def test_it_totals_each_case_against_the_path_it_took_and_the_happy_path(service, cases):
    rows, total = mutu_baku.case_rows(service.verifier, ReportFilter())
    assert total == 4
    got = {r.reference: (r.working, r.path_standard, r.happy_standard, r.steps, r.overdue) for r in rows}
    assert got == {
        cases["A"].reference: (24, HAPPY_MINUTES, HAPPY_MINUTES, 5, 1),
        cases["B"].reference: (27, HAPPY_MINUTES, HAPPY_MINUTES, 5, 1),
        cases["C"].reference: (16, HAPPY_MINUTES, HAPPY_MINUTES, 5, 0),
        cases["D"].reference: (0, 0, HAPPY_MINUTES, 0, 0),
    }
    assert [r.reference for r in rows] == [cases[n].reference for n in "DCBA"]  # newest first


def test_a_refused_case_is_held_to_the_path_it_took(service):
    case = submit(service).case
    _answer(case, service.verifier, [(2, "ya"), (5, "tidak")])
    _set(case, 2, working_minutes=30)
    _set(case, 5, working_minutes=15)
    retally()
    [row], _total = mutu_baku.case_rows(service.verifier, ReportFilter())
    taken = sum(r.standard_minutes or 0 for r in case.steps.exclude(by=StepRun.By.REQUESTER))
    assert taken == 10 + 15 + 5  # steps 2, 5 and 7 (the refusal)
    assert (row.working, row.path_standard, row.happy_standard) == (45, taken, HAPPY_MINUTES)
    assert row.over_path and row.over_happy


def test_the_requesters_waits_are_kept_apart(service, cases):
    waits = mutu_baku.wait_rows(service.verifier, ReportFilter())
    assert [(w.step, w.count, w.running) for w in waits] == [(1, 4, 0)]
    assert waits[0].median_hours == pytest.approx(3)
    assert waits[0].p90_hours == pytest.approx(5.4)
    # ... and step 1 (the requester's) is in no staff figure
    assert 1 not in _by_step(mutu_baku.step_rows(service.verifier, ReportFilter()))


def test_a_training_wait_is_its_own_row(service, cases):
    since = timezone.now() - dt.timedelta(days=3)
    for name, days in (("A", 1), ("B", 2)):
        Registration.objects.create(
            case=cases[name],
            head_position="Kepala Dinas",
            candidate_name="Calon",
            candidate_nip="199204172018011003",
            candidate_email="calon@instansi.go.id",
            candidate_phone="0812",
            candidate_position="Staf",
            sk_number="1/2026",
            sk_date=dt.date(2026, 1, 5),
            waiting_since=since,
            trained_at=since + dt.timedelta(days=days),
        )
    waits = mutu_baku.wait_rows(service.verifier, ReportFilter())
    training = [w for w in waits if w.is_training]
    assert [(w.count, w.running, w.median_hours, w.p90_hours) for w in training] == [
        (2, 0, pytest.approx(36), pytest.approx(45.6))
    ]
    # the staff figures do not move
    assert _by_step(mutu_baku.step_rows(service.verifier, ReportFilter()))[2].count == 3
    # a step filter is about steps: no training row then
    assert not [w for w in mutu_baku.wait_rows(service.verifier, ReportFilter(step=1)) if w.is_training]


@pytest.mark.parametrize(
    ("spec", "steps", "cases_seen"),
    [
        (ReportFilter(step=5), [5], "ABC"),
        (ReportFilter(lane=VERIFIER), [2, 5, 6, 8, 9], "ABCD"),
        (ReportFilter(lane="Tidak Ada"), [], ""),
        (ReportFilter(channel="email"), [], ""),
        (ReportFilter(channel="web"), [2, 5, 6, 8, 9], "ABCD"),
        (ReportFilter(versi=2), [], ""),
        (ReportFilter(versi=1), [2, 5, 6, 8, 9], "ABCD"),
        (ReportFilter(sop="lain"), [], ""),
    ],
)
def test_each_filter_narrows_the_rows(service, cases, spec, steps, cases_seen):
    assert sorted(_by_step(mutu_baku.step_rows(service.verifier, spec))) == steps
    rows, total = mutu_baku.case_rows(service.verifier, spec)
    assert sorted(r.reference for r in rows) == sorted(cases[n].reference for n in cases_seen)
    assert total == len(cases_seen)


def test_the_sop_unit_and_agency_filters(service, cases):
    assert mutu_baku.case_rows(service.verifier, ReportFilter(sop=service.kode))[1] == 4
    assert mutu_baku.case_rows(service.verifier, ReportFilter(unit=service.unit.kode))[1] == 4
    assert mutu_baku.case_rows(service.verifier, ReportFilter(unit="lain"))[1] == 0
    assert mutu_baku.case_rows(service.verifier, ReportFilter(agency=service.agency.pk))[1] == 4
    assert mutu_baku.case_rows(service.verifier, ReportFilter(agency=service.other_agency.pk))[1] == 0


def test_the_staff_member_filter_counts_only_their_steps(service, cases):
    other = service.other_agency_verifier
    StepRun.objects.filter(case=cases["C"], step=2).update(actor=other)
    retally()
    mine = _by_step(mutu_baku.step_rows(service.verifier, ReportFilter(staff=service.verifier.pk)))
    assert sorted(mine) == [2, 5]  # the system's steps have no actor
    assert (mine[2].count, mine[2].median, mine[5].count) == (2, 8, 3)
    theirs = _by_step(mutu_baku.step_rows(service.verifier, ReportFilter(staff=other.pk)))
    assert [(n, r.count, r.median) for n, r in theirs.items()] == [(2, 1, 10)]
    rows, _total = mutu_baku.case_rows(service.verifier, ReportFilter(staff=other.pk))
    assert [(r.reference, r.working) for r in rows] == [(cases["C"].reference, 16)]  # the whole case


def test_the_period_is_the_local_day_the_case_was_submitted(service, cases):
    zone = timezone.get_fixed_timezone(8 * 60)  # the test unit is WITA
    submitted = cases["A"].created_at.astimezone(zone).date()
    Case.objects.filter(pk=cases["B"].pk).update(created_at=cases["B"].created_at - dt.timedelta(days=10))
    retally()
    on_the_day = ReportFilter(date_from=submitted, date_to=submitted)
    assert mutu_baku.case_rows(service.verifier, on_the_day)[1] == 3
    before = ReportFilter(date_to=submitted - dt.timedelta(days=1))
    assert [r.reference for r in mutu_baku.case_rows(service.verifier, before)[0]] == [cases["B"].reference]
    assert _by_step(mutu_baku.step_rows(service.verifier, before))[2].count == 1


def test_staff_of_another_unit_see_none_of_these_rows(service, cases, other_service):
    for user in (other_service.staff_of(VERIFIER, "Dinas Perumahan Rakyat"), other_service.staff_of("Petugas Layanan")):
        full = mutu_baku.report(user, ReportFilter())
        assert (full.steps, full.cases, full.cases_total, full.waits) == ([], [], 0, [])


def test_the_other_agency_sees_none_of_this_agencys_cases(service, cases):
    full = mutu_baku.report(service.other_agency_verifier, ReportFilter())
    assert (full.steps, full.cases, full.waits) == ([], [], [])


def test_a_user_without_a_unit_sees_nothing_and_a_superuser_everything(service, cases, superuser):
    assert not mutu_baku.may_read(service.no_role)
    assert mutu_baku.report(service.no_role, ReportFilter()).cases_total == 0
    assert mutu_baku.may_read(superuser)
    assert mutu_baku.report(superuser, ReportFilter()).cases_total == 4


# -- the page and the CSV -------------------------------------------------------------------------

URL = "/konsol/laporan/mutu-baku/"


def _client(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_the_page_shows_the_tables(client, service, cases):
    page = _client(client, service.verifier).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<table class="data report">') == 3
    assert html.count('class="table-scroll"') == 3
    assert cases["A"].reference in html
    assert reverse("console:mutu_baku") == URL


def test_the_console_nav_links_the_report_for_staff_with_a_unit(client, service):
    assert URL in _client(client, service.verifier).get(reverse("console:queue")).content.decode()
    client.logout()
    assert URL not in _client(client, service.no_role).get(reverse("console:queue")).content.decode()


def test_a_user_without_a_unit_is_refused(client, service):
    assert _client(client, service.no_role).get(URL).status_code == 403
    assert _client(client, service.no_role).get(URL + "?format=csv").status_code == 403


def test_a_stranger_is_sent_to_sign_in(client):
    page = client.get(URL)
    assert page.status_code == 302 and "/konsol/masuk/" in page["Location"]


def test_a_bad_filter_is_shown_not_guessed(client, service, cases):
    page = _client(client, service.verifier).get(URL + "?langkah=abc")
    assert page.status_code == 200
    assert 'class="error"' in page.content.decode()


def _csv(client, query: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    got = client.get(URL + "?format=csv&" + query)
    assert got.status_code == 200
    assert got["Content-Type"].startswith("text/csv")
    assert "attachment" in got["Content-Disposition"]
    body = b"".join(got.streaming_content) if got.streaming else got.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_each_tables_csv_holds_the_pages_numbers(client, service, cases):
    _client(client, service.verifier)
    header, *rows = _csv(client, "tabel=langkah&langkah=2")
    assert len(rows) == 1
    line = dict(zip(header, rows[0], strict=True))
    assert (line["langkah"], line["mutu baku (menit)"], line["jumlah selesai"]) == ("2", "10", "3")
    assert (line["median (menit)"], line["persentil 90 (menit)"]) == ("10", "11.6")
    assert (line["dalam mutu baku (%)"], line["melewati mutu baku"], line["berjalan lewat tenggat"]) == (
        "66.7",
        "1",
        "1",
    )
    page = client.get(URL + "?langkah=2").content.decode()
    assert "<td>11,6</td>" in page and "<td>66,7</td>" in page
    header, *rows = _csv(client, "tabel=permohonan")
    totals = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert totals[cases["A"].reference]["menit kerja"] == "24"
    assert totals[cases["A"].reference]["mutu baku jalur yang ditempuh (menit)"] == str(HAPPY_MINUTES)
    # a time names its zone in its heading and in its cell
    submitted = next(h for h in header if h.startswith("diajukan"))
    assert submitted == "diajukan (waktu setempat: WITA)"
    assert totals[cases["A"].reference][submitted].endswith(" WITA")
    header, *rows = _csv(client, "tabel=tunggu")
    assert [dict(zip(header, r, strict=True))["median (jam)"] for r in rows] == ["3"]
    assert client.get(URL + "?format=csv&tabel=lain").status_code == 404


def test_the_csv_cannot_run_a_formula(client, service, cases):
    Case.objects.filter(pk=cases["A"].pk).update(reference="=HYPERLINK(1)")
    service.agency.name = "+Dinas"
    service.agency.save()
    _client(client, service.verifier)
    rows = _csv(client, "tabel=permohonan")
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(1)" in cells and "'+Dinas" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]


def test_the_numbers_are_the_case_pages_numbers(client, service, cases):
    """The case page's "menit kerja / mutu baku" for the case, summed, is the report's total."""
    case = cases["B"]
    page = _client(client, service.verifier).get(reverse("console:case", args=[case.pk])).content.decode()
    shown = [(int(w), int(s)) for w, s in re.findall(r"<td>(\d+) / (\d+)", page)]
    assert shown == [(12, 10), (15, 15), (0, 5), (0, 5), (0, 5)]
    assert "melewati mutu baku" in page
    rows, _total = mutu_baku.case_rows(service.verifier, ReportFilter())
    row = next(r for r in rows if r.reference == case.reference)
    assert (row.working, row.path_standard) == (sum(w for w, _ in shown), sum(s for _, s in shown))


# -- a built-in SOP, and no SOP in the code -------------------------------------------------------


def test_a_built_in_sop_reports_the_same_way(people):
    from tests.factories import sop_version

    account = people.ppk
    from loket.cases.services import submit_request
    from tests.factories import pdf_bytes, png_bytes

    case = submit_request(
        sop_version=sop_version("kaltim-reset-ppk"),
        channel="web",
        need="password",
        files=[("surat-permohonan", "surat.pdf", pdf_bytes()), ("sk-pengangkatan", "sk.png", png_bytes())],
        name=account.name,
        email="pemohon.baru@gmail.com",
        user_id=account.user_id,
        agency_id=account.agency_id,
    ).case
    _answer(case, people.aa_pupr, [(2, "ya"), (5, "ya")])
    _set(case, 2, working_minutes=7)
    _set(case, 5, working_minutes=11)
    retally()
    report = mutu_baku.report(people.aa_pupr, ReportFilter(sop="kaltim-reset-ppk"))
    rows = _by_step(report.steps)
    assert (rows[2].standard, rows[2].median, rows[5].standard, rows[5].median) == (5, 7, 10, 11)
    assert (rows[2].overdue, rows[5].overdue) == (1, 1)
    [row] = report.cases
    assert (row.working, row.happy_standard) == (18, 35)  # the happy path 1-2-5-6-8-9 is 35 minutes
    assert [w.step for w in report.waits] == [1]


def test_no_sop_unit_or_lane_is_named_in_the_code():
    source = "\n".join(p.read_text() for p in Path(mutu_baku.__file__).parent.rglob("*.py"))
    for word in ("kaltim", "magelang", "kkp", "sbt", "Admin Agency", "PPK", "Helpdesk", "Kepala LPSE"):
        assert word not in source


def test_a_second_test_sop_of_its_own_shape(db):
    """An SOP written here, with its own lanes and standards, reports with no code change."""
    own = make_service(unit="uji-dua", lanes={2: "Petugas Meja"}, lingkup_instansi=(), waktu={2: 3, 5: 7})
    case = submit(own).case
    _answer(case, own.staff_of("Petugas Meja"), [(2, "ya")])
    _answer(case, own.staff_of(VERIFIER), [(5, "ya")])
    _set(case, 2, working_minutes=3)
    _set(case, 5, working_minutes=9)
    retally()
    rows = _by_step(mutu_baku.step_rows(own.staff_of("Petugas Meja"), ReportFilter()))
    assert [(rows[n].lane, rows[n].standard, rows[n].within, rows[n].overdue) for n in (2, 5)] == [
        ("Petugas Meja", 3, 1, 0),
        (VERIFIER, 7, 0, 1),
    ]
    [row], _t = mutu_baku.case_rows(own.staff_of("Petugas Meja"), ReportFilter())
    assert (row.working, row.happy_standard) == (12, 3 + 7 + 15)


def test_a_weekend_and_a_holiday_are_not_working_minutes(client, service, monkeypatch):
    """Handed in on Friday 14 August 2026 at 15:50 WITA, checked on Tuesday 18 August at 08:20
    (Saturday, Sunday and Monday 17 August, Independence Day, in between): 10 + 20 = 30 working
    minutes, on the case page and in the report alike."""
    wita = zoneinfo.ZoneInfo("Asia/Makassar")
    case = submit(service, at=dt.datetime(2026, 8, 14, 15, 50, tzinfo=wita)).case
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 8, 18, 8, 20, tzinfo=wita))
    case.refresh_from_db()
    decide(
        case_id=case.pk,
        actor=service.verifier,
        version=case.version,
        decision=Decision(answers=[StepAnswer(2, "ya", "")], values={"kelengkapan": [0, 1]}),
    )
    assert case.steps.get(step=2).working_minutes == 30
    page = _client(client, service.verifier).get(reverse("console:case", args=[case.pk])).content.decode()
    assert "<td>30 / 10" in page
    two = _by_step(mutu_baku.step_rows(service.verifier, ReportFilter()))[2]
    assert (two.count, two.median, two.overdue) == (1, 30, 1)
    [row], _total = mutu_baku.case_rows(service.verifier, ReportFilter())
    assert (row.working, row.path_standard) == (30, 10)
