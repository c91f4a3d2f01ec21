"""Cases of the test SOP (tests/sop_factory.py) run to each of their endings, and the survey link
of a case read from its outbox mail, as the requester would click it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from loket.cases import services as case_services
from loket.cases.models import Case
from loket.notify.models import OutboxMessage
from tests.cases.test_services import answer_run
from tests.sop_factory import Service, submit

SCORES = {
    "persyaratan": "4",
    "prosedur": "3",
    "waktu": "3",
    "biaya": "4",
    "produk": "3",
    "kompetensi": "4",
    "perilaku": "4",
    "sarana": "3",
    "pengaduan": "3",
}


def ended(service: Service, how: str = "done", **identity: Any) -> Case:
    """A case of `service` ended `how`: done, refused, withdrawn or expired."""
    submitted = submit(service, **identity)
    case = submitted.case
    verifier = service.verifier
    if how == "done":
        answer_run(case, verifier, [(2, "ya", ""), (5, "ya", "")])
    elif how == "refused":
        answer_run(case, verifier, [(2, "ya", ""), (5, "tidak", "Nama pada SK berbeda dengan akun")])
    elif how == "withdrawn":
        case_services.withdraw_request(tracking_code=submitted.tracking_code, reason="salah isi")
    elif how == "expired":
        answer_run(case, verifier, [(2, "tidak", "SK kurang")], missing=["sk-penunjukan"])
        case_services.expire_stale_cases(now=timezone.now() + dt.timedelta(days=60))
    case.refresh_from_db()
    return case


def survey_link(case: Case) -> str:
    """The survey link of the case's invitation mail (the outbox keeps it until the mail is sent)."""
    mail = OutboxMessage.objects.get(case=case, template="survei-kepuasan")
    return mail.secret_link


def path_of(link: str) -> str:
    """The link's path, for the test client."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]
