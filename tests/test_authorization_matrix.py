"""The authorization matrix: who gets what from every console page, every staff API operation and
the public case operations, for a case in and out of their scope.

The world (tests/sop_factory.py, built once for the module, each test rolled back to it):

- unit `matriks`, SOP with two staff lanes: Petugas Layanan (unit-wide) checks completeness
  (steps 2-3), Verifikator Akun (agency-scoped, `lingkup_instansi`) the rest; agencies A0 and A1.
- unit `matriks-lain`, the default SOP: Verifikator Akun (agency-scoped) at agencies of the same
  names A0 and A1.
- cases of `matriks`: "in" (agency A0) and "out" (agency A1), each handed in and past the
  completeness check, so waiting at step 5 on Verifikator Akun of its agency; and a closed
  (archived) twin of each for the archive PDF.

The roles, each as a signed-in session and as an API token of the same user:

| role | who |
| --- | --- |
| anonymous | no sign-in (session); a revoked token of `own` (token) |
| no-role | signed in, no staff role anywhere |
| own | Verifikator Akun of `matriks`, agency A0: the case's lane and agency |
| other-agency | Verifikator Akun of `matriks`, agency A1 |
| other-lane | Petugas Layanan of `matriks` (unit-wide): another lane of the same unit |
| other-unit | Verifikator Akun of `matriks-lain`, an agency of the same name A0 |
| superuser | is_superuser and is_staff, no staff role |

Each cell is one test: the answer's status, whether the case is shown (its reference or its
requester's e-mail address anywhere in the body; for a document or the archive PDF, the file
served), and whether it changed (version, status,
current step, the steps recorded, the documents). Every cell also asserts that the tracking code
is never in an answer, and that nothing changed unless the cell says so.

Cell notation: a status, then `+` (the case is shown) or `-` (not shown), then `*` when the case
changed (only a decision in scope). `login` is a redirect to the console's sign-in, `back` a
redirect to the portal's tracking-code form, `302` any other redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from loket.cases.models import Case, Status
from loket.mailbox.models import Mailbox
from loket.staff.services import create_api_token, revoke_api_token
from tests.cases.test_services import answer_run
from tests.factories import PASSWORD, pdf_bytes
from tests.sop_factory import AGENCIES, VERIFIER, make_service, submit

DESK = "Petugas Layanan"  # the unit-wide lane
API = "/api/v1"
ROLES = ["anonymous", "no-role", "own", "other-agency", "other-lane", "other-unit", "superuser"]
CASES = ["in", "out"]

# -- the expected answers ---------------------------------------------------------------------------
# Columns: ROLES, in that order. One row per (what, case).

# Signed in to the console (a session; `anonymous`: not signed in). The staff API takes no session.
SESSION = {
    #                            anonymous no-role  own     other-   other-  other-  superuser
    #                                                        agency   lane    unit
    ("queue", "in"):           ("login", "200-", "200+", "200-", "200-", "200-", "200-"),
    ("queue", "out"):          ("login", "200-", "200-", "200+", "200-", "200-", "200-"),
    # Every case in my scope, any status (the unit-wide lane sees both; the list of my recent
    # cases is in the same scope).
    ("cases", "in"):           ("login", "200-", "200+", "200-", "200+", "200-", "200-"),
    ("cases", "out"):          ("login", "200-", "200-", "200+", "200+", "200-", "200-"),
    ("case", "in"):            ("login", "404-", "200+", "404-", "200+", "404-", "404-"),
    ("case", "out"):           ("login", "404-", "404-", "200+", "200+", "404-", "404-"),
    # The unit-wide lane sees every case of its unit but the step is not its lane's: the page
    # redirects to itself with "not waiting on you", nothing saved (the API answers 403).
    ("case-post", "in"):       ("login", "404-", "302-*", "404-", "302-", "404-", "404-"),
    ("case-post", "out"):      ("login", "404-", "404-", "302-*", "302-", "404-", "404-"),
    ("document", "in"):        ("login", "404-", "200+", "404-", "200+", "404-", "404-"),
    ("document", "out"):       ("login", "404-", "404-", "200+", "200+", "404-", "404-"),
    ("archive", "in"):         ("login", "404-", "200+", "404-", "200+", "404-", "404-"),
    ("archive", "out"):        ("login", "404-", "404-", "200+", "200+", "404-", "404-"),
    # The check of the sealed record: whoever may view the case (its verdict names the case).
    ("archive-verify", "in"):  ("login", "404-", "200+", "404-", "200+", "404-", "404-"),
    ("archive-verify", "out"): ("login", "404-", "404-", "200+", "200+", "404-", "404-"),
    # A reset case sends no reply letter: nobody gets a preview (a registration's chief does:
    # tests/web/test_registration_console.py), and a case out of scope is not named.
    ("letter-preview", "in"):  ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("letter-preview", "out"): ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    # The superuser's outbox lists every mail with its case's reference, addressee and body (no
    # tracking code, no one-time link: those wait outside the body): what an administrator sees.
    ("outbox", "in"):          ("login", "403-", "403-", "403-", "403-", "403-", "200+"),
    ("outbox", "out"):         ("login", "403-", "403-", "403-", "403-", "403-", "200+"),
    ("lanes", "in"):           ("login", "403-", "403-", "403-", "403-", "403-", "200-"),
    ("lanes", "out"):          ("login", "403-", "403-", "403-", "403-", "403-", "200-"),
    # No lane of these units waits on training: the training pages are nobody's here (their
    # scope on a registration SOP: tests/web/test_training_pages.py).
    ("training", "in"):        ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("training", "out"):       ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("training-unit", "in"):   ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("training-unit", "out"):  ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    # No lane of these units issues tickets or calls them: the counter pages are nobody's here
    # (their scope on a queue SOP: tests/counter/test_views.py).
    ("counter", "in"):         ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter", "out"):        ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter-front", "in"):   ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter-front", "out"):  ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter-guests", "in"):  ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter-guests", "out"): ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter-desk", "in"):    ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    ("counter-desk", "out"):   ("login", "404-", "404-", "404-", "404-", "404-", "404-"),
    # `matriks` has a mailbox, `matriks-lain` none. Mail is opened by the lane of the first staff
    # step (no step calls a queue here): Petugas Layanan; a superuser sees every mailbox. The index
    # of one unit redirects to it. The page lists e-mail cases waiting on their requester only
    # (none here), so no case is shown (the lists: tests/mailbox/test_console.py).
    ("mailbox-index", "in"):   ("login", "404-", "404-", "404-", "302-", "404-", "302-"),
    ("mailbox-index", "out"):  ("login", "404-", "404-", "404-", "302-", "404-", "302-"),
    ("mailbox", "in"):         ("login", "404-", "404-", "404-", "200-", "404-", "200-"),
    ("mailbox", "out"):        ("login", "404-", "404-", "404-", "200-", "404-", "200-"),
    ("mailbox-check", "in"):   ("login", "404-", "404-", "404-", "302-", "404-", "302-"),
    ("mailbox-check", "out"):  ("login", "404-", "404-", "404-", "302-", "404-", "302-"),
    # The mutu baku report lists the cases in the reader's scope by reference (a superuser: every
    # unit's, as the lanes page names references to administrators); no role, no report.
    ("mutu-baku", "in"):       ("login", "403-", "200+", "200-", "200+", "200-", "200+"),
    ("mutu-baku", "out"):      ("login", "403-", "200-", "200+", "200+", "200-", "200+"),
    # No step here has gone over its standard: the lists are empty, so the cells say who may open
    # them. "Penyimpangan saya": any staff member with a unit (a superuser: every unit). The review
    # list: a lane the SOP names `pengawas` (none here), else a superuser. The lists' contents by
    # scope: tests/deviations/test_deviations.py.
    ("my-deviations", "in"):   ("login", "403-", "200-", "200-", "200-", "200-", "200-"),
    ("my-deviations", "out"):  ("login", "403-", "200-", "200-", "200-", "200-", "200-"),
    ("deviations", "in"):      ("login", "403-", "403-", "403-", "403-", "403-", "200-"),
    ("deviations", "out"):     ("login", "403-", "403-", "403-", "403-", "403-", "200-"),
    # The IKM: aggregates of the reader's units, never a case (tests/survey/test_pages.py).
    ("survey", "in"):          ("login", "403-", "200-", "200-", "200-", "200-", "200-"),
    ("survey", "out"):         ("login", "403-", "200-", "200-", "200-", "200-", "200-"),
    ("api-queue", "in"):       ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-search", "in"):      ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-search", "out"):     ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-queue", "out"):      ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-case", "in"):        ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-case", "out"):       ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-decide", "in"):      ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    ("api-decide", "out"):     ("401-", "401-", "401-", "401-", "401-", "401-", "401-"),
    # The public case operations: the tracking code opens the case, whoever holds it; a staff
    # role opens nothing there (and the portal asks for the code first).
    ("api-status", "in"):      ("200+", "200+", "200+", "200+", "200+", "200+", "200+"),
    ("api-status", "out"):     ("200+", "200+", "200+", "200+", "200+", "200+", "200+"),
    ("api-supply", "in"):      ("409-", "409-", "409-", "409-", "409-", "409-", "409-"),
    ("api-supply", "out"):     ("409-", "409-", "409-", "409-", "409-", "409-", "409-"),
    ("portal-status", "in"):   ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-status", "out"):  ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-supply", "in"):   ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-supply", "out"):  ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-withdraw", "in"): ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-withdraw", "out"): ("back", "back", "back", "back", "back", "back", "back"),
}  # fmt: skip

# An API token of the same users (`anonymous`: a revoked token of `own`), sent on every request
# as `Authorization: Bearer ...`. The console takes no token.
TOKEN = {
    #                            anonymous no-role  own     other-   other-  other-  superuser
    #                                                        agency   lane    unit
    ("queue", "in"):           ("login", "login", "login", "login", "login", "login", "login"),
    ("queue", "out"):          ("login", "login", "login", "login", "login", "login", "login"),
    ("cases", "in"):           ("login", "login", "login", "login", "login", "login", "login"),
    ("cases", "out"):          ("login", "login", "login", "login", "login", "login", "login"),
    ("case", "in"):            ("login", "login", "login", "login", "login", "login", "login"),
    ("case", "out"):           ("login", "login", "login", "login", "login", "login", "login"),
    ("case-post", "in"):       ("login", "login", "login", "login", "login", "login", "login"),
    ("case-post", "out"):      ("login", "login", "login", "login", "login", "login", "login"),
    ("document", "in"):        ("login", "login", "login", "login", "login", "login", "login"),
    ("document", "out"):       ("login", "login", "login", "login", "login", "login", "login"),
    ("archive", "in"):         ("login", "login", "login", "login", "login", "login", "login"),
    ("archive", "out"):        ("login", "login", "login", "login", "login", "login", "login"),
    ("archive-verify", "in"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("archive-verify", "out"): ("login", "login", "login", "login", "login", "login", "login"),
    ("letter-preview", "in"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("letter-preview", "out"): ("login", "login", "login", "login", "login", "login", "login"),
    ("outbox", "in"):          ("login", "login", "login", "login", "login", "login", "login"),
    ("outbox", "out"):         ("login", "login", "login", "login", "login", "login", "login"),
    ("lanes", "in"):           ("login", "login", "login", "login", "login", "login", "login"),
    ("lanes", "out"):          ("login", "login", "login", "login", "login", "login", "login"),
    ("training", "in"):        ("login", "login", "login", "login", "login", "login", "login"),
    ("training", "out"):       ("login", "login", "login", "login", "login", "login", "login"),
    ("training-unit", "in"):   ("login", "login", "login", "login", "login", "login", "login"),
    ("training-unit", "out"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("counter", "in"):         ("login", "login", "login", "login", "login", "login", "login"),
    ("counter", "out"):        ("login", "login", "login", "login", "login", "login", "login"),
    ("counter-front", "in"):   ("login", "login", "login", "login", "login", "login", "login"),
    ("counter-front", "out"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("counter-guests", "in"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("counter-guests", "out"): ("login", "login", "login", "login", "login", "login", "login"),
    ("counter-desk", "in"):    ("login", "login", "login", "login", "login", "login", "login"),
    ("counter-desk", "out"):   ("login", "login", "login", "login", "login", "login", "login"),
    ("mailbox-index", "in"):   ("login", "login", "login", "login", "login", "login", "login"),
    ("mailbox-index", "out"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("mailbox", "in"):         ("login", "login", "login", "login", "login", "login", "login"),
    ("mailbox", "out"):        ("login", "login", "login", "login", "login", "login", "login"),
    ("mailbox-check", "in"):   ("login", "login", "login", "login", "login", "login", "login"),
    ("mailbox-check", "out"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("mutu-baku", "in"):       ("login", "login", "login", "login", "login", "login", "login"),
    ("mutu-baku", "out"):      ("login", "login", "login", "login", "login", "login", "login"),
    ("my-deviations", "in"):   ("login", "login", "login", "login", "login", "login", "login"),
    ("my-deviations", "out"):  ("login", "login", "login", "login", "login", "login", "login"),
    ("deviations", "in"):      ("login", "login", "login", "login", "login", "login", "login"),
    ("deviations", "out"):     ("login", "login", "login", "login", "login", "login", "login"),
    ("survey", "in"):          ("login", "login", "login", "login", "login", "login", "login"),
    ("survey", "out"):         ("login", "login", "login", "login", "login", "login", "login"),
    ("api-queue", "in"):       ("401-", "200-", "200+", "200-", "200-", "200-", "200-"),
    ("api-search", "in"):      ("401-", "200-", "200+", "200-", "200+", "200-", "200-"),
    ("api-search", "out"):     ("401-", "200-", "200-", "200+", "200+", "200-", "200-"),
    ("api-queue", "out"):      ("401-", "200-", "200-", "200+", "200-", "200-", "200-"),
    ("api-case", "in"):        ("401-", "404-", "200+", "404-", "200+", "404-", "404-"),
    ("api-case", "out"):       ("401-", "404-", "404-", "200+", "200+", "404-", "404-"),
    ("api-decide", "in"):      ("401-", "404-", "200-*", "404-", "403-", "404-", "404-"),
    ("api-decide", "out"):     ("401-", "404-", "404-", "200-*", "403-", "404-", "404-"),
    ("api-status", "in"):      ("200+", "200+", "200+", "200+", "200+", "200+", "200+"),
    ("api-status", "out"):     ("200+", "200+", "200+", "200+", "200+", "200+", "200+"),
    ("api-supply", "in"):      ("409-", "409-", "409-", "409-", "409-", "409-", "409-"),
    ("api-supply", "out"):     ("409-", "409-", "409-", "409-", "409-", "409-", "409-"),
    ("portal-status", "in"):   ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-status", "out"):  ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-supply", "in"):   ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-supply", "out"):  ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-withdraw", "in"): ("back", "back", "back", "back", "back", "back", "back"),
    ("portal-withdraw", "out"): ("back", "back", "back", "back", "back", "back", "back"),
}  # fmt: skip

TABLES = {"session": SESSION, "token": TOKEN}
CELLS = [
    pytest.param(channel, what, case, role, expected, id=f"{channel}-{what}-{case}-{role}")
    for channel, table in TABLES.items()
    for (what, case), row in table.items()
    for role, expected in zip(ROLES, row, strict=True)
]


# -- the world --------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]  # role -> user (anonymous: None)
    tokens: dict[str, str]  # role -> token (anonymous: a revoked token of `own`)
    cases: dict[str, Case]  # "in", "out": open at step 5
    closed: dict[str, Case]  # their archived twins
    codes: dict[str, str]  # case name -> tracking code
    emails: dict[str, str]  # case name -> the requester's typed address


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once, in a transaction rolled back after the module; every test runs in a savepoint
    inside it (pytest-django's `db`), so a cell that changes the case changes it for itself only."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        here = make_service(unit="matriks", lanes={2: DESK, 3: DESK})
        elsewhere = make_service(unit="matriks-lain")
        # A mailbox no server answers (port 1): its page reads no mail, "check now" records the error.
        Mailbox.objects.create(unit=here.unit, host="127.0.0.1", port=1, username="loket@matriks.go.id")
        assert here.sop.lingkup_instansi == [VERIFIER]  # Petugas Layanan serves the whole unit
        desk = here.staff_of(DESK)
        users = {
            "anonymous": None,
            "no-role": here.no_role,
            "own": here.staff_of(VERIFIER, AGENCIES[0]),
            "other-agency": here.staff_of(VERIFIER, AGENCIES[1]),
            "other-lane": desk,
            "other-unit": elsewhere.staff_of(VERIFIER, AGENCIES[0]),
            "superuser": get_user_model().objects.create_user(
                "matriks-admin", password=PASSWORD, is_staff=True, is_superuser=True
            ),
        }
        tokens = {role: create_api_token(actor=None, user=user)[1] for role, user in users.items() if user}
        revoked, tokens["anonymous"] = create_api_token(actor=None, user=users["own"])
        revoke_api_token(actor=None, token_id=revoked.pk)
        cases, closed, codes, emails = {}, {}, {}, {}
        for name, agency, verifier in (("in", AGENCIES[0], users["own"]), ("out", AGENCIES[1], users["other-agency"])):
            emails[name] = f"pemohon.{name}@example.go.id"
            for twin in (cases, closed):
                submitted = submit(here, here.accounts[agency], email=emails[name])
                answer_run(submitted.case, desk, [(2, "ya", "")])
                if twin is closed:
                    answer_run(submitted.case, verifier, [(5, "ya", "")])
                else:
                    codes[name] = submitted.tracking_code
                twin[name] = Case.objects.get(pk=submitted.case.pk)
        assert {(c.status, c.current_step, c.current_lane) for c in cases.values()} == {(Status.OPEN, 5, VERIFIER)}
        assert {c.status for c in closed.values()} == {Status.DONE} and all(
            hasattr(c, "archive") for c in closed.values()
        )
        yield World(users, tokens, cases, closed, codes, emails)
        transaction.set_rollback(True)


# -- what is asked ----------------------------------------------------------------------------------


def _ask(what: str, client: Client, w: World, name: str, headers: dict[str, str]) -> Any:
    case = w.cases[name]
    code = w.codes[name]
    doc = case.documents.order_by("pk").first()
    assert doc is not None
    asks: dict[str, Callable[[], Any]] = {
        "queue": lambda: client.get(reverse("console:queue"), headers=headers),
        "cases": lambda: client.get(reverse("console:cases"), headers=headers),
        "case": lambda: client.get(reverse("console:case", args=[case.pk]), headers=headers),
        "case-post": lambda: client.post(
            reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-5": "ya"}, headers=headers
        ),
        "document": lambda: client.get(reverse("console:document", args=[case.pk, doc.pk]), headers=headers),
        "archive": lambda: client.get(reverse("console:archive_pdf", args=[w.closed[name].pk]), headers=headers),
        "archive-verify": lambda: client.get(
            reverse("console:archive_verify", args=[w.closed[name].pk]), headers=headers
        ),
        "letter-preview": lambda: client.get(reverse("console:letter_preview", args=[case.pk]), headers=headers),
        "outbox": lambda: client.get(reverse("console:outbox"), headers=headers),
        "lanes": lambda: client.get(reverse("console:lanes"), headers=headers),
        "training": lambda: client.get(reverse("console:training"), headers=headers),
        "training-unit": lambda: client.get(reverse("console:training_unit", args=[case.unit.kode]), headers=headers),
        "counter": lambda: client.get(reverse("console:counter_index"), headers=headers),
        "counter-front": lambda: client.get(reverse("console:counter_front", args=[case.unit.kode]), headers=headers),
        "counter-guests": lambda: client.get(reverse("console:counter_guests", args=[case.unit.kode]), headers=headers),
        "counter-desk": lambda: client.get(reverse("console:counter_desk", args=[case.unit.kode]), headers=headers),
        "mailbox-index": lambda: client.get(reverse("console:mailbox_index"), headers=headers),
        "mailbox": lambda: client.get(reverse("console:mailbox", args=[case.unit.kode]), headers=headers),
        "mailbox-check": lambda: client.post(reverse("console:mailbox_check", args=[case.unit.kode]), headers=headers),
        "mutu-baku": lambda: client.get(reverse("console:mutu_baku"), headers=headers),
        "my-deviations": lambda: client.get(reverse("console:my_deviations"), headers=headers),
        "deviations": lambda: client.get(reverse("console:deviations"), headers=headers),
        "survey": lambda: client.get(reverse("console:survey"), headers=headers),
        "api-queue": lambda: client.get(f"{API}/cases", headers=headers),
        "api-search": lambda: client.get(f"{API}/search/cases", headers=headers),
        "api-case": lambda: client.get(f"{API}/cases/{case.pk}", headers=headers),
        "api-decide": lambda: client.post(
            f"{API}/cases/{case.pk}/decisions",
            {"version": case.version, "answers": [{"step": 5, "answer": "ya"}]},
            content_type="application/json",
            headers=headers,
        ),
        "api-status": lambda: client.get(f"{API}/requests/{code}", headers=headers),
        "api-supply": lambda: client.post(
            f"{API}/requests/{code}/documents",
            {"sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")},
            headers=headers,
        ),
        "portal-status": lambda: client.get(reverse("portal:status_case", args=[case.reference]), headers=headers),
        "portal-supply": lambda: client.post(
            reverse("portal:supply", args=[case.reference]),
            {"code": code, "sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")},
            headers=headers,
        ),
        "portal-withdraw": lambda: client.post(
            reverse("portal:withdraw", args=[case.reference]), {"code": code, "reason": "salah isi"}, headers=headers
        ),
    }
    return asks[what]()


def _state(case: Case) -> tuple[Any, ...]:
    case = Case.objects.get(pk=case.pk)
    steps = tuple(case.steps.order_by("pk").values_list("step", "answer", "finished_at", "actor_id"))
    documents = tuple(case.documents.order_by("pk").values_list("pk", "kode", "sha256"))
    return (case.version, case.status, case.current_step, case.current_lane, steps, documents)


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode("utf-8", errors="replace")


def _status(response: Any) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("console:login")):
            return "login"
        if location == reverse("portal:status"):
            return "back"
    return str(response.status_code)


# -- the cells --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "what", "name", "role", "expected"), CELLS)
def test_cell(world: World, channel: str, what: str, name: str, role: str, expected: str) -> None:
    w = world
    client = Client()
    headers: dict[str, str] = {}
    if channel == "session" and w.users[role] is not None:
        client.force_login(w.users[role])
    if channel == "token":
        headers = {"Authorization": f"Bearer {w.tokens[role]}"}
    case = w.cases[name]
    before = {n: _state(c) for n, c in w.cases.items()}
    response = _ask(what, client, w, name, headers)
    after = {n: _state(c) for n, c in w.cases.items()}
    body = _body(response)

    # A document or the archive is the case's own content: served at all is shown.
    served = what in {"document", "archive"} and response.status_code == 200
    shown = served or case.reference in body or w.emails[name] in body
    # The archive check is asked of the closed twin: shown is its reference on the page.
    shown = shown or (what == "archive-verify" and w.closed[name].reference in body)
    changed = after[name] != before[name]
    got = _status(response)
    if got not in {"login", "back"}:
        got += "+" if shown else "-"
    if changed:
        got += "*"
    assert got == expected, f"{channel} {role} {what} {name}: {got}, expected {expected}\n{body[:600]}"

    # Never: the tracking code in an answer, another case changed, a refused cell that changed.
    assert all(code not in body for code in w.codes.values())
    others = [n for n in w.cases if n != name]
    assert all(after[n] == before[n] for n in others)
    if not expected.endswith("*"):
        assert after[name] == before[name]
    # A token stays a token: no answer here signs a token holder in to the console.
    if channel == "token":
        assert "sessionid" not in response.cookies or not response.cookies["sessionid"].value


def test_the_tables_cover_every_console_url_and_every_staff_and_case_operation(client):
    from loket.web import console_urls

    operations = {
        (method, path)
        for path, item in client.get(f"{API}/openapi.json").json()["paths"].items()
        for method in item
        if "security" in item[method] or "{tracking_code}" in path
    }
    assert operations == {
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/search/cases"),
        ("get", "/api/v1/cases/{case_id}"),
        ("post", "/api/v1/cases/{case_id}/decisions"),
        ("get", "/api/v1/requests/{tracking_code}"),
        ("post", "/api/v1/requests/{tracking_code}/documents"),
        # The training operations are unit-scoped, not case-scoped: 404 to anyone without the
        # training lane at the unit (tests/api/test_training_api.py, every operation).
        ("get", "/api/v1/training/units/{unit}/sessions"),
        ("post", "/api/v1/training/units/{unit}/sessions"),
        ("get", "/api/v1/training/units/{unit}/waiting"),
        ("get", "/api/v1/training/sessions/{session_id}"),
        ("post", "/api/v1/training/sessions/{session_id}/invitations"),
        ("post", "/api/v1/training/sessions/{session_id}/attendance"),
        ("post", "/api/v1/training/registrations/{registration_id}/activation"),
    }, "a new staff or case operation: add it to the tables"
    console = {p.name for p in console_urls.urlpatterns} - {"login", "logout"}
    # The training pages of a session or a candidate need a registration: their scope is
    # tests/web/test_training_pages.py's (every one 404 to staff without the lane at the unit).
    training = {"training_session", "training_invite", "training_attendance", "training_attendance_csv"}
    training |= {"training_activation"}
    # A ticket's page, its print view, the request opened from it and its receipt need a ticket:
    # tests/counter/ (404 out of scope).
    training |= {"counter_ticket", "counter_print", "counter_open_request", "counter_receipt"}
    # Choosing a mail's service and marking it reviewed need a mail: tests/mailbox/test_console.py
    # (404 to other units, other lanes and no role; nothing changed).
    training |= {"mailbox_choose", "mailbox_review"}
    # One deviation's page, answer and review need a deviation (tests/deviations/: an executor
    # their own, a pengawas their unit's, an outsider 404, nothing changed); the tablet's survey
    # offer needs a ticket (tests/survey/test_tablet.py); the report's export jobs belong to the
    # user who asked (tests/reports/test_exports.py: 404 to anyone else, 403 without a unit).
    training |= {"deviation", "deviation_answer", "deviation_review"}
    training |= {"survey_offer"}
    training |= {"mutu_baku_export", "mutu_baku_job", "mutu_baku_job_status", "mutu_baku_job_file"}
    assert console - training == {
        "queue",
        "cases",
        "case",
        "document",
        "archive_pdf",
        "archive_verify",
        "letter_preview",
        "outbox",
        "lanes",
        "training",
        "training_unit",
        "counter_index",
        "counter_front",
        "counter_guests",
        "counter_desk",
        "mailbox_index",
        "mailbox",
        "mailbox_check",
        "mutu_baku",
        "my_deviations",
        "deviations",
        "survey",
    }, "a new console page: add it to the tables"
    for table in TABLES.values():
        assert {name for _, name in table} == set(CASES)
        assert all(len(row) == len(ROLES) for row in table.values())
