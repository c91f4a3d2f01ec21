"""The console's header names the staff member's unit when every role they hold is at one unit,
on pages that concern no one unit themselves (the work queue, the report); staff of several
units and administrators see the product's name alone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from loket.staff.models import StaffRole

pytestmark = pytest.mark.django_db


def _header_unit(client, url: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(url).content.decode()
    header = re.search(r'<header class="top">.*?</header>', page, re.S)
    assert header is not None
    name = re.search(r'<span class="unit-mark-name">([^<]*)</span>', header.group(0))
    return name.group(1) if name else ""


def test_a_staff_member_of_one_unit_sees_it_in_the_header_of_every_console_page(client, service):
    client.force_login(service.verifier)
    for url in (reverse("console:queue"), reverse("console:cases"), reverse("console:mutu_baku")):
        assert _header_unit(client, url) == service.unit.nama
    # The footer of the same pages gives the unit's contact (one source for both).
    assert 'class="unit-footer"' in client.get(reverse("console:queue")).content.decode()


def test_staff_of_two_units_and_an_administrator_see_no_unit(client, service, other_service):
    user = service.verifier
    StaffRole.objects.create(user=user, unit=other_service.unit, role="Petugas Layanan")
    client.force_login(get_user_model().objects.get(pk=user.pk))
    assert _header_unit(client, reverse("console:queue")) == ""
    admin = get_user_model().objects.create_superuser("admin-uji", password="x-Loket-2026!")
    client.force_login(admin)
    assert _header_unit(client, reverse("console:queue")) == ""


def test_the_portal_and_the_catalogue_are_not_given_a_staff_members_unit(client, service):
    client.force_login(service.verifier)
    assert _header_unit(client, reverse("portal:home")) == ""
    assert _header_unit(client, reverse("web:sop_list")) == ""
