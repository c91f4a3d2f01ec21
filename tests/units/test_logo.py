"""A unit's optional logo: set with `loket unit add --logo` (or the admin), checked to be an image
file, and embedded in the header's logo cell of the unit's SOP documents."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import CommandError, call_command

from loket.units.models import Unit

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_unit_has_no_logo_until_one_is_set(installed, tmp_path):
    assert Unit.objects.get(kode="kaltim").logo == ""
    page = tmp_path / "tanpa.html"
    run("sop", "render", "kaltim-reset-ppk", "--format", "html", "-o", str(page))
    assert "<img" not in page.read_text()


def test_the_logo_set_on_the_unit_heads_its_documents(installed, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    run("unit", "add", "kaltim", "--logo", str(logo), "--update")
    assert Unit.objects.get(kode="kaltim").logo == str(logo)
    page = tmp_path / "dengan.html"
    run("sop", "render", "kaltim-reset-ppk", "--format", "html", "-o", str(page))
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in page.read_text()
    run("unit", "add", "kaltim", "--logo", "", "--update")
    assert Unit.objects.get(kode="kaltim").logo == ""


@pytest.mark.parametrize(("name", "message"), [("logo.gif", "PNG, JPEG atau SVG"), ("hilang.png", "tidak ditemukan")])
def test_a_logo_must_be_an_image_file_that_exists(installed, tmp_path, name, message):
    if name.endswith(".gif"):
        (tmp_path / name).write_bytes(b"GIF89a")
    with pytest.raises(CommandError, match=message):
        run("unit", "add", "kaltim", "--logo", str(tmp_path / name), "--update")
    assert Unit.objects.get(kode="kaltim").logo == ""


def test_the_catalogues_download_carries_the_units_logo(installed, tmp_path, client):
    from loket.catalog.selectors import get_version

    version = get_version("kaltim-reset-ppk")
    url = f"/sop/{version.kode}/v{version.versi}/unduh/html"
    assert "<img" not in client.get(url).content.decode()
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    run("unit", "add", "kaltim", "--logo", str(logo), "--update")
    assert "data:image/png;base64," in client.get(url).content.decode()  # not the cached one without it
