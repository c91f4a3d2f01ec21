"""Documents per role (`peran` on a `berkas`): a requester who is a PP is asked for the PP's
decree, not the PPK's, wherever the documents of a request are chosen: the portal form (the
fields, the server's rule), the API, the console's completeness checklist, the mail asking for
what is missing, the start page; on an SOP of a test unit written here and on the built-in
Magelang SOP (versi 4)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from loket.cases.asked import for_whom
from loket.cases.models import Case, Status
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.catalog.services import install_builtin, install_sop
from loket.notify.models import OutboxMessage
from loket.sop import model
from tests.cases.test_services import answer_run
from tests.factories import account, pdf_bytes
from tests.sop_factory import AGENCIES, Berkas, make_service, reset_sop

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = ("PPK", "PP", "Pokja Pemilihan")
PER_ROLE_BERKAS = (
    Berkas("surat-pengajuan", "Surat pengajuan pemulihan akun SPSE"),
    Berkas("sk-ppk", "SK penunjukan sebagai PPK"),
    Berkas("sk-pp", "SK penunjukan sebagai PP"),
    Berkas("sk-pokja", "SK penunjukan sebagai anggota Pokja Pemilihan"),
)
PER_ROLE = {"sk-ppk": "PPK", "sk-pp": "PP", "sk-pokja": "Pokja Pemilihan"}
FORM_URL = reverse("portal:form", args=["uji", "uji-pulih-akun"])
MAGELANG_URL = reverse("portal:form", args=["magelang", "magelang-reset-ppk"])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def per_role_text() -> str:
    """The test unit's reset SOP for PPK, PP and Pokja Pemilihan, each with its own decree."""
    text = reset_sop(peran_akun=ROLES, berkas=PER_ROLE_BERKAS)
    for kode, role in PER_ROLE.items():
        text = text.replace(f"  - kode: {kode}\n", f'  - kode: {kode}\n    peran: ["{role}"]\n')
    return text


@pytest.fixture
def per_role():  # type: ignore[no-untyped-def]
    service = make_service(text=per_role_text(), berkas=PER_ROLE_BERKAS)
    pp = account(
        "uji",
        "pp.dpr.uji",
        role="PP",
        agency_name=AGENCIES[0],
        name="Dewi Lestari",
        nip="199001012015032004",
        email="pp.dpr@uji.go.id",
    )
    return service, pp


@pytest.fixture
def magelang_pp(people):  # type: ignore[no-untyped-def]
    pp = account("magelang", "pp.dikbud", role="PP", agency_name="Dinas Pendidikan", name="Dewi Lestari")
    return people, pp


def pdf(name: str, seed: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(seed), "application/pdf")


