"""The requester's form by keyboard alone: Tab reaches every field in reading order, each shows
where the focus is, a radio is chosen with the arrow keys, the agency with the keyboard, and
Enter sends the form; the receipt follows. (A file is picked in the operating system's dialog,
which the test stands in for with set_input_files on the focused input.)"""

from __future__ import annotations

import pytest

from tests.factories import pdf_bytes
from tests.sop_factory import service

__all__ = ["service"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page):  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return {name: e.name || "", type: e.type || e.tagName.toLowerCase(),
                           outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2}; }"""
    )


def _tab_to(page, name: str, seen: list[str]) -> dict:  # type: ignore[no-untyped-def, type-arg]
    for _ in range(40):
        page.keyboard.press("Tab")
        now = _focused(page)
        if now["name"]:
            seen.append(now["name"])
        if now["name"] == name:
            assert now["outline"], f"{name}: no visible focus"
            return now
    raise AssertionError(f"Tab never reached {name}; reached {seen}")


def test_a_requester_files_the_form_with_the_keyboard_alone(live_server, browser, service, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{live_server.url}/permohonan/{service.unit.kode}/{service.kode}/")
    seen: list[str] = []
    account = service.account
    for name, value in (
        ("user_id", account.user_id),
        ("nip", ""),
        ("name", account.name),
        ("email", "pemohon.baru@gmail.com"),
        ("phone", "081234567890"),
    ):
        _tab_to(page, name, seen)
        if value:
            page.keyboard.type(value)
    _tab_to(page, "agency", seen)
    page.keyboard.press("ArrowDown")  # the first agency of the list
    _tab_to(page, "need", seen)
    page.keyboard.press("Space")  # the first choice: a new password
    for berkas in service.sop.berkas:
        _tab_to(page, f"berkas-{berkas.kode}", seen)
        path = tmp_path / f"{berkas.kode}.pdf"
        path.write_bytes(pdf_bytes())
        page.locator(":focus").set_input_files(path)
    # Reading order: the identity, the agency, the need, then the documents, as printed.
    order = [n for n in dict.fromkeys(seen) if n not in ("language", "csrfmiddlewaretoken")]  # the header's menu first
    assert order[:8] == ["user_id", "nip", "name", "email", "phone", "agency", "need", "berkas-surat-pengajuan"]
    page.keyboard.press("Tab")
    assert _focused(page)["type"] == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url("**/permohonan/tanda-terima/")
    assert "Tanda terima permohonan" in page.content()
    context.close()
