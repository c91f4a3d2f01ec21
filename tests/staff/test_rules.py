"""Scope: each persona sees and may act on exactly the cases of their unit, lane and agency."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from loket.cases.models import Case, Status
from loket.staff import rules
from loket.staff.models import StaffRole
from tests.new_unit import add_unit, install, other_sop

from .helpers import case, staff


@pytest.fixture
def world(installed):
    """Two Admin Agency of kaltim (Dinas PUPR, Dinas Kesehatan), a Helpdesk of kkp, and cases
    in every corner: other agency, other unit with an agency of the same name, other lane,
    waiting on the requester, closed, without an agency."""
    w = SimpleNamespace(
        aa_pupr=staff("aa-pupr", "kaltim", "Admin Agency", "Dinas PUPR"),
        aa_dinkes=staff("aa-dinkes", "kaltim", "Admin Agency", "Dinas Kesehatan"),
        helpdesk=staff("helpdesk-kkp", "kkp", "Helpdesk"),
        k1=case("K1", "kaltim", lane="Admin Agency", agency_name="Dinas PUPR"),
        k2=case("K2", "kaltim", lane="Admin Agency", agency_name="Dinas Kesehatan"),
        k3=case("K3", "kaltim", lane="PPK", agency_name="Dinas PUPR", status=Status.WAITING),
        k4=case("K4", "kaltim", lane="", agency_name="Dinas PUPR", status=Status.DONE),
        k5=case("K5", "kaltim", lane="Admin Agency"),  # no agency recorded
        m1=case("M1", "magelang", lane="Admin Agency", agency_name="Dinas PUPR"),
        p1=case("P1", "kkp", lane="Helpdesk", agency_name="Ditjen Perikanan Tangkap"),
        p2=case("P2", "kkp", lane="Admin PPE", agency_name="Ditjen Perikanan Tangkap"),
        p3=case("P3", "kkp", lane="Admin Agency", agency_name="Ditjen Perikanan Tangkap", status=Status.WAITING),
    )
    return w


def queue(user):
    return list(Case.objects.filter(rules.queue_q(user)).order_by("reference"))


def visible(user):
    return list(Case.objects.filter(rules.visible_q(user)).order_by("reference"))


def test_admin_agency_sees_only_their_agency_in_their_unit(world):
    w = world
    assert queue(w.aa_pupr) == [w.k1]
    assert visible(w.aa_pupr) == [w.k1, w.k3, w.k4]
    assert queue(w.aa_dinkes) == [w.k2]
    assert visible(w.aa_dinkes) == [w.k2]


def test_helpdesk_sees_every_case_of_their_unit_and_queues_only_their_lane(world):
    w = world
    assert queue(w.helpdesk) == [w.p1]
    assert visible(w.helpdesk) == [w.p1, w.p2, w.p3]


def test_it_refuses_everything_to_an_outsider(world, outsider):
    assert queue(outsider) == []
    assert visible(outsider) == []
    assert not any(rules.can_view(outsider, c) for c in Case.objects.all())
    assert rules.roles_of(AnonymousUser()) == []
    assert visible(AnonymousUser()) == []


def test_it_gives_a_superuser_no_case_by_being_one(world, superuser):
    assert queue(superuser) == []
    assert visible(superuser) == []
    assert not rules.can_view(superuser, world.k1)
    assert not rules.can_act(superuser, world.k1, "Admin Agency")


def test_it_refuses_an_inactive_staff_member(world):
    world.aa_pupr.is_active = False
    world.aa_pupr.save(update_fields=["is_active"])
    assert visible(world.aa_pupr) == []
    assert not rules.can_view(world.aa_pupr, world.k1)


def test_can_view_agrees_with_visible_q_for_every_persona_and_case(world, outsider, superuser):
    people = [world.aa_pupr, world.aa_dinkes, world.helpdesk, outsider, superuser]
    for person in people:
        seen = set(visible(person))
        for c in Case.objects.all():
            assert rules.can_view(person, c) == (c in seen), (person, c)


def test_acting_needs_the_lane_the_unit_and_for_admin_agency_the_agency(world):
    w = world
    assert rules.can_act(w.aa_pupr, w.k1, "Admin Agency")
    assert not rules.can_act(w.aa_pupr, w.k2, "Admin Agency")  # other agency
    assert not rules.can_act(w.aa_pupr, w.m1, "Admin Agency")  # same agency name, other unit
    assert not rules.can_act(w.aa_pupr, w.k5, "Admin Agency")  # no agency on the case
    assert not rules.can_act(w.aa_pupr, w.k1, "Helpdesk")  # a lane they do not hold
    assert rules.can_act(w.helpdesk, w.p1, "Helpdesk")
    assert rules.can_view(w.helpdesk, w.p2) and not rules.can_act(w.helpdesk, w.p2, "Admin PPE")


def test_two_roles_give_the_union_of_both_queues(world):
    w = world
    staff("helpdesk-kkp", "kkp", "Admin PPE")
    rules.forget_roles(w.helpdesk)
    assert queue(w.helpdesk) == [w.p1, w.p2]
    assert rules.can_act(w.helpdesk, w.p2, "Admin PPE")


def test_an_admin_agency_row_without_agency_grants_nothing(world):
    w = world
    broken = staff("aa-tanpa-instansi", "kaltim", "Admin Agency")  # bypasses the model's clean()
    assert StaffRole.objects.filter(user=broken, agency=None).exists()
    assert queue(broken) == []
    assert visible(broken) == []  # not the cases without an agency (K5)
    assert not rules.can_view(broken, w.k5)


def test_the_cases_without_an_agency_are_seen_by_the_non_agency_roles_of_the_unit(world):
    kepala = staff("kepala-kaltim", "kaltim", "Kepala LPSE")
    assert visible(kepala) == [world.k1, world.k2, world.k3, world.k4, world.k5]


def test_roles_are_read_once_per_user_object(world, django_assert_num_queries):
    user = world.aa_pupr
    rules.forget_roles(user)
    with django_assert_num_queries(1):
        rules.roles_of(user)
        rules.queue_q(user)
        rules.visible_q(user)
        rules.can_view(user, world.k1)
        rules.can_act(user, world.k1, "Admin Agency")
    assert [r.unit.kode for r in rules.roles_of(user)] == ["kaltim"]


def test_a_user_without_roles_costs_no_case_query(outsider, django_assert_num_queries):
    with django_assert_num_queries(1):  # reading the (empty) roles; the empty filter runs no query
        assert list(Case.objects.filter(rules.queue_q(outsider))) == []


# --- scope from the SOP files: `lingkup_instansi` ---------------------------------------------------


def test_a_lane_the_sop_file_declares_agency_scoped_scopes_cases_by_agency(installed):
    add_unit()
    install()  # Verifikator Instansi is in `lingkup_instansi`; Petugas Layanan is not
    verif = staff("verif-pu", "papua", "Verifikator Instansi", "Dinas PU")
    layanan = staff("layanan", "papua", "Petugas Layanan")
    pu = case("PA1", "papua", lane="Verifikator Instansi", agency_name="Dinas PU")
    kes = case("PA2", "papua", lane="Verifikator Instansi", agency_name="Dinas Kesehatan")
    front = case("PA3", "papua", lane="Petugas Layanan", agency_name="Dinas Kesehatan")
    assert queue(verif) == [pu]
    assert visible(verif) == [pu]
    assert rules.can_act(verif, pu, "Verifikator Instansi") and not rules.can_act(verif, kes, "Verifikator Instansi")
    assert queue(layanan) == [front]
    assert visible(layanan) == [pu, kes, front]  # a lane for the whole unit

    broken = staff("verif-tanpa-instansi", "papua", "Verifikator Instansi")  # bypasses clean()
    assert visible(broken) == [] and queue(broken) == []


def test_a_role_that_is_no_staff_lane_of_its_unit_grants_nothing(world):
    # At KKP the Admin Agency is the requester: a staff role of that name there has no known scope.
    stray = staff("aa-kkp", "kkp", "Admin Agency", "Ditjen Perikanan Tangkap")
    assert queue(stray) == [] and visible(stray) == []
    assert not rules.can_view(stray, world.p3) and not rules.can_act(stray, world.p3, "Admin Agency")


def test_a_new_version_that_drops_the_scope_does_not_widen_what_an_agency_s_staff_see(installed):
    """The review's scenario: versi 2 of the same SOP no longer lists the lane in
    `lingkup_instansi`. Staff whose role names an agency still see only that agency's cases."""
    add_unit()
    install()
    verif = staff("verif-pu", "papua", "Verifikator Instansi", "Dinas PU")
    pu = case("PA1", "papua", lane="Verifikator Instansi", agency_name="Dinas PU")
    kes = case("PA2", "papua", lane="Verifikator Instansi", agency_name="Dinas Kesehatan")
    unscoped = other_sop(kode="papua-reset-ppk", scoped=False).replace("versi: 1", "versi: 2", 1)
    install(unscoped)
    rules.forget_roles(verif)
    assert queue(verif) == [pu] and visible(verif) == [pu]
    assert not rules.can_view(verif, kes) and not rules.can_act(verif, kes, "Verifikator Instansi")
