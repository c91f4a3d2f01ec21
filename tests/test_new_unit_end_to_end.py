"""A unit Loket has never seen runs its own SOP with no code change.

The SOP file below is written here, not in the repository: a Pejabat Pengadaan reset with lanes no
built-in SOP uses (Petugas Layanan; Verifikator Instansi, scoped to one agency; Kepala UKPBJ), an
approval by the head on a `kerjakan` step that has a `keputusan`, and the incomplete loop through
the requester. As an operator would: `loket unit add`, `loket sop install` (warned of the lanes
nobody holds), `loket accounts import`, `loket staff add` for each lane; then a request runs to its
end through the portal, the console and the API, and the exported BPMN runs the same steps in
SpiffWorkflow.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from loket.cases.archive import verify_seal
from loket.cases.models import Case, Status
from loket.catalog.selectors import get_version, parsed
from loket.notify.models import OutboxMessage
from loket.sop.paths import Path as SopPath
from loket.staff.services import create_api_token
from tests.factories import pdf_bytes, png_bytes
from tests.sop.test_bpmn_executable import run_path

pytestmark = pytest.mark.django_db

SOP_FILE = """\
kode: contoh-reset-pp
versi: 1
layanan: reset-akun
peran_akun: [PP]
unit: contoh
nomor: 027/01/SOP/UKPBJ/2026
nama: Reset Password Pejabat Pengadaan
pelaksana: [Pejabat Pengadaan, Petugas Layanan, Verifikator Instansi, Kepala UKPBJ]
lingkup_instansi: [Verifikator Instansi]
berkas:
  - {kode: surat-permohonan, nama: Surat permohonan reset password}
  - {kode: sk-pp, nama: SK penetapan Pejabat Pengadaan}
kegiatan:
  - {no: 1, uraian: Menyampaikan permohonan, pelaksana: Pejabat Pengadaan, waktu: null,
     aksi: ajukan-berkas, lanjut: 2}
  - no: 2
    uraian: Memeriksa kelengkapan berkas
    pelaksana: Petugas Layanan
    waktu: 10
    aksi: periksa-kelengkapan
    keputusan: {pertanyaan: Apakah berkas lengkap?, ya: 4, tidak: 3}
  - {no: 3, uraian: Memberi tahu berkas yang kurang, pelaksana: Petugas Layanan, waktu: 5,
     aksi: minta-kelengkapan, lanjut: 10}
  - no: 4
    uraian: Mencocokkan berkas dengan data akun instansi
    pelaksana: Verifikator Instansi
    waktu: 15
    aksi: periksa-keabsahan
    keputusan: {pertanyaan: Apakah berkas benar?, ya: 5, tidak: 9}
  - no: 5
    uraian: Kepala UKPBJ memeriksa dan menyetujui reset password
    teks_pemohon: Kepala UKPBJ menyetujui permohonan Anda
    pelaksana: Kepala UKPBJ
    waktu: 10
    aksi: kerjakan
    keputusan: {pertanyaan: Apakah reset disetujui?, ya: 6, tidak: 9}
  - {no: 6, uraian: Mengatur password sementara, pelaksana: Verifikator Instansi, waktu: 5,
     aksi: reset-password, lanjut: 7}
  - {no: 7, uraian: Mengirim hasil, pelaksana: Petugas Layanan, waktu: 5, aksi: beri-tahu-hasil, lanjut: 8}
  - {no: 8, uraian: Mengarsipkan berkas, pelaksana: Petugas Layanan, waktu: 5, aksi: arsipkan, lanjut: selesai}
  - {no: 9, uraian: Menolak permohonan, pelaksana: Petugas Layanan, waktu: 5, aksi: tolak, lanjut: 8}
  - {no: 10, uraian: Melengkapi berkas, pelaksana: Pejabat Pengadaan, waktu: null, aksi: lengkapi-berkas,
     lanjut: 2}
