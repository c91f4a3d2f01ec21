"""Shared fixtures: the built-in units and SOPs installed, and the personas who use the pages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from loket.catalog.services import install_builtin

pytest_plugins = ["tests.fixtures_smtp"]

DEFINITIONS = [
    "kaltim-registrasi-admin-agency",
    "kaltim-reset-ppk",
    "kkp-reset-admin-agency",
    "magelang-reset-ppk",
    "sbt-reset-pokja",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request of an earlier test that asked for
    English (Accept-Language) leaves it active in the thread, as Django's LocaleMiddleware does
    not switch back after a response."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def installed(db):
    """The four units and the five built-in SOPs, installed as `make demo` does."""
    return install_builtin()


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_user(
        "admin-pusat", password="Rahasia-uji-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(db):
    """Signed in, but no staff member: the admin must turn them away."""
    return get_user_model().objects.create_user("warga", password="Rahasia-uji-123")


@pytest.fixture
def people(installed):
    """Staff of every lane and scope and the accounts they serve (tests/factories.py)."""
    from tests.factories import make_people

    return make_people()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open(monkeypatch):
    """The worker closes stale connections between tasks, as Django does between requests (and as
    Django's own test client does not). Inside a test's transaction that would close the
    connection under the test (PostgreSQL really closes it), so it is skipped there."""
    from django.db import close_old_connections, connections

    def guarded() -> None:
        if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
            close_old_connections()

    monkeypatch.setattr("loket.notify.worker.close_old_connections", guarded)
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", guarded)
