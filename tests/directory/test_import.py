"""Importing accounts from CSV: the service's per-row report and the `loket accounts` command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from loket.audit.models import AuditEntry
from loket.directory.models import Account, Agency
from loket.directory.services import ImportRefused, import_accounts
from loket.units.models import Unit

from .conftest import make_account

HEADER = "user_id,name,nip,email,phone,role,agency,satker,sk_number\n"


def _csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


@pytest.fixture
def unit(units) -> Unit:
    """A test unit (tests/directory/conftest.py): the import is not about one built-in unit."""
    return Unit.objects.get(kode="uji")


def test_it_creates_updates_and_leaves_unchanged_with_one_line_each(unit):
    make_account(
        "uji",
        "ppk.lama",
        name="Budi Santoso",
        nip="197205282005021001",
        email="budi@pupr.go.id",
        phone="0811",
        satker="Sekretariat",
        sk_number="800/1/2025",
        agency_name="Dinas PUPR",
    )
    make_account(
        "uji",
        "ppk.tetap",
        name="Tetap Sama",
        nip="198001012005011003",
        email="tetap@pupr.go.id",
        phone="",
        satker="",
        sk_number="",
        agency_name="Dinas PUPR",
    )
    data = _csv(
        "ppk.baru,Siti Rahmawati,19850312 201001 2 001,siti@dinkes.go.id,0812,PPK,Dinas Kesehatan,Sekretariat,800/2/2026",
        "ppk.lama,Budi Santoso,197205282005021001,budi.baru@pupr.go.id,0811,PPK,Dinas PUPR,Sekretariat,800/1/2025",
        "ppk.tetap,Tetap Sama,198001012005011003,tetap@pupr.go.id,,ppk,dinas pupr,,",
    )
    report = import_accounts(rows_or_file=data, unit=unit)

    assert [(r.line, r.user_id, r.outcome) for r in report.rows] == [
        (2, "ppk.baru", "created"),
        (3, "ppk.lama", "updated"),
        (4, "ppk.tetap", "unchanged"),
    ]
    assert report.rows[1].changed == ["email"]
    assert report.totals() == {"created": 1, "updated": 1, "unchanged": 1, "refused": 0, "rows": 3}
    assert report.new_agencies == ["Dinas Kesehatan"]
    new = Account.objects.get(unit=unit, user_id="ppk.baru")
    assert (new.nip, new.agency.name, new.must_change_password) == ("198503122010012001", "Dinas Kesehatan", True)
    assert Account.objects.get(user_id="ppk.lama").email == "budi.baru@pupr.go.id"
    assert Agency.objects.filter(unit=unit, name__iexact="dinas pupr").count() == 1


def test_it_refuses_bad_rows_with_reasons_and_keeps_the_good_ones(unit):
    data = _csv(
        "ppk.ok,Siti,198503122010012001,siti@dinkes.go.id,,PPK,Dinas Kesehatan,,",
        ",Tanpa User ID,198503122010012001,x@dinkes.go.id,,PPK,Dinas Kesehatan,,",
        "ppk.mail,E-mail Salah,198503122010012001,bukan-email,,PPK,Dinas Kesehatan,,",
        "ppk.nip,NIP Salah,19850312201001200,nip@dinkes.go.id,,PPK,Dinas Kesehatan,,",
        "ppk.peran,Peran Salah,198503122010012001,peran@dinkes.go.id,,Bendahara,Dinas Kesehatan,,",
        "PPK.OK,Ganda,198503122010012001,ganda@dinkes.go.id,,PPK,Dinas Kesehatan,,",
        "ppk.tanpanip,Tanpa NIP,,tanpa@dinkes.go.id,,PPK,Dinas Kesehatan,,",
    )
    report = import_accounts(rows_or_file=data, unit=unit)

    outcome = {r.line: (r.outcome, " ".join(r.reasons)) for r in report.rows}
    assert outcome[2] == ("created", "")
    assert outcome[3][0] == "refused" and "kolom wajib kosong: user_id" in outcome[3][1]
    assert outcome[4][0] == "refused" and "e-mail tidak sah" in outcome[4][1]
    assert outcome[5][0] == "refused" and "NIP tidak sah" in outcome[5][1]
    assert outcome[6][0] == "refused" and "peran tidak dikenal: Bendahara" in outcome[6][1]
    assert outcome[7][0] == "refused" and "sama dengan baris 2" in outcome[7][1]
    assert outcome[8][0] == "refused" and "NIP wajib diisi" in outcome[8][1]
    assert list(Account.objects.filter(unit=unit).values_list("user_id", flat=True)) == ["ppk.ok"]


def test_a_pppk_number_is_accepted_with_a_warning(unit):
    data = _csv("pp.kontrak,Rina,19850312 202421 2 004,rina@dinkes.go.id,,PP,Dinas Kesehatan,,")
    (row,) = import_accounts(rows_or_file=data, unit=unit).rows
    assert row.outcome == "created"
    assert any("diterima sebagai PPPK" in w for w in row.warnings)


def test_a_spreadsheet_export_with_bom_and_semicolons_is_read(unit):
    data = "\ufeff" + HEADER.replace(",", ";") + "ppk.x;Siti;198503122010012001;s@x.go.id;;PPK;Dinas A;;\n"
    report = import_accounts(rows_or_file=data.encode("utf-8"), unit=unit)
    assert [r.outcome for r in report.rows] == ["created"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"user_id,name,email\nx,y,z@x.go.id\n", "Kolom wajib tidak ada di baris judul: nip, role, agency"),
        (HEADER.encode() + "ppk.x,Sïti,1,s@x.go.id,,PPK,Dinas A,,\n".encode("latin-1"), "bukan teks UTF-8"),
        (b"PK\x03\x04\x00\x00binary-xlsx", "bukan CSV"),
        (b"", "kosong"),
        (HEADER.encode() + b'ppk.x,"Siti,198503122010012001\n', "bukan CSV yang sah"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error_and_nothing_is_written(unit, data, fragment):
    with pytest.raises(ImportRefused, match=fragment):
        import_accounts(rows_or_file=data, unit=unit)
    assert not Account.objects.exists()
    assert not AuditEntry.objects.filter(action="directory.accounts_imported").exists()


def test_one_audit_entry_with_the_counts_only(unit, superuser):
    data = _csv(
        "ppk.a,Siti,198503122010012001,s@x.go.id,0812,PPK,Dinas A,,",
        "ppk.b,Budi,bad,b@x.go.id,,PPK,Dinas A,,",
    )
    import_accounts(rows_or_file=data, unit=unit, actor=superuser)
    (entry,) = AuditEntry.objects.filter(action="directory.accounts_imported")
    assert entry.actor == superuser
    assert entry.detail == {"unit": "uji", "created": 1, "updated": 0, "unchanged": 0, "refused": 1, "rows": 2}


def test_a_dry_run_writes_nothing(unit):
    report = import_accounts(
        rows_or_file=_csv("ppk.a,Siti,198503122010012001,s@x.go.id,,PPK,Dinas A,,"), unit=unit, dry_run=True
    )
    assert report.totals()["created"] == 1
    assert not Account.objects.exists() and not Agency.objects.filter(name="Dinas A").exists()


# -- the command ------------------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("accounts", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_command_prints_each_row_and_the_totals(unit, tmp_path):
    path = tmp_path / "akun.csv"
    path.write_bytes(_csv("ppk.a,Siti,198503122010012001,s@x.go.id,,PPK,Dinas A,,"))
    code, out, _err = _run("import", str(path), "--unit", "uji")
    assert code == 0
    assert "baris 2: ppk.a: dibuat" in out
    assert "Jumlah 1 baris: 1 dibuat, 0 diperbarui, 0 tidak berubah, 0 ditolak." in out
    code, out, _err = _run("list", "--unit", "uji")
    assert code == 0 and "ppk.a" in out and "1 akun" in out


def test_the_command_exits_1_when_a_row_is_refused_and_json_stays_clean(unit, tmp_path):
    path = tmp_path / "akun.csv"
    lines = [f"ppk.{i:03d},Orang {i},198503122010012001,o{i}@x.go.id,,PPK,Dinas A,," for i in range(250)]
    path.write_bytes(_csv(*lines, "ppk.salah,Salah,,salah,,PPK,Dinas A,,"))
    code, out, _err = _run("import", str(path), "--unit", "uji", "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["totals"] == {"created": 250, "updated": 0, "unchanged": 0, "refused": 1, "rows": 251}
    assert payload["rows"][-1]["line"] == 252
    assert payload["rows"][-1]["outcome"] == "refused"
    assert any("e-mail tidak sah" in r for r in payload["rows"][-1]["reasons"])
    assert payload["error"] is None


def test_the_command_reports_a_whole_file_error_and_exits_1(unit, tmp_path):
    path = tmp_path / "akun.csv"
    path.write_bytes(b"nama;email\n")
    code, _out, err = _run("import", str(path), "--unit", "uji")
    assert code == 1 and "Kolom wajib tidak ada" in err and "Tidak ada akun yang disimpan" in err
    code, out, _err = _run("import", str(path), "--unit", "uji", "--format", "json")
    assert code == 1 and "Kolom wajib tidak ada" in json.loads(out)["error"]


def test_the_command_names_the_known_units_for_an_unknown_one(unit, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "akun.csv"
    path.write_bytes(_csv())
    with pytest.raises(CommandError, match="unit 'bogor' tidak dikenal.*uji"):
        _run("import", str(path), "--unit", "bogor")
