"""The survey's pages: the requester's form by the mailed link (no sign-in), and the console's IKM
page with its exports, in scope. Done when: a requester answers the survey and the IKM changes."""

from __future__ import annotations

import io
import secrets

import openpyxl
import pytest
from django.urls import reverse

from loket.survey.models import Response
from tests.survey.helpers import SCORES, ended, path_of, survey_link

pytestmark = pytest.mark.django_db

PAGE = reverse("console:survey")


def _ikm_block(body: str) -> str:
    start = body.index('id="ikm"')
    return body[start : body.index("</section>", start)]


def test_a_requester_answers_the_survey_and_the_ikm_changes(client, service):
    case = ended(service, "done")
    staff = client.__class__()
    staff.force_login(service.verifier)
    before = staff.get(PAGE).content.decode()
    assert "Belum ada jawaban survei" in _ikm_block(before)

    link = path_of(survey_link(case))
    form = client.get(link)
    assert form.status_code == 200
    body = form.content.decode()
    assert "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?" in body
    assert "Sangat mahal" in body and "Gratis" in body
    assert form["Referrer-Policy"] == "same-origin"
    assert case.reference not in body  # the survey does not name the respondent's request

    sent = client.post(link, {**SCORES, "comment": "Petugas ramah."})
    assert sent.status_code == 302 and sent["Location"] == reverse("survei:thanks")
    assert "Penilaian Anda sudah kami terima" in client.get(sent["Location"]).content.decode()

    # 4,3,3,4,3,4,4,3,3 from one respondent: Σ 31 / 9 × 25 = 86.11 → B Baik.
    after = _ikm_block(staff.get(PAGE).content.decode())
    assert "86,11" in after and "Baik" in after and "grade-B" in after


def test_opening_the_link_never_uses_it_and_a_used_link_says_so(client, service):
    case = ended(service, "done")
    link = path_of(survey_link(case))
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    assert client.post(link, SCORES).status_code == 302
    again = client.get(link)
    assert again.status_code == 200 and "sudah diisi" in again.content.decode()
    twice = client.post(link, SCORES)
    assert "sudah diisi" in twice.content.decode()
    assert Response.objects.filter(case=case).count() == 1


def test_a_wrong_token_is_a_plain_404(client, service):
    ended(service, "done")
    response = client.get(reverse("survei:form", args=[secrets.token_urlsafe(32)]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "sudah diisi" not in body and "berakhir" not in body
    assert client.post(reverse("survei:form", args=["x"]), SCORES).status_code == 404


def test_a_form_with_gaps_says_what_is_missing_and_keeps_every_choice(client, service):
    case = ended(service, "done")
    link = path_of(survey_link(case))
    partial = {k: v for k, v in SCORES.items() if k not in {"waktu", "sarana"}}
    response = client.post(link, {**partial, "comment": "Antrian <b>lama</b>"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "2 dari 9 pertanyaan belum dijawab." in body
    assert body.count("Pertanyaan ini belum dijawab.") == 4  # in the summary and at each question
    assert 'name="persyaratan" value="4" checked' in body
    assert "Antrian &lt;b&gt;lama&lt;/b&gt;</textarea>" in body
    assert not Response.objects.exists()


def test_the_console_page_is_for_staff_of_the_unit(client, service, other_service, superuser):
    mine = ended(service, "done")
    client.post(path_of(survey_link(mine)), {**SCORES, "comment": "Cepat."})
    assert client.get(PAGE).status_code == 302  # not signed in: to the sign-in
    client.force_login(service.no_role)
    assert client.get(PAGE).status_code == 403
    client.force_login(other_service.staff_of("Petugas Layanan"))
    other = client.get(PAGE).content.decode()
    assert "Belum ada jawaban survei" in _ikm_block(other) and "Cepat." not in other
    assert client.get(PAGE, {"unit": service.unit.kode}).status_code == 200
    assert "Cepat." not in client.get(PAGE, {"unit": service.unit.kode}).content.decode()
    client.force_login(superuser)
    everything = client.get(PAGE).content.decode()
    assert "86,11" in _ikm_block(everything) and "Cepat." in everything


def test_respondents_are_counted_against_the_sample_and_comments_escaped(client, service):
    first, second = ended(service, "done"), ended(service, "refused")
    ended(service, "withdrawn")  # not in the population: not served to the end
    client.post(path_of(survey_link(first)), {**SCORES, "comment": "<script>alert(1)</script>"})
    client.force_login(service.verifier)
    body = client.get(PAGE).content.decode()
    assert "dari sampel minimal 2 (populasi 2 permohonan selesai)" in body
    assert "Responden belum mencapai sampel minimal." in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    client.post(path_of(survey_link(second)), SCORES)
    body = client.get(PAGE).content.decode()
    assert "Responden belum mencapai sampel minimal." not in body


def test_the_exports_carry_typed_cells_and_never_a_formula(client, service):
    case = ended(service, "done")
    client.post(path_of(survey_link(case)), {**SCORES, "comment": '=HYPERLINK("http://x")'})
    client.force_login(service.verifier)
    elements = client.get(PAGE, {"format": "csv", "tabel": "unsur"})
    assert elements["Content-Type"] == "text/csv; charset=utf-8"
    lines = elements.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "no,unsur,jumlah nilai,NRR,NRR × 25,mutu,kinerja"
    assert lines[1] == "1,Persyaratan,4,4.0000,100.00,A,Sangat Baik"
    assert len(lines) == 10
    comments = client.get(PAGE, {"format": "csv", "tabel": "saran"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in comments

    book = openpyxl.load_workbook(io.BytesIO(client.get(PAGE, {"format": "xlsx"}).content))
    assert book.sheetnames == ["ringkasan", "Nilai per unsur", "Per layanan", "Saran dan masukan"]
    summary = {row[0].value: row[1].value for row in book["ringkasan"].iter_rows()}
    assert summary["IKM"] == pytest.approx(86.11) and summary["mutu pelayanan"] == "B"
    sheet = book["Nilai per unsur"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:G10"
    assert sheet["D2"].value == 4 and sheet["D2"].data_type == "n"
    assert book["Per layanan"]["A2"].value == service.unit.kode
    text = book["Saran dan masukan"]["D2"]
    assert (text.value, text.data_type) == ('=HYPERLINK("http://x")', "s")
