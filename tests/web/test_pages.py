"""The SOP catalogue and SOP pages, as a visitor sees them. On test SOPs of test units
(tests/sop_factory.py): the pages draw any installed SOP; the built-in files themselves are
tested in tests/sop/ and the demo's catalogue in tests/browser/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loket.catalog.selectors import latest_versions
from tests.sop_factory import HAPPY_MINUTES


def test_the_catalogue_lists_every_installed_sop(client, service, other_service):
    page = client.get(reverse("web:sop_list")).content.decode()
    versions = list(latest_versions())
    assert sorted(v.kode for v in versions) == ["uji-lain-pulih-akun", "uji-pulih-akun"]
    for version in versions:
        assert f'data-kode="{version.kode}"' in page
        assert version.nomor in page
    assert f"{HAPPY_MINUTES} menit" in page


def test_the_home_page_leads_to_the_portal_the_console_and_the_catalogue(client, service):
    page = client.get("/").content.decode()
    for url in ("/permohonan/", "/konsol/", reverse("web:sop_list")):
        assert f'href="{url}"' in page


def test_an_sop_page_shows_its_facts_steps_paths_and_downloads(client, service):
    page = client.get(reverse("web:sop_detail", args=["uji-pulih-akun"])).content.decode()
    assert "Pemulihan Akun SPSE Pejabat Pengadaan" in page
    assert "045/SOP/UKPBJ-UJI/2026" in page
    assert f"{HAPPY_MINUTES} menit kerja" in page
    assert "1 → 2 → 5 → 6 → 8 → 9" in page
    assert "<svg" in page
    for fmt in ("pdf", "html", "svg", "bpmn", "mermaid"):
        assert reverse("web:sop_download", args=["uji-pulih-akun", 1, fmt]) in page


@pytest.mark.parametrize(
    "fmt,media_type,magic",
    [
        ("pdf", "application/pdf", b"%PDF-"),
        ("svg", "image/svg+xml", b"<svg"),
        ("bpmn", "application/xml", b"<?xml"),
        ("mermaid", "text/plain; charset=utf-8", b"flowchart TD"),
        ("html", "text/html; charset=utf-8", b"<!doctype html>"),
    ],
)
def test_each_download_answers_with_its_file(client, service, fmt, media_type, magic):
    response = client.get(reverse("web:sop_download", args=["uji-pulih-akun", 1, fmt]) + "?unduh")
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response.content.startswith(magic)
    assert 'attachment; filename="uji-pulih-akun-v1.' in response["Content-Disposition"]


def test_unknown_sop_version_or_format_is_not_found(client, service):
    assert client.get(reverse("web:sop_detail", args=["tidak-ada"])).status_code == 404
    assert client.get(reverse("web:sop_version", args=["uji-pulih-akun", 9])).status_code == 404
    assert client.get(reverse("web:sop_download", args=["uji-pulih-akun", 1, "docx"])).status_code == 404


def test_the_catalogue_speaks_english_when_asked(client, service):
    page = client.get(reverse("web:sop_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page
    assert "<h1>SOP catalogue</h1>" in page and "Completion time" in page and f"{HAPPY_MINUTES} minutes" in page
    detail = client.get(reverse("web:sop_detail", args=["uji-pulih-akun"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Official document (PDF)" in detail and "Paths and completion times" in detail


def test_the_language_menu_names_each_language_in_its_own_words(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert ">Bahasa Indonesia</option>" in page and ">English</option>" in page and "Inggris" not in page


def test_every_page_has_the_favicon(client, db):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "web/favicon.svg" in page
    from django.contrib.staticfiles import finders

    assert finders.find("web/favicon.svg") is not None
