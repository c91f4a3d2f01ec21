"""The case page of a registration: the head and the candidate, the reply letter's preview for
the staff member about to send it, the user ID the unit's rule proposes (changeable), a second
account refused beside its field with the form kept, and the wait for training as a row of its
own among the steps."""

from __future__ import annotations

import io
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from loket.cases.models import Status
from loket.directory.models import Account
from loket.registration.effects import local_today
from loket.registration.letters import peek_number
from loket.registration.models import Registration
from tests.registration.conftest import CANDIDATE_NIP, reg  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _page(client, case):  # type: ignore[no-untyped-def]
    return client.get(reverse("console:case", args=[case.pk]))


def test_the_chief_previews_the_numbered_letter_before_sending_it(client, reg):  # noqa: F811
    case = reg.submit()
    client.force_login(reg.chief)
    page = _page(client, case).content.decode()
    assert "Calon Admin Agency" in page and "Siti Rahmawati" in page and CANDIDATE_NIP in page
    assert "Kepala Dinas Perumahan Rakyat" in page
    expected = peek_number(case.unit, local_today(case))
    preview_url = reverse("console:letter_preview", args=[case.pk])
    assert preview_url in page
    response = client.get(preview_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kepala Dinas Perumahan Rakyat" in text and "Siti Rahmawati" in text
    assert expected in text  # the number it would take
    # The preview takes no number: sending does, and the page then names it.
    assert not Registration.objects.get(case=case).letter_number
    response = client.post(
        reverse("console:case", args=[case.pk]), {"version": case.version, "jawaban-2": "lanjut", "letter_note": ""}
    )
    assert response.status_code == 302
    number = Registration.objects.get(case=case).letter_number
    assert number == expected
    assert number in _page(client, case).content.decode()
    # Staff with nothing to send get no preview.
    client.force_login(reg.admin)
    assert client.get(preview_url).status_code == 404


def test_the_admin_gets_the_proposed_user_id_and_a_duplicate_is_refused_beside_it(client, reg):  # noqa: F811
    case = reg.submit()
    reg.decide(case, reg.chief, [(2, "lanjut", "")])
    client.force_login(reg.admin)
    page = _page(client, case).content.decode()
    field = re.search(r'<input id="f-new_user_id" name="new_user_id" value="([^"]*)"', page)
    assert field and field.group(1), "the unit's rule proposes a user ID"
    proposed = field.group(1)
    Account.objects.create(
        unit=case.unit,
        user_id="lama",
        name="Siti",
        email="s@x.go.id",
        role="Admin Agency",
        agency=case.agency,
        nip=CANDIDATE_NIP,
    )
    case.refresh_from_db()
    assert page.count('name="kelengkapan"') == 2  # the step's kelengkapan, to tick
    data = {
        "version": case.version,
        "jawaban-3": "ya",
        "kelengkapan": ["0", "1"],
        "jawaban-6": "lanjut",
        "new_user_id": "siti.pilihan",
    }
    response = client.post(reverse("console:case", args=[case.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Akun kedua tidak dibuat" in page and 'value="siti.pilihan"' in page
    Account.objects.filter(user_id="lama").delete()
    response = client.post(reverse("console:case", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert proposed != "siti.pilihan"
    assert case.status == Status.TRAINING and case.account.user_id == "siti.pilihan"  # staff changed the proposal
    page = _page(client, case).content.decode()
    assert "Menunggu pelatihan (bukan langkah petugas" in page
    since = Registration.objects.get(case=case).waiting_since
    local = timezone.localtime(since, zoneinfo.ZoneInfo(case.unit.zona_waktu))
    wait_row = page.split('<tr class="wait">')[1].split("</tr>")[0]
    assert f"<td>{local:%d-%m-%Y %H:%M}</td>" in wait_row  # in the unit's time, as every other time of the page
    assert "menunggu pemiliknya mengikuti pelatihan" in page


def test_the_chief_of_another_unit_gets_nothing(client, reg):  # noqa: F811
    from tests.registration.conftest import Registering
    from tests.registration.sop import registration_sop
    from tests.sop_factory import make_service

    elsewhere = Registering(make_service(unit="lain", text=registration_sop(unit="lain"), accounts=False))
    case = reg.submit()
    client.force_login(elsewhere.chief)
    assert _page(client, case).status_code == 404
    assert client.get(reverse("console:letter_preview", args=[case.pk])).status_code == 404
