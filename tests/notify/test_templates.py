"""Every mail template renders with the context the cases engine gives it, in the expected shape."""

from __future__ import annotations

import pytest

from loket.notify.models import CODE_MARKER, LINK_MARKER, OutboxMessage
from loket.notify.services import MailTemplateError, queue_mail, render_mail

UNIT = "LPSE Provinsi Kalimantan Timur"
FOOTER = f"Hormat kami,\n{UNIT}\n\n--\nE-mail ini dikirim otomatis oleh Loket.\n"

# template -> (context, the subject, words the body must carry)
CASES = {
    "diterima": (
        {
            "reference": "KALTIM-2026-000001",
            "name": "Siti Rahmawati",
            "tracking_code": "ABCD-EFGH-JKLM-NPQR",
            "unit_name": UNIT,
            "service_name": "Reset Password PPK",
            "status_url": "https://loket.example.go.id/permohonan/status/",
        },
        "Permohonan KALTIM-2026-000001 sudah kami terima",
        [
            "Yth. Siti Rahmawati,",
            "ABCD-EFGH-JKLM-NPQR",
            "Reset Password PPK",
            "https://loket.example.go.id/permohonan/status/",
        ],
    ),
    "minta-kelengkapan": (
        {
            "reference": "KALTIM-2026-000001",
            "name": "",  # an address no one on the case holds: the greeting falls back
            "missing": ["Surat Keputusan/SK pengangkatan sebagai PPK", "Kartu identitas"],
            "note": "SK tidak terbaca & terpotong",
            "supply_url": "https://loket.example.go.id/permohonan/status/",
            "unit_name": UNIT,
            "days": 14,
        },
        "Berkas permohonan KALTIM-2026-000001 perlu dilengkapi",
        [
            "Yth. Bapak/Ibu,",
            "- Surat Keputusan/SK pengangkatan sebagai PPK\n- Kartu identitas\n",
            "Catatan petugas: SK tidak terbaca & terpotong",
            "14 hari",
        ],
    ),
    "ditolak": (
        {
            "reference": "KALTIM-2026-000001",
            "name": "Siti Rahmawati",
            "reason": "Nama pada SK berbeda dengan nama akun <SPSE>",
            "unit_name": UNIT,
            "what_to_do": "Anda dapat mengajukan permohonan baru dengan berkas yang benar.",
        },
        "Permohonan KALTIM-2026-000001 tidak dapat kami proses",
        ["Alasan: Nama pada SK berbeda dengan nama akun <SPSE>", "permohonan baru dengan berkas yang benar"],
    ),
    "hasil-password": (
        {
            "reference": "KALTIM-2026-000001",
            "name": "Siti Rahmawati",
            "link": "https://x/t/1",
            "hours": 24,
            "unit_name": UNIT,
        },
        "Password sementara untuk permohonan KALTIM-2026-000001",
        ["Yth. Siti Rahmawati,", "https://x/t/1", "berlaku 24 jam", "wajib mengganti password"],
    ),
    "hasil-user-id": (
        {"reference": "KALTIM-2026-000001", "name": "Siti Rahmawati", "user_id": "ppk.pupr01", "unit_name": UNIT},
        "User ID SPSE Anda (permohonan KALTIM-2026-000001)",
        ["    ppk.pupr01\n", "Password Anda tidak diubah"],
    ),
    "kedaluwarsa": (
        {"reference": "KALTIM-2026-000001", "name": "Siti Rahmawati", "unit_name": UNIT},
        "Permohonan KALTIM-2026-000001 ditutup karena melewati batas waktu",
        ["ajukan permohonan baru"],
    ),
    "dibatalkan": (
        {"reference": "KALTIM-2026-000001", "name": "Siti Rahmawati", "unit_name": UNIT},
        "Permohonan KALTIM-2026-000001 telah dibatalkan",
        ["dibatalkan sesuai permintaan Anda"],
    ),
}


@pytest.mark.parametrize("template", sorted(CASES))
def test_each_template_renders_its_subject_and_body(template):
    context, subject, words = CASES[template]
    rendered_subject, body = render_mail(template, context)
    assert rendered_subject == subject
    assert body.startswith("Yth. ")
    for word in words:
        assert word in body
    assert body.endswith(FOOTER)
    assert "\n\n\n" not in body


@pytest.mark.parametrize("template", sorted(CASES))
def test_it_refuses_a_context_that_lacks_a_variable_the_template_uses(template):
    context, _, _ = CASES[template]
    with pytest.raises(MailTemplateError, match="unit_name"):
        render_mail(template, {k: v for k, v in context.items() if k != "unit_name"})


def test_the_optional_parts_of_the_missing_documents_mail_drop_out_cleanly():
    context = {**CASES["minta-kelengkapan"][0], "note": ""}
    del context["days"]
    _, body = render_mail("minta-kelengkapan", context)
    assert "Catatan petugas" not in body
    assert "hari" not in body
    assert "\n\n\n" not in body


def test_queued_mail_stores_markers_in_place_of_the_link_and_the_tracking_code(db):
    password = CASES["hasil-password"][0]
    link_mail = queue_mail(
        to="siti@pupr.kaltimprov.go.id",
        template="hasil-password",
        context={k: v for k, v in password.items() if k != "link"},
        secret_link="https://loket.example.go.id/kredensial/rahasia-123/",
    )
    code_mail = queue_mail(to="pemohon@gmail.com", template="diterima", context=CASES["diterima"][0])
    stored = {m.template: m for m in OutboxMessage.objects.all()}
    assert LINK_MARKER in stored["hasil-password"].body
    assert "rahasia-123" not in stored["hasil-password"].body + stored["hasil-password"].subject
    assert stored["hasil-password"].secret_link == "https://loket.example.go.id/kredensial/rahasia-123/"
    assert CODE_MARKER in stored["diterima"].body
    assert "ABCD-EFGH-JKLM-NPQR" not in stored["diterima"].body
    assert stored["diterima"].secret_code == "ABCD-EFGH-JKLM-NPQR"
    assert (link_mail.status, code_mail.status) == ("pending", "pending")


def test_it_refuses_the_link_in_the_context(db):
    with pytest.raises(MailTemplateError, match="secret_link"):
        queue_mail(to="siti@pupr.kaltimprov.go.id", template="hasil-password", context=CASES["hasil-password"][0])
    assert OutboxMessage.objects.count() == 0


def test_it_refuses_a_secret_link_the_template_would_not_show(db):
    with pytest.raises(MailTemplateError, match="link"):
        queue_mail(
            to="siti@pupr.kaltimprov.go.id",
            template="hasil-user-id",
            context=CASES["hasil-user-id"][0],
            secret_link="https://loket.example.go.id/kredensial/rahasia-123/",
        )
    assert OutboxMessage.objects.count() == 0


def test_it_refuses_an_address_that_is_not_one(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        queue_mail(to="bukan alamat", template="dibatalkan", context=CASES["dibatalkan"][0])
    assert OutboxMessage.objects.count() == 0
