"""What one submit costs the database (issue 13, item 1): counted statements, not timings.

A request with two documents on a test SOP (tests/sop_factory.py): the agency and the directory
account looked up, the reference number taken in one statement, the case, both documents in one
insert, step 1 and its tallies, the next step opened, the case's state, the receipt mail and its
task, the audit entry; and no savepoint inside the submit's own transaction (the test's
transaction makes the submit's BEGIN/COMMIT a savepoint pair, counted as two). The case is
inserted once, already at step 2, and steps 1 and 2 go in one insert."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loket.cases.models import Case, Document
from tests.sop_factory import make_service, submit

pytestmark = pytest.mark.django_db

# 22 before: the counter's get-or-create and lock, one insert per document and per step, the case
# inserted then updated, one statement per tally, a savepoint around the mail, the agency apart
BUDGET = 12


def test_a_submit_takes_at_most_its_budget_of_statements_and_one_transaction():
    service = make_service()
    submit(service)  # the year's counter row exists from here on, as it does after the first request
    with CaptureQueriesContext(connection) as ctx:
        case = submit(service).case
    statements = [q["sql"] for q in ctx.captured_queries]
    control = [s for s in statements if s.split()[0].upper() in {"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"}]
    assert len(statements) <= BUDGET, "\n".join(statements)
    assert len(control) == 2, control  # the submit's own transaction, nothing nested
    for table in ("CASES_DOCUMENT", "CASES_STEPRUN", "CASES_CASE"):
        assert sum(s.lstrip().upper().startswith(f'INSERT INTO "{table}"') for s in statements) == 1, table
    assert not any(s.lstrip().upper().startswith('UPDATE "CASES_CASE"') for s in statements)
    # and the submit is whole: two documents, the second reference of the year
    assert Document.objects.filter(case=case).count() == 2
    assert case.reference == f"{service.prefix}{case.created_at.year}-000002"
    assert Case.objects.count() == 2
    assert case.current_step == 2 and case.version == 2  # as when it was inserted and then moved on
    assert list(case.steps.order_by("id").values_list("step", flat=True)) == [1, 2]
    assert case.steps.get(step=2).finished_at is None


def test_the_reference_counts_on_per_unit_and_starts_again_each_year():
    from loket.cases.codes import next_reference

    one, other = make_service(), make_service(unit="uji-lain")
    assert [next_reference(unit=one.unit, year=2026) for _ in range(3)][-1] == "UJI-2026-000003"
    assert next_reference(unit=other.unit, year=2026) == "UJI-LAIN-2026-000001"
    assert next_reference(unit=one.unit, year=2027) == "UJI-2027-000001"
    assert next_reference(unit=one.unit, year=2026) == "UJI-2026-000004"