def form_token(client: Client, url: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    assert match
    return match.group(1)


def post_form(client: Client, url: str, holder, files: dict[str, Any], **changes: Any):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {
        "form_token": form_token(client, url),
        "user_id": holder.user_id,
        "name": holder.name,
        "email": "pemohon.baru@gmail.com",
        "agency": str(holder.agency_id),
        "need": "password",
        "role": holder.role,
        **{f"berkas-{kode}": upload for kode, upload in files.items()},
    }
    data.update(changes)
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def api_submit(client: Client, unit: str, service: str, holder, files: dict[str, Any], **changes: Any):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {
        "unit": unit,
        "service": service,
        "need": "password",
        "name": holder.name,
        "email": "pemohon.baru@gmail.com",
        "user_id": holder.user_id,
        "agency": holder.agency_id,
        "role": holder.role,
        **files,
    }
    data.update(changes)
    return client.post(f"{API}/requests", data={k: v for k, v in data.items() if v is not None})


def checklist(client: Client, staff, case: Case) -> list[str]:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    response = client.get(reverse("console:case", args=[case.pk]))
    assert response.status_code == 200
    return [item["b"].kode for item in response.context["berkas"]]


# -- the portal form ------------------------------------------------------------------------------


def test_the_form_asks_the_role_and_names_the_role_of_each_decree(client, per_role):
    page = client.get(FORM_URL).content.decode()
    assert re.findall(r'name="role" value="([^"]+)"', page) == list(ROLES)
    assert "Peran Anda" in page and "web/role-documents.js" in page
    # Without the script every role's decree shows, its role in its label and on its element,
    # and none of them is required of the browser (the chosen role's is, by the server).
    for kode, role in PER_ROLE.items():
        assert f'data-peran="{role}" data-wajib' in page
        field = re.search(rf'<input type="file" name="berkas-{kode}"[^>]*>', page)
        assert field and "required" not in field.group(0)
    assert "SK penunjukan sebagai PP (untuk PP)" in page
    assert "SK penunjukan sebagai PPK (untuk PPK)" in page
    assert "SK penunjukan sebagai anggota Pokja Pemilihan (untuk Pokja Pemilihan)" in page
    common = re.search(r'<input type="file" name="berkas-surat-pengajuan"[^>]*>', page)
    assert common and "required" in common.group(0)


def test_a_pp_without_the_pp_decree_is_refused_beside_that_field(client, per_role):
    service, pp = per_role
    response = post_form(client, FORM_URL, pp, {"surat-pengajuan": pdf("surat.pdf"), "sk-ppk": pdf("sk.pdf", 2)})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["berkas-sk-pp"]
    assert errors["berkas-sk-pp"] == ["SK penunjukan sebagai PP wajib dilampirkan."]
    assert Case.objects.count() == 0


def test_a_pp_is_accepted_without_the_ppk_decree_and_the_case_keeps_the_role(client, per_role):
    service, pp = per_role
    response = post_form(client, FORM_URL, pp, {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf", 2)})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.requester_role == "PP"
    assert sorted(case.documents.values_list("kode", flat=True)) == ["sk-pp", "surat-pengajuan"]


def test_a_file_chosen_for_another_roles_decree_is_left_out(client, per_role):
    service, pp = per_role
    files = {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk-pp.pdf", 2), "sk-ppk": pdf("sk-ppk.pdf", 3)}
    assert post_form(client, FORM_URL, pp, files).status_code == 302
    assert sorted(Case.objects.get().documents.values_list("kode", flat=True)) == ["sk-pp", "surat-pengajuan"]


def test_the_role_must_be_chosen_when_the_directory_does_not_tell_it(client, per_role):
    service, pp = per_role
    files = {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf", 2)}
    response = post_form(client, FORM_URL, pp, files, role=None, user_id="belum.terdaftar")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["role"]
    assert "Pilih peran Anda: PPK, PP, Pokja Pemilihan." in errors["role"][0]


def test_the_start_page_names_the_role_beside_each_decree(client, per_role):
    page = client.get(reverse("portal:start"), {"unit": "uji"}).content.decode()
    assert 'SK penunjukan sebagai PP <span class="muted">(untuk PP)</span>' in page
    assert "Surat pengajuan pemulihan akun SPSE</li>" in page


def test_the_sop_page_names_the_role_beside_each_decree(client, per_role):
    page = client.get(reverse("web:sop_detail", args=["uji-pulih-akun"])).content.decode()
    assert 'SK penunjukan sebagai anggota Pokja Pemilihan <span class="muted">(untuk Pokja Pemilihan)</span>' in page


# -- the API --------------------------------------------------------------------------------------


def test_the_api_lists_each_documents_roles(client, per_role):
    services = {s["service"]: s for s in client.get(f"{API}/services").json()}
    documents = {d["kode"]: d["roles"] for d in services["uji-pulih-akun"]["documents"]}
    assert documents == {"surat-pengajuan": [], "sk-ppk": ["PPK"], "sk-pp": ["PP"], "sk-pokja": ["Pokja Pemilihan"]}


def test_the_api_asks_a_pp_for_the_pp_decree_and_not_the_ppk_one(client, per_role):
    service, pp = per_role
    refused = api_submit(client, "uji", "uji-pulih-akun", pp, {"surat-pengajuan": pdf("surat.pdf")})
    assert refused.status_code == 400
    assert refused.json()["problems"] == {"sk-pp": "SK penunjukan sebagai PP wajib dilampirkan."}
    other = api_submit(
        client,
        "uji",
        "uji-pulih-akun",
        pp,
        {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("a.pdf"), "sk-ppk": pdf("b.pdf")},
    )
    assert other.status_code == 400
    assert "bukan berkas untuk peran PP" in other.json()["problems"]["sk-ppk"]
    accepted = api_submit(
        client, "uji", "uji-pulih-akun", pp, {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf")}
    )
    assert accepted.status_code in (200, 201), accepted.json()
    assert Case.objects.get().requester_role == "PP"


def test_the_api_refuses_a_role_the_sop_does_not_serve(client, per_role):
    service, pp = per_role
    files = {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf")}
    response = api_submit(client, "uji", "uji-pulih-akun", pp, files, role="Bupati")
    assert response.status_code == 400
    assert "Bupati" in response.json()["problems"]["role"]


# -- staff: the checklist and the mail asking for what is missing ---------------------------------


def test_the_console_checklist_and_the_missing_documents_mail_follow_the_case_role(client, per_role):
    service, pp = per_role
    assert (
        post_form(client, FORM_URL, pp, {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf", 2)}).status_code
        == 302
    )
    case = Case.objects.get()
    assert checklist(client, service.verifier, case) == ["surat-pengajuan", "sk-pp"]
    # Another role's decree is not a document of this case: it cannot be marked missing.
    with pytest.raises(Exception, match="tidak dikenal"):
        answer_run(case, service.verifier, [(2, "tidak", "")], missing=["sk-ppk"])
    answer_run(case, service.verifier, [(2, "tidak", "SK tidak terbaca")], missing=["sk-pp"])
    case.refresh_from_db()
    assert case.status == Status.WAITING
    mail = OutboxMessage.objects.get(case=case, template="minta-kelengkapan")
    assert "SK penunjukan sebagai PP" in mail.body
    assert "sebagai PPK" not in mail.body and "Pokja" not in mail.body


def test_a_note_only_asks_for_the_roles_documents_alone(client, per_role):
    service, pp = per_role
    assert (
        post_form(client, FORM_URL, pp, {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf", 2)}).status_code
        == 302
    )
    case = Case.objects.get()
    answer_run(case, service.verifier, [(2, "tidak", "Semua berkas buram, kirim ulang")], missing=[])
    from loket.cases.requester_view import requester_view

    case.refresh_from_db()
    view = requester_view(case, parsed(case.sop))
    assert view.asked is not None
    assert [b.kode for b in view.asked.berkas] == ["surat-pengajuan", "sk-pp"]


def test_a_list_of_every_roles_documents_names_the_roles_and_one_roles_list_does_not(per_role):
    sop = parsed(per_role[0].version)
    assert for_whom(sop.berkas_for("")) == {
        "sk-ppk": " (untuk PPK)",
        "sk-pp": " (untuk PP)",
        "sk-pokja": " (untuk Pokja Pemilihan)",
    }
    assert for_whom(sop.berkas_for("PP")) == {}


# -- the built-in Magelang SOP --------------------------------------------------------------------


def test_magelang_asks_a_pp_for_the_pp_decree_on_the_portal(client, magelang_pp):
    people, pp = magelang_pp
    refused = post_form(
        client, MAGELANG_URL, pp, {"surat-permohonan": pdf("surat.pdf"), "sk-pengangkatan": pdf("sk.pdf", 2)}
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors == {
        "berkas-sk-pengangkatan-pp": ["Surat keputusan/SK pengangkatan sebagai PP wajib dilampirkan."]
    }
    files = {"surat-permohonan": pdf("surat.pdf"), "sk-pengangkatan-pp": pdf("sk.pdf", 2)}
    assert post_form(client, MAGELANG_URL, pp, files).status_code == 302
    case = Case.objects.get()
    assert (case.sop.versi, case.requester_role) == (5, "PP")
    assert checklist(client, people.aa_magelang, case) == ["surat-permohonan", "sk-pengangkatan-pp"]


def test_magelang_over_the_api_and_a_ppk_found_in_the_directory_needs_no_role(client, magelang_pp):
    people, pp = magelang_pp
    refused = api_submit(
        client,
        "magelang",
        "magelang-reset-ppk",
        pp,
        {"surat-permohonan": pdf("s.pdf"), "sk-pengangkatan": pdf("k.pdf")},
    )
    assert refused.status_code == 400
    assert sorted(refused.json()["problems"]) == ["sk-pengangkatan", "sk-pengangkatan-pp"]
    accepted = api_submit(
        client,
        "magelang",
        "magelang-reset-ppk",
        pp,
        {"surat-permohonan": pdf("s.pdf"), "sk-pengangkatan-pp": pdf("k.pdf")},
    )
    assert accepted.status_code in (200, 201), accepted.json()
    ppk = people.ppk_magelang
    files = {"surat-permohonan": pdf("s.pdf"), "sk-pengangkatan": pdf("k.pdf")}
    assert api_submit(client, "magelang", "magelang-reset-ppk", ppk, files, role=None).status_code in (200, 201)
    assert sorted(Case.objects.values_list("requester_role", flat=True)) == ["PP", "PPK"]


def test_a_database_with_magelang_versi_3_installs_versi_4_and_keeps_its_cases(installed):
    # An older database: versi 3 as it was (one SK, no peran), then the built-ins installed again.
    SopVersion.objects.filter(kode="magelang-reset-ppk").delete()
    text = (Path(model.__file__).parent / "definitions" / "magelang-reset-ppk.yaml").read_text(encoding="utf-8")
    start, end = text.index("  # Not printed: the PP's"), text.index("\nkegiatan:")
    old = (text[:start] + text[end + 1 :]).replace("versi: 5", "versi: 3").replace("    peran: [PPK]\n", "")
    v3 = install_sop(text=old, source="magelang-v3.yaml").version
    assert [b.kode for b in parsed(v3).berkas_for("")] == ["surat-permohonan", "sk-pengangkatan"]
    install_builtin()
    assert sorted(SopVersion.objects.filter(kode="magelang-reset-ppk").values_list("versi", flat=True)) == [3, 5]
    assert [b.kode for b in parsed(v3).berkas_for("PP")] == ["surat-permohonan", "sk-pengangkatan"]


def test_the_counter_form_asks_the_role_and_the_originals_of_that_role(per_role):
    from loket.counter.forms import CounterRequestForm
    from loket.counter.intake import originals_asked

    service, _pp = per_role
    sop = parsed(service.version)
    form = CounterRequestForm(berkas=sop.berkas, agencies=[], originals=originals_asked(service.version), roles=ROLES)
    assert [value for value, _label in form.fields["role"].choices] == list(ROLES)  # type: ignore[attr-defined]
    assert form.fields["berkas-sk-pp"].label == "SK penunjukan sebagai PP (untuk PP)"
    posted = CounterRequestForm(
        {"role": "PP", "need": "password", "name": "Dewi Lestari", "email": "pp.dpr@uji.go.id"},
        berkas=sop.berkas,
        agencies=[],
        originals=[],
        roles=ROLES,
    )
    assert posted.is_valid(), posted.errors
    files = {"surat-pengajuan": ("s.pdf", b"1"), "sk-pp": ("a.pdf", b"2"), "sk-ppk": ("b.pdf", b"3")}
    submission = posted.submission(files)
    assert submission["role"] == "PP"
    assert [kode for kode, *_rest in submission["files"]] == ["surat-pengajuan", "sk-pp"]


def test_the_case_page_shows_the_chosen_role_when_no_directory_record_is_linked(client, per_role):
    service, pp = per_role
    files = {"surat-pengajuan": pdf("surat.pdf"), "sk-pp": pdf("sk.pdf", 2)}
    assert post_form(client, FORM_URL, pp, files, user_id="belum.terdaftar").status_code == 302
    case = Case.objects.get()
    assert checklist(client, service.verifier, case) == ["surat-pengajuan", "sk-pp"]
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "Belum ada akun di direktori" in page
    assert re.search(r"<dt>Peran</dt><dd>PP</dd>", page)
