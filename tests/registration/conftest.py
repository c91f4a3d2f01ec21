"""Fixtures of the registration tests: a test unit with the registration SOP of tests/registration/
sop.py installed (its staff: one per staff lane), documents to hand in, and helpers that run the
request through the services as the portal and console do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from loket.cases import services as case_services
from loket.cases.context import Decision, StepAnswer
from loket.cases.models import Case
from loket.registration import services
from tests.cases.test_services import ticked_all
from tests.factories import pdf_bytes
from tests.sop_factory import Service, make_service

from .sop import ADMIN, CHIEF, registration_sop

CANDIDATE_NIP = "199204172018012003"


@dataclass
class Registering:
    service: Service

    @property
    def chief(self) -> Any:
        return self.service.staff_of(CHIEF)

    @property
    def admin(self) -> Any:
        return self.service.staff_of(ADMIN)

    def files(self, **skip: bool) -> list[tuple[str, str, bytes]]:
        return [
            (b.kode, f"{b.kode}.pdf", pdf_bytes(i + 1))
            for i, b in enumerate(self.service.sop.berkas)
            if not skip.get(b.kode)
        ]

    def submit(self, *, nip: str = CANDIDATE_NIP, email: str = "calon@dinas.go.id", **changes: Any) -> Case:
        head = services.Head(
            name=changes.pop("head_name", "Ir. Bambang Sutejo"),
            position=changes.pop("head_position", "Kepala Dinas Perumahan Rakyat"),
            email=changes.pop("head_email", "kadis@dinas.go.id"),
            phone="0541-123456",
        )
        candidate = services.Candidate(
            name=changes.pop("candidate_name", "Siti Rahmawati"),
            nip=nip,
            email=email,
            phone="081234567890",
            position="Pengelola Pengadaan",
            sk_number="800/12/DPR/2026",
            sk_date=dt.date(2026, 11, 2),
        )
        agency = changes.pop("agency", self.service.agency)
        return services.submit_registration(
            sop_version=self.service.version,
            channel="web",
            head=head,
            candidate=candidate,
            agency_id=agency.pk if agency is not None else None,
            new_agency_name=changes.pop("new_agency_name", ""),
            files=changes.pop("files", None) or self.files(),
        ).case

    def decide(self, case: Case, actor: Any, answers: list[tuple[int, str, str]], **values: Any) -> Case:
        """Answer as `actor`; a completeness check answered "ya" ticks every kelengkapan item
        unless `kelengkapan` says otherwise."""
        case.refresh_from_db()
        values.setdefault("kelengkapan", ticked_all(case, answers))
        case_services.decide(
            case_id=case.pk,
            actor=actor,
            version=case.version,
            decision=Decision(answers=[StepAnswer(*a) for a in answers], values=values),
        )
        case.refresh_from_db()
        return case

    def to_training(self, case: Case, **values: Any) -> Case:
        """Steps 2, 3 (complete) and 6 (the account created): the case then waits on training."""
        self.decide(case, self.chief, [(2, "lanjut", "")])
        return self.decide(case, self.admin, [(3, "ya", ""), (6, "lanjut", "")], **values)

    def session(self, *, hours_from_now: float = 24, capacity: int = 10) -> Any:
        starts = timezone.now() + dt.timedelta(hours=hours_from_now)
        return services.plan_session(
            unit=self.service.unit,
            actor=self.admin,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            place="Ruang Rapat LPSE Lt. 2",
            online_url="",
            capacity=capacity,
        )


@pytest.fixture
def reg(db) -> Registering:  # type: ignore[no-untyped-def]
    registering = Registering(make_service(text=registration_sop(), accounts=False))
    registering.chief.email = "ketua@lpse.uji.go.id"  # the copy (tembusan) goes to the address on record
    registering.chief.save(update_fields=["email"])
    return registering