"""

DIRECTORY_CSV = """\
user_id,name,nip,email,phone,role,agency,satker,sk_number
pp.dinkes01,Yohana Wenda,199001152015032001,yohana@dinkes.contoh.go.id,081200000001,PP,Dinas Kesehatan,Sekretariat,800/11/2026
pp.pupr01,Markus Iyai,198807072014031003,markus@pupr.contoh.go.id,081200000002,PP,Dinas PUPR,Bina Marga,800/12/2026
"""

PASSWORD = "Loket-Contoh-2026!"
STAFF = [
    ("layanan", "Petugas Layanan", None),
    ("verif-dinkes", "Verifikator Instansi", "Dinas Kesehatan"),
    ("verif-pupr", "Verifikator Instansi", "Dinas PUPR"),
    ("kepala", "Kepala UKPBJ", None),
]


def loket(*args: str, stdin: str | None = None) -> str:
    """What the command printed (its output and its warnings)."""
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **extra)
    return out.getvalue() + err.getvalue()


def set_up_contoh(tmp_path, settings) -> str:
    """What an operator does for the new unit: `loket unit add`, `loket sop install` (of SOP_FILE,
    written to tmp_path), `loket accounts import` and `loket staff add` for each lane. Returns what
    `loket sop install` printed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    loket("unit", "add", "contoh", "--name", "UKPBJ Kabupaten Contoh", "--timezone", "WIT")
    sop_path = tmp_path / "contoh-reset-pp.yaml"
    sop_path.write_text(SOP_FILE, encoding="utf-8")
    installed = loket("sop", "install", str(sop_path))
    csv_path = tmp_path / "akun.csv"
    csv_path.write_text(DIRECTORY_CSV, encoding="utf-8")
    loket("accounts", "import", str(csv_path), "--unit", "contoh")
    for username, role, agency in STAFF:
        args = ["staff", "add", username, "--unit", "contoh", "--role", role, "--password-stdin"]
        loket(*args, *(["--agency", agency] if agency else []), stdin=PASSWORD)
    return installed


@pytest.fixture
def unit(tmp_path, settings):
    installed = set_up_contoh(tmp_path, settings)
    for lane in ("Petugas Layanan", "Verifikator Instansi", "Kepala UKPBJ"):
        assert lane in installed, f"install warns that nobody holds {lane}"
    return tmp_path / "contoh-reset-pp.yaml"


