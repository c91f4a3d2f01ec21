"""What counts as an empty restore target (loket.operations.backup.target_rows): a database that
`migrate` made and nobody used is empty, on SQLite and PostgreSQL alike; one row anywhere else
(a user, a session, an audit entry) makes it not empty."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from loket.operations.backup import target_rows
from loket.operations.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_a_migrated_unused_database_is_empty():
    assert target_rows() == []


def test_one_user_makes_it_not_empty():
    get_user_model().objects.create_user("satu-pengguna")
    assert target_rows() == ["auth_user"]


def test_a_heartbeat_counts_too():
    from django.utils import timezone

    Heartbeat.objects.create(name="host:1", seen_at=timezone.now())
    assert target_rows() == ["operations_heartbeat"]
