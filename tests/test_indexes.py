"""The indexes of the tables that grow with the cases and the directory: each look-up the
search and the intake make by a NIP or a lane is on an index, and on PostgreSQL none of these
tables carries a LIKE (`varchar_pattern_ops`) index that no query uses: Django adds one beside
every `db_index=True` or `unique=True` text field, as large as the index itself (at 10^6 cases:
the tracking digest's 121 MiB, a NIP's 39 MiB; bench/national.py). The case reference keeps its
own: the search box's prefix look-up reads it."""

from __future__ import annotations

import pytest
from django.db import connection

from loket.cases.models import Case
from loket.directory.models import Account

pytestmark = pytest.mark.django_db

GROWING = [
    "cases_case",
    "cases_steprun",
    "cases_document",
    "cases_archiverecord",
    "directory_account",
    "tallies_steptally",
    "tallies_hourtally",
]
USED_FOR_LIKE = {"cases_case_reference_cb43aa34_like"}  # search._prefix_q


def test_a_nip_and_a_lane_are_found_on_an_index():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # an empty table: the planner would rather read it all
            cursor.execute("SET LOCAL enable_seqscan = off")  # until the test rolls back
    plans = {
        "account_nip_idx": Account.objects.filter(nip="198001012010011001").explain(),
        "case_current_lane_idx": Case.objects.filter(current_lane="Verifikator").explain(),
    }
    for index, plan in plans.items():
        assert index in plan, plan


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LIKE indexes are PostgreSQL's; CI's PostgreSQL pass runs it"
)
def test_no_growing_table_has_a_like_index_no_query_uses():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef LIKE %s",
            [GROWING, "%pattern_ops%"],
        )
        found = {name for (name,) in cursor.fetchall()}
    assert found == USED_FOR_LIKE
