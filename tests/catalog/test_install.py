"""Installing SOP files: new SOPs, new versions, refusals, and the admin upload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loket.catalog.models import SopVersion
from loket.catalog.selectors import get_version, latest_versions
from loket.catalog.services import SopRejected, install_sop

KALTIM = (Path(__file__).parents[2] / "src/loket/sop/definitions/kaltim-reset-ppk.yaml").read_text(encoding="utf-8")
# The built-in file's own versi: the revisions below count from it.
BASE = int(re.search(r"^versi: (\d+)$", KALTIM, re.M).group(1))  # type: ignore[union-attr]


def _revised(text: str, versi: int, waktu_step2: int = 7) -> str:
    text = text.replace(f"versi: {BASE}", f"versi: {versi}", 1)
    return text.replace("waktu: 5\n", f"waktu: {waktu_step2}\n", 1)


def test_it_installs_every_builtin_sop_once(installed):
    assert sorted(v.kode for v in latest_versions()) == sorted(i.version.kode for i in installed)
    assert SopVersion.objects.count() == 5


def test_installing_the_same_file_again_changes_nothing(installed):
    result = install_sop(text=KALTIM, source="kaltim-reset-ppk.yaml")
    assert result.created is False
    assert SopVersion.objects.filter(kode="kaltim-reset-ppk").count() == 1


def test_a_new_versi_is_kept_beside_the_old_one(installed):
    result = install_sop(text=_revised(KALTIM, BASE + 1), source="next.yaml")
    assert result.created and result.version.versi == BASE + 1
    versions = list(SopVersion.objects.filter(kode="kaltim-reset-ppk").values_list("versi", flat=True))
    assert versions == [BASE + 1, BASE]
    assert get_version("kaltim-reset-ppk").versi == BASE + 1
    assert get_version("kaltim-reset-ppk", BASE).sha256 != result.version.sha256
    assert [v.versi for v in latest_versions() if v.kode == "kaltim-reset-ppk"] == [BASE + 1]


def test_other_content_under_an_installed_versi_is_refused(installed):
    with pytest.raises(SopRejected) as exc:
        install_sop(text=_revised(KALTIM, BASE), source="edited.yaml")
    (violation,) = exc.value.violations
    assert violation.rule == "versi" and f"naikkan `versi` menjadi {BASE + 1}" in violation.message


def test_a_versi_older_than_the_newest_is_refused(installed):
    install_sop(text=_revised(KALTIM, BASE + 2), source="later.yaml")
    with pytest.raises(SopRejected) as exc:
        install_sop(text=_revised(KALTIM, BASE + 1, waktu_step2=9), source="next.yaml")
    assert f"versi terbaru `kaltim-reset-ppk` adalah {BASE + 2}" in exc.value.violations[0].message


def test_an_sop_of_an_unknown_unit_is_refused(installed):
    with pytest.raises(SopRejected) as exc:
        install_sop(text=KALTIM.replace("unit: kaltim", "unit: atlantis"), source="x.yaml")
    assert [v.rule for v in exc.value.violations] == ["unit"]
    assert SopVersion.objects.filter(kode="kaltim-reset-ppk").count() == 1


def test_an_invalid_file_is_refused_with_its_violations_and_nothing_saved(installed):
    broken = _revised(KALTIM, BASE + 1).replace("lanjut: 8", "lanjut: 80")
    with pytest.raises(SopRejected) as exc:
        install_sop(text=broken, source="broken.yaml")
    assert exc.value.violations[0].rule == "target"
    assert exc.value.violations[0].line is not None
    assert SopVersion.objects.filter(kode="kaltim-reset-ppk").count() == 1


def test_a_new_unit_sop_installs_with_no_code_change(installed):
    text = KALTIM.replace("kode: kaltim-reset-ppk", "kode: sbt-reset-ppk").replace("unit: kaltim", "unit: sbt")
    result = install_sop(text=text, source="sbt-reset-ppk.yaml")
    assert result.version.unit.kode == "sbt"


# --- the admin upload --------------------------------------------------------------------------------


def _upload(client, name: str, content: bytes):
    return client.post(
        reverse("admin:catalog_sopversion_add"), {"berkas": SimpleUploadedFile(name, content)}, follow=True
    )


def test_an_administrator_installs_a_new_version_by_upload(client, superuser, installed):
    client.force_login(superuser)
    response = _upload(client, "next.yaml", _revised(KALTIM, BASE + 1).encode())
    assert response.status_code == 200
    assert f"SOP kaltim-reset-ppk versi {BASE + 1} dipasang." in response.content.decode()
    assert SopVersion.objects.get(kode="kaltim-reset-ppk", versi=BASE + 1).installed_by == superuser


def test_the_upload_shows_each_violation_with_its_line(client, superuser, installed):
    client.force_login(superuser)
    broken = _revised(KALTIM, BASE + 1).replace("lanjut: 8", "lanjut: 80")
    line = broken.splitlines().index("    lanjut: 80") + 1
    page = _upload(client, "broken.yaml", broken.encode()).content.decode()
    assert "Berkas tidak dipasang" in page
    assert f"baris {line}: langkah 6 menuju langkah 80 yang tidak ada" in page
    assert not SopVersion.objects.filter(kode="kaltim-reset-ppk", versi=BASE + 1).exists()


def test_the_upload_refuses_a_file_that_is_not_yaml(client, superuser, installed):
    client.force_login(superuser)
    page = _upload(client, "sop.pdf", b"%PDF-1.7").content.decode()
    assert "Berkas harus berformat YAML" in page


def test_the_upload_refuses_a_file_too_large(client, superuser, installed, settings):
    settings.LOKET_SOP_MAX_BYTES = 1024
    client.force_login(superuser)
    page = _upload(client, "big.yaml", b"#" * 4096).content.decode()
    assert "Berkas terlalu besar" in page


def test_the_upload_refuses_text_that_is_not_utf8(client, superuser, installed):
    client.force_login(superuser)
    page = _upload(
        client, "latin1.yaml", "nama: Perubahan Password – ü".encode("latin-1", "replace") + b"\xff"
    ).content.decode()
    assert "bukan teks UTF-8" in page


def test_an_outsider_cannot_upload(client, outsider, installed):
    client.force_login(outsider)
    response = client.post(reverse("admin:catalog_sopversion_add"), {"berkas": SimpleUploadedFile("v2.yaml", b"x")})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert SopVersion.objects.count() == 5


def test_an_installed_version_cannot_be_edited_or_deleted_in_the_admin(client, superuser, installed):
    client.force_login(superuser)
    version = SopVersion.objects.get(kode="kaltim-reset-ppk")
    response = client.post(reverse("admin:catalog_sopversion_delete", args=[version.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert SopVersion.objects.filter(pk=version.pk).exists()