def portal_submit(client: Client, **files) -> tuple[Case, str]:
    url = reverse("portal:form", args=["contoh", "contoh-reset-pp"])
    page = client.get(url).content.decode()
    assert "SK penetapan Pejabat Pengadaan" in page and "Dinas Kesehatan" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    agency = re.search(r'<option value="(\d+)">Dinas Kesehatan</option>', page).group(1)
    data = {
        "form_token": token,
        "user_id": "pp.dinkes01",
        "name": "Yohana Wenda",
        "email": "yohana.pribadi@gmail.com",
        "phone": "081200000001",
        "agency": agency,
        "need": "password",
        "berkas-surat-permohonan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
        "berkas-sk-pp": SimpleUploadedFile("sk.png", png_bytes(), "image/png"),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    receipt = client.get(response["Location"]).content.decode()
    code = re.search(r"\b[2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3}\b", receipt).group(0)
    return Case.objects.get(reference__startswith="CONTOH-"), code


def console_decide(username: str, case: Case, answers: dict[str, str], status: int = 302) -> str:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    case.refresh_from_db()
    queue = client.get(reverse("console:queue")).content.decode()
    assert case.reference in queue, f"{username} sees the case in the queue"
    response = client.post(reverse("console:case", args=[case.pk]), {"version": case.version, **answers})
    assert response.status_code == status, response.content.decode()[:3000]
    return response.content.decode()


def test_a_new_units_sop_runs_from_portal_to_archive_through_console_and_api(unit, client):
    case, code = portal_submit(client)
    assert (case.current_step, case.current_lane) == (2, "Petugas Layanan")

    # The completeness check says "no", with only a note: the requester is asked for every document.
    console_decide("layanan", case, {"jawaban-2": "tidak", "catatan-2": "SK harus ditandatangani"})
    status = client.get(f"/api/v1/requests/{code}").json()
    assert status["status"] == "waiting" and status["missing_named"] is False
    assert [d["kode"] for d in status["missing_documents"]] == ["surat-permohonan", "sk-pp"]
    assert OutboxMessage.objects.filter(case=case, template="minta-kelengkapan").count() == 1

    # The requester supplies the SK over the API; the loop goes back to the completeness check.
    supplied = client.post(
        f"/api/v1/requests/{code}/documents",
        data={"sk-pp": SimpleUploadedFile("sk-ttd.pdf", pdf_bytes(), "application/pdf")},
    )
    assert supplied.status_code == 200 and supplied.json()["status"] == "open"
    console_decide("layanan", case, {"jawaban-2": "ya"})
    case.refresh_from_db()
    assert (case.current_step, case.current_lane) == (4, "Verifikator Instansi")

    # Scoped by agency: the Dinas PUPR verifier neither sees nor can act on a Dinas Kesehatan case.
    other = Client()
    assert other.login(username="verif-pupr", password=PASSWORD)
    assert case.reference not in other.get(reverse("console:queue")).content.decode()
    assert other.get(reverse("console:case", args=[case.pk])).status_code == 404

    # The Dinas Kesehatan verifier answers over the API with a token; the directory record was found.
    token = create_api_token(actor=None, user=case.agency.staff_roles.get().user)[1]
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/cases/{case.pk}", headers=headers).json()
    assert body["account"]["user_id"] == "pp.dinkes01"
    assert [(a["step"], a["lane"]) for a in body["answerable"]] == [(4, "Verifikator Instansi")]
    decided = client.post(
        f"/api/v1/cases/{case.pk}/decisions",
        data={"version": body["version"], "answers": [{"step": 4, "answer": "ya"}]},
        content_type="application/json",
        headers=headers,
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["current_step"] == {
        "step": 5,
        "description": "Kepala UKPBJ memeriksa dan menyetujui reset password",
        "lane": "Kepala UKPBJ",
    }

    # The head's approval is a decision: a "no" without a reason is refused, then "yes".
    page = console_decide("kepala", case, {"jawaban-5": "tidak"}, status=400)
    assert "Tulis alasan jawaban" in page
    console_decide("kepala", case, {"jawaban-5": "ya", "catatan-5": "Disetujui"})

    case.refresh_from_db()
    assert case.status == Status.DONE
    recorded = [(run.step, run.by, run.answer) for run in case.steps.order_by("id")]
    assert recorded == [
        (1, "pemohon", "lanjut"),
        (2, "staf", "tidak"),
        (3, "sistem", "lanjut"),
        (10, "pemohon", "lanjut"),
        (2, "staf", "ya"),
        (4, "staf", "ya"),
        (5, "staf", "ya"),
        (6, "sistem", "lanjut"),
        (7, "sistem", "lanjut"),
        (8, "sistem", "lanjut"),
    ]
    mail = OutboxMessage.objects.get(case=case, template="hasil-password")
    assert mail.to == "yohana@dinkes.contoh.go.id"  # the address on record, not the typed one
    assert verify_seal(case.archive)

    # The requester's view: their words, the masked address the result went to.
    status = client.get(f"/api/v1/requests/{code}").json()
    assert status["result_sent_to"] == "y***@dinkes.contoh.go.id"
    assert "Kepala UKPBJ menyetujui permohonan Anda" in [s["description"] for s in status["steps"]]

    # The exported BPMN runs the same steps, in the same order, in SpiffWorkflow.
    sop = parsed(get_version("contoh-reset-pp"))
    path = SopPath(
        steps=tuple(no for no, _by, _answer in recorded),
        answers=tuple((no, answer) for no, _by, answer in recorded if sop.step(no).keputusan is not None),
        minutes=0,
        waits=0,
        happy=False,
        ends_with="arsipkan",
    )
    assert run_path(sop, path) == [no for no, _by, _answer in recorded]


def test_the_heads_refusal_reaches_the_requester_with_the_reason(unit, client):
    case, code = portal_submit(client)
    console_decide("layanan", case, {"jawaban-2": "ya"})
    console_decide("verif-dinkes", case, {"jawaban-4": "ya"})
    console_decide("kepala", case, {"jawaban-5": "tidak", "catatan-5": "SK sudah tidak berlaku"})
    case.refresh_from_db()
    assert case.status == Status.REFUSED and case.outcome_note == "SK sudah tidak berlaku"
    refusal = OutboxMessage.objects.get(case=case, template="ditolak")
    assert refusal.to == "yohana.pribadi@gmail.com" and "SK sudah tidak berlaku" in refusal.body
    notes = [s["note"] for s in client.get(f"/api/v1/requests/{code}").json()["steps"]]
    assert "SK sudah tidak berlaku" in notes
