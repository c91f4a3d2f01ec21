"""No page breaks under the Content-Security-Policy: Chromium reports no refused script, style,
image or frame on the portal, the console, the catalogue and the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD
from tests.sop_factory import service, submit

__all__ = ["service"]  # the test SOP's fixture (tests/sop_factory.py)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_refuses_nothing_on_the_main_pages(live_server, service, new_page):
    case = submit(service).case
    get_user_model().objects.create_user("admin-uji", password=PASSWORD, is_staff=True, is_superuser=True)
    refused: list[str] = []

    def watch(page):  # type: ignore[no-untyped-def]
        page.on(
            "console",
            lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None,
        )
        return page

    public = watch(new_page())
    for url in (
        reverse("portal:home"),
        reverse("portal:start") + f"?unit={service.unit.kode}",
        reverse("portal:form", args=[service.unit.kode, service.version.kode]),
        reverse("web:sop_detail", args=[service.version.kode]),
        reverse("web:sop_download", args=[service.version.kode, service.version.versi, "html"]),
    ):
        public.goto(live_server.url + url)
        public.wait_for_load_state("networkidle")

    staff = watch(new_page())
    staff.goto(live_server.url + reverse("console:login"))
    staff.fill("input[name=username]", service.verifier.get_username())
    staff.fill("input[name=password]", PASSWORD)
    staff.click("button[type=submit]")
    staff.goto(live_server.url + reverse("console:case", args=[case.pk]))
    staff.wait_for_load_state("networkidle")
    # The page's own script still runs under the policy: the language menu submits on change.
    with staff.expect_navigation():
        staff.select_option("select[name=language]", "en")
    assert staff.locator("html").get_attribute("lang") == "en"

    admin = watch(new_page())
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("input[name=username]", "admin-uji")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("input[type=submit]")
    for url in ("/admin/", "/admin/units/unit/", "/admin/staff/staffrole/add/", "/admin/catalog/sopversion/add/"):
        admin.goto(live_server.url + url)
        admin.wait_for_load_state("networkidle")
    assert refused == []
