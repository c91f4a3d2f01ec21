"""`loket sop ...`: the commands and their JSON shapes (a public interface, see docs/cli.md)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DEFINITIONS = Path(__file__).parents[2] / "src/loket/sop/definitions"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("sop", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_list_gives_each_sop_with_its_happy_path_minutes(installed):
    rows = json.loads(_run("list", "--format", "json"))
    by_kode = {r["kode"]: r for r in rows}
    assert sorted(by_kode) == sorted(p.stem for p in DEFINITIONS.glob("*.yaml"))
    assert by_kode["kaltim-reset-ppk"] == {
        "kode": "kaltim-reset-ppk",
        "versi": 4,
        "unit": "kaltim",
        "nomor": "000.3/0628/BPLPSE/B.PBJ",
        "nama": "Perubahan Password dan Pemberian Informasi User ID PPK",
        "layanan": "reset-akun",
        "steps": 9,
        "happy_path_minutes": 35,
    }
    table = _run("list")
    assert "kaltim-reset-ppk" in table and "000.3/0628/BPLPSE/B.PBJ" in table


def test_paths_of_the_kaltim_ppk_sop_list_the_happy_path_at_35_minutes(installed):
    payload = json.loads(_run("paths", "kaltim-reset-ppk", "--format", "json"))
    first = payload["paths"][0]
    assert first == {"steps": [1, 2, 5, 6, 8, 9], "minutes": 35, "waits": 1, "happy": True, "ends_with": "arsipkan"}
    table = _run("paths", "kaltim-reset-ppk")
    assert "1 → 2 → 5 → 6 → 8 → 9" in table.splitlines()[2] and "35" in table.splitlines()[2]


def test_show_gives_the_whole_sop_with_the_keys_of_the_file(installed):
    data = json.loads(_run("show", "sbt-reset-pokja", "--format", "json"))
    assert data["nomor"] == "027/04/SOP-LPSE/UKPBJ/2022"
    assert data["disahkan_oleh"]["nip"] == "19650705 199203 1 023"
    assert [k["no"] for k in data["kegiatan"]] == list(range(1, 10))
    assert _run("show", "sbt-reset-pokja").startswith("#")  # the file as installed, comments and all


def test_an_unknown_kode_is_a_clear_error(installed):
    with pytest.raises(CommandError, match="tidak terpasang"):
        _run("show", "tidak-ada")


def test_check_passes_the_seeds_and_fails_a_broken_file(installed, tmp_path):
    out = _run("check", *map(str, sorted(DEFINITIONS.glob("*.yaml"))))
    assert out.count(": baik") == 5
    broken = tmp_path / "broken.yaml"
    broken.write_text((DEFINITIONS / "kaltim-reset-ppk.yaml").read_text().replace("lanjut: 8", "lanjut: 80"))
    buffer = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("sop", "check", str(broken), "--format", "json", stdout=buffer)
    assert exc.value.code == 1
    (result,) = json.loads(buffer.getvalue())
    assert result["valid"] is False and result["violations"][0]["rule"] == "target"


def test_check_reports_a_file_that_does_not_exist(db, tmp_path):
    buffer = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("sop", "check", str(tmp_path / "nope.yaml"), stdout=buffer)
    assert "berkas tidak ditemukan" in buffer.getvalue()


def test_install_puts_a_new_version_in_and_refuses_a_broken_one(installed, tmp_path):
    text = (DEFINITIONS / "sbt-reset-pokja.yaml").read_text()
    versi = int(re.search(r"^versi: (\d+)$", text, re.M).group(1))
    newer = tmp_path / "newer.yaml"
    newer.write_text(re.sub(r"^versi: \d+$", f"versi: {versi + 1}", text, count=1, flags=re.M))
    assert f"sbt-reset-pokja versi {versi + 1}: dipasang" in _run("install", str(newer))
    bad = tmp_path / "bad.yaml"
    bad.write_text("kode: [")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("sop", "install", str(bad), stdout=io.StringIO(), stderr=err)
    assert "YAML tidak dapat dibaca" in err.getvalue()


@pytest.mark.parametrize(
    "fmt,magic",
    [
        ("pdf", b"%PDF-"),
        ("svg", b"<svg"),
        ("bpmn", b"<?xml"),
        ("mermaid", b"flowchart TD"),
        ("html", b"<!doctype html>"),
    ],
)
def test_render_writes_each_format(installed, tmp_path, fmt, magic):
    target = tmp_path / f"out.{fmt}"
    _run("render", "kaltim-reset-ppk", "--format", fmt, "-o", str(target))
    assert target.read_bytes().startswith(magic)
