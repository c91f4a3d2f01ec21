"""No page, PDF, mail or export shows the server's UTC (issue 11, point 2): a crawler signs in as
each kind of staff and as a requester, follows every same-site link from the console, the portal,
the SOP catalogue and the account pages, and reads everything it reaches.

The world is built at one moment whose UTC date is not the local date anywhere in Indonesia:
2026-12-01 23:30 UTC is 2 December 06:30 WIB, 07:30 WITA, 08:30 WIT. So neither the UTC date
(1 December, in any spelling) nor the UTC wall time (23:3x) may appear anywhere, and wherever a
time is shown its zone's name (WIB, WITA, WIT) must be shown too. The unit of the cases and the
registration keeps WITA (Asia/Makassar); the counter is KKP's (WIB). Dates are Indonesian
(month names or dd-mm-yyyy, 24-hour times), never English ("Dec.", "a.m.").

A failure lists every URL (or mail, or file) with the snippet that gave it away.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from loket.cases import services as case_services
from loket.cases.models import Case, Document, Status
from loket.counter import services as counter_services
from loket.counter.models import QueueTicket
from loket.notify.models import OutboxMessage
from loket.registration import services as registration_services
from loket.registration.models import Registration
from tests.cases.test_services import answer_run
from tests.counter.conftest import make_desk
from tests.counter.test_intake import _open as open_at_the_counter
from tests.registration.conftest import Registering
from tests.registration.sop import registration_sop
from tests.sop_factory import AGENCIES, Service, make_service, submit

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
# What the fixture moment looks like in the unit's zone (WITA) and at the counter (WIB).
LOCAL_WITA = ("02-12-2026 07:30", "2 Desember 2026")
LOCAL_WIB = "06:30"  # the counter's board clock

ZONE_LABEL = re.compile(r"\b(WIB|WITA|WIT)\b|\bAsia/(Jakarta|Makassar|Jayapura)\b")
MONTHS_ID = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
# Any shown time of day, 24-hour, with ':' or '.' (Django's Indonesian TIME_FORMAT is "H.i").
A_TIME = re.compile(r"(?<![\d.,:/])([01]\d|2[0-3])[:.][0-5]\d(?![\d.,:/])")

# (what it is, pattern): none of these may appear in anything staff or a requester reads.
FORBIDDEN: list[tuple[str, re.Pattern[str]]] = [
    ("the word UTC", re.compile(r"\bUTC\b")),
    ("a +00:00 offset", re.compile(r"\+00:?00\b")),
    ("a Z-suffixed ISO time", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z\b")),
    ("an ISO timestamp", re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")),
    ("the UTC date (ISO)", re.compile(r"\b2026-12-01\b")),
    ("the UTC date (dd-mm-yyyy)", re.compile(r"\b0?1[-/.]12[-/.]2026\b")),
    ("the UTC date (in words)", re.compile(r"\b0?1\s+(Desember|Des\.?|December|Dec\.?)\s+2026\b", re.I)),
    ("the UTC wall time", re.compile(r"(?<![\d.,:])23[:.]3\d(?![\d.,:])")),
    (
        "an English month",
        re.compile(
            r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.\s*\d"
            r"|\b(January|February|March|May|June|July|August|October|December)\s+\d"
            r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2},\s+\d{4}"
        ),
    ),
    ("an English clock (a.m./p.m.)", re.compile(r"\d\s*(a\.m\.|p\.m\.)|\b(midnight|noon)\b", re.I)),
    ("an English weekday", re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("a decimal point in a count", re.compile(r"\b\d+\.\d+\s*(menit|jam|hari|%)")),
]

# Never followed: they sign out, change the language, or only take a POST; and what is not a page.
SKIP = re.compile(
    r"/keluar/|/logout/|^/i18n/|/delete/|/hapus/|/periksa/$|/undang/$|/kehadiran/$|/tinjau/$|/layanan/$"
    r"|^/static/|^/media/|\.wav$|status\.json$|^/api/"
)
PER_PATTERN = 6  # pages of one URL shape (ids replaced) per persona
PER_PERSONA = 220  # a sane limit on one persona's crawl

# -- reading what came back -----------------------------------------------------------------------


class _Page(HTMLParser):
    """The page's links (and the buttons of its GET forms, such as the downloads) and its visible
    text (no script, style or attribute)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._get_form: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attr.get("href"):
            self.links.append(attr["href"] or "")
        if tag == "form":
            get = (attr.get("method") or "get").lower() == "get"
            self._get_form = (attr.get("action") or "") if get else None
        button = tag == "button" or (tag == "input" and attr.get("type") == "submit")
        if button and self._get_form is not None and attr.get("name") and attr.get("value"):
            self.links.append(f"{self._get_form}?{attr['name']}={attr['value']}")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "form":
            self._get_form = None

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _snippet(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - 60), min(len(text), match.end() + 60)
    return " ".join(text[start:end].split())


def problems_in(text: str, *, visible: str | None = None, needs_zone: bool = True) -> list[str]:
    """What in `text` shows UTC or a non-Indonesian date; and, when `visible` (what a reader sees)
    shows a time of day, whether the zone's name is there too."""
    found = []
    for what, pattern in FORBIDDEN:
        for match in pattern.finditer(text):
            found.append(f"{what}: …{_snippet(text, match)}…")
            break
    shown = text if visible is None else visible
    if needs_zone:
        time = A_TIME.search(shown)
        if time and not ZONE_LABEL.search(shown):
            found.append(f"a time without its zone (WIB/WITA/WIT): …{_snippet(shown, time)}…")
    return found


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def xlsx_text(content: bytes) -> str:
    """The workbook's strings and cell values as they are stored (XlsxWriter's XML)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "\n".join(
            book.read(name).decode() for name in book.namelist() if name.startswith("xl/") and name.endswith(".xml")
        )


def xlsx_datetimes(content: bytes) -> list[dt.datetime]:
    """The date-times of the first sheet: the cells with a date number format (XlsxWriter writes
    them as Excel serial numbers)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        styles = book.read("xl/styles.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    formats = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    dated = set()
    for i, xf in enumerate(re.findall(r"<xf [^>]*?numFmtId=\"(\d+)\"", xfs.group(1) if xfs else "")):
        code = formats.get(xf, "")
        if int(xf) in (14, 15, 16, 17, 22) or ("h" in code.lower() and "m" in code.lower()):
            dated.add(str(i))
    out = []
    for style, value in re.findall(r'<c r="[A-Z]+\d+" s="(\d+)"(?: t="n")?><v>([\d.]+)</v></c>', sheet):
        if style in dated:
            out.append(dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value)))
    return out


# -- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    service: Service
    reg: Registering
    desk: Any
    superuser: Any
    cases: dict[str, Case]
    codes: dict[str, str]  # tracking codes of the requester's cases


@pytest.fixture
def world(db, request, monkeypatch, settings) -> World:
    settings.LOKET_COUNTER_CLOSES_AT = "off"
    monkeypatch.setattr("django.utils.timezone.now", lambda: MOMENT)
    assert timezone.now() == MOMENT
    # Installed and created under the fixed clock, not before it: otherwise the SOP versions'
    # "dipasang" time and the superuser's dates carry the real hour, and a run at 14:3x UTC
    # (23:3x WIT) reads as a leak.
    request.getfixturevalue("installed")
    superuser = request.getfixturevalue("superuser")

    service = make_service()  # unit `uji`, WITA
    cases: dict[str, Case] = {}
    codes: dict[str, str] = {}
    for name in ("submitted", "waiting", "done", "refused", "withdrawn"):
        handed = submit(service, name=f"Pemohon {name.title()}")
        cases[name], codes[name] = handed.case, handed.tracking_code
    answer_run(cases["waiting"], service.verifier, [(2, "tidak", "SK tidak terbaca")], missing=["sk-penunjukan"])
    answer_run(cases["done"], service.verifier, [(2, "ya", ""), (5, "ya", "")])
    answer_run(cases["refused"], service.verifier, [(2, "ya", ""), (5, "tidak", "Nama pada SK berbeda")])
    case_services.withdraw_request(tracking_code=codes["withdrawn"], reason="Sudah ingat passwordnya")

    reg = Registering(make_service(text=registration_sop(), accounts=False))  # same unit, WITA
    reg.chief.email = "ketua@lpse.uji.go.id"
    reg.chief.save(update_fields=["email"])
    lettered = reg.submit()
    reg.decide(lettered, reg.chief, [(2, "lanjut", "")])
    training = reg.to_training(reg.submit(email="calon2@dinas.go.id", nip="198811302014031002"))
    session = reg.session(hours_from_now=2)
    registration = Registration.objects.get(case=training)
    registration_services.invite(session_id=session.pk, registration_ids=[registration.pk], actor=reg.admin)
    cases["registration-letter"], cases["registration-training"] = lettered, training
    cases["registration-new"] = reg.submit(email="calon3@dinas.go.id", nip="199001052015031002")

    desk = make_desk()  # KKP, WIB
    entry = counter_services.record_guest(
        unit=desk.unit,
        service=desk.service,
        name="Hendra Gunawan",
        agency="Direktorat Jenderal Perikanan Tangkap",
        id_number="198709092012121008",
        phone="081234567890",
        actor=desk.front,
    )
    counter_services.issue_ticket(service=desk.service, entry=entry, actor=desk.front)
    counter_services.issue_ticket(service=desk.service, actor=desk.front)
    counter_services.sign_in(desk.counters[0], desk.helpdesk)
    called = counter_services.call_next(desk.counters[0], desk.helpdesk)
    assert called is not None
    counter_services.start_serving(called.pk, desk.counters[0], desk.helpdesk)
    cases["counter"] = open_at_the_counter(desk, called, now=MOMENT).submitted.case  # its receipt, its case page

    for case in cases.values():
        case.refresh_from_db()
    assert cases["done"].status == Status.DONE and cases["refused"].status == Status.REFUSED
    assert cases["waiting"].status == Status.WAITING and cases["registration-training"].status == Status.TRAINING
    return World(service, reg, desk, superuser, cases, codes)


# -- the crawler ----------------------------------------------------------------------------------


@dataclass
class Crawl:
    problems: list[str] = field(default_factory=list)
    pages: set[str] = field(default_factory=set)
    pdfs: set[str] = field(default_factory=set)
    exports: set[str] = field(default_factory=set)
    zoned_pages: int = 0
    texts: dict[str, str] = field(default_factory=dict)  # each PDF's text, by path
    once: set[str] = field(default_factory=set)  # the catalogue and the files: the same for everyone

    def report(self, where: str, found: Iterable[str]) -> None:
        self.problems.extend(f"{where}\n    {problem}" for problem in found)

    def run(self, client: Client, who: str, starts: Iterable[str]) -> None:
        queue = deque(starts)
        seen: set[str] = set()
        shapes: Counter[str] = Counter()
        while queue and len(seen) < PER_PERSONA:
            url = queue.popleft()
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path in seen or SKIP.search(parts.path):
                continue
            keys = ",".join(sorted(re.findall(r"([^?&=]+)=", parts.query)))
            # The admin's sorting and filter links are one shape per list; elsewhere each query.
            query = ("…" if keys else "") if parts.path.startswith("/admin/") else keys
            shape = re.sub(r"\d+", "#", parts.path) + "?" + query
            if shapes[shape] >= PER_PATTERN:
                continue
            if parts.path in self.once:
                continue
            seen.add(path)
            shapes[shape] += 1
            if parts.path.startswith("/sop/") or "/unduh/" in parts.path or parts.path.endswith(".pdf"):
                self.once.add(parts.path)
            response = client.get(path)
            if response.status_code in (301, 302, 303):
                target = urljoin(path, response["Location"])
                if urlsplit(target).netloc in ("", "testserver"):
                    queue.append(target)
                continue
            if response.status_code != 200:
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            kind = response.get("Content-Type", "")
            where = f"[{who}] GET {path}"
            if kind.startswith("application/pdf"):
                self.pdfs.add(path)
                self.texts[path] = pdf_text(body)
                self.report(where + " (PDF)", problems_in(self.texts[path]))
            elif kind.startswith("text/csv"):
                self.exports.add(path)
                self.check_csv(where, body)
            elif "spreadsheetml" in kind:
                self.exports.add(path)
                self.check_xlsx(where, body)
            elif kind.startswith("text/html"):
                html = body.decode()
                page = _Page()
                page.feed(html)
                visible = " ".join(" ".join(page.text).split())
                self.pages.add(path)
                self.zoned_pages += bool(ZONE_LABEL.search(visible))
                # Link targets are read by the server, not by people (an admin filter's "this month"
                # starts on the 1st, the UTC date here): only what the page shows is checked.
                self.report(where, problems_in(re.sub(r'href="[^"]*"', 'href=""', html), visible=visible))
                for href in page.links:
                    target = urljoin(path if not href.startswith("?") else parts.path, href.split("#")[0])
                    if target and urlsplit(target).netloc in ("", "testserver") and target not in seen:
                        queue.append(target)

    def check_csv(self, where: str, body: bytes) -> None:
        text = body.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        self.report(where + " (CSV)", problems_in(text, needs_zone=False))
        # A spreadsheet's cell is read alone: a time names its zone in the cell or in its heading.
        heading = " ".join(rows[0]) if rows else ""
        bare = [cell for row in rows[1:] for cell in row if A_TIME.search(cell) and not ZONE_LABEL.search(cell)]
        if bare and not ZONE_LABEL.search(heading):
            self.report(where + " (CSV)", [f"times without the zone's name: {bare[0]!r} under {rows[0]}"])

    def check_xlsx(self, where: str, body: bytes) -> None:
        text = xlsx_text(body)
        self.report(where + " (XLSX)", problems_in(text, needs_zone=False))
        for moment in xlsx_datetimes(body):
            if moment.date() == MOMENT.date() and moment.hour == MOMENT.hour:
                self.report(where + " (XLSX)", [f"a UTC date-time in a cell: {moment:%Y-%m-%d %H:%M}"])
        if xlsx_datetimes(body) and not ZONE_LABEL.search(text):
            self.report(where + " (XLSX)", ["date-times without the zone's name in any heading"])


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def requester(world: World) -> tuple[Client, list[str]]:
    """A browser that opened each of the requester's cases with its tracking code, and signed in on
    the account page."""
    client = Client()
    starts = []
    for name, code in world.codes.items():
        response = client.post("/permohonan/status/", {"code": code})
        assert response.status_code == 302, name
        starts.append(response["Location"])
    account = world.service.accounts[AGENCIES[1]]  # the first one's password was reset by the done case
    signed = client.post(
        "/akun/masuk/", {"unit": world.service.unit.kode, "user_id": account.user_id, "password": "Lama-Sekali-1!"}
    )
    assert signed.status_code == 302
    return client, starts


PUBLIC = ["/", "/permohonan/", "/sop/", "/akun/masuk/", "/antrian/tiket/"]
CONSOLE = ["/konsol/", "/konsol/kasus/", "/konsol/kotak-keluar/", "/konsol/antrian/", "/konsol/pelatihan/"]


def test_no_page_pdf_mail_or_export_shows_utc(world):
    crawl = Crawl()
    staff = {
        "verifikator": world.service.verifier,
        "ketua-layanan": world.reg.chief,
        "pengelola-akun": world.reg.admin,
        "front-office": world.desk.front,
        "helpdesk": world.desk.helpdesk,
        "superuser": world.superuser,
    }
    # The counter's receipt is where the request form sends the helpdesk; no page links to it.
    served = QueueTicket.objects.get(case=world.cases["counter"])
    receipt = reverse("console:counter_receipt", args=[world.desk.unit.kode, served.pk])
    for who, user in staff.items():
        extra = [receipt] if who == "helpdesk" else []
        crawl.run(signed_in(user), who, CONSOLE + extra + PUBLIC + [f"/papan/{world.desk.board.token}/"])
    client, starts = requester(world)
    crawl.run(client, "pemohon", starts + ["/akun/"] + PUBLIC)
    crawl.run(Client(), "anonim", PUBLIC)

    # What a crawl must have reached, so that a broken link cannot make the test pass.
    reached = " ".join(sorted(crawl.pages | crawl.pdfs | crawl.exports))
    musts = [
        f"/konsol/kasus/{world.cases['done'].pk}/",
        f"/konsol/kasus/{world.cases['done'].pk}/arsip.pdf",
        f"/konsol/kasus/{world.cases['registration-new'].pk}/pratinjau-surat.pdf",
        f"/permohonan/status/{world.cases['done'].reference}/",
        "/konsol/kotak-keluar/",
        f"/konsol/antrian/{world.desk.unit.kode}/buku-tamu/",
        f"/konsol/kasus/{world.cases['counter'].pk}/",
        "/tanda-terima/",
        "unduh=csv",
        "unduh=xlsx",
        "/akun/",
        "/sop/",
        "/admin/",
        "/unduh/pdf",
    ]
    missing = [must for must in musts if must not in reached]
    # The PDFs carry the local moment with its zone (Indonesian: "2 Desember 2026 07.30 WITA").
    archive = crawl.texts.get(f"/konsol/kasus/{world.cases['done'].pk}/arsip.pdf", "")
    letter = crawl.texts.get(f"/konsol/kasus/{world.cases['registration-new'].pk}/pratinjau-surat.pdf", "")
    assert f"{LOCAL_WITA[1]} 07.30 WITA" in archive, archive
    assert LOCAL_WITA[1] in letter, letter

    # The fixture's moment in local time is there, so the checks above read real times.
    queue = signed_in(world.service.verifier).get("/konsol/").content.decode()
    assert LOCAL_WITA[0] in queue and "WITA" in queue, queue
    board = Client().get(f"/papan/{world.desk.board.token}/").content.decode()
    assert LOCAL_WIB in board and "WIB" in board, board

    # Every mail in the outbox, and the PDFs attached to them.
    mails = list(OutboxMessage.objects.order_by("pk"))
    assert len(mails) >= 8
    for mail in mails:
        where = f"[mail {mail.pk} {mail.template} to {mail.to}]"
        crawl.report(where, problems_in(f"{mail.subject}\n{mail.body}"))
        for item in mail.attachments:
            if "document" in item:
                doc = Document.objects.get(pk=item["document"])
                if doc.content_type == "application/pdf":
                    with doc.file.open("rb") as f:
                        crawl.report(where + f" attachment {doc.original_name}", problems_in(pdf_text(f.read())))

    # Every PDF the system made and kept with a case (letters), read whether linked or not.
    for doc in Document.objects.filter(content_type="application/pdf", case__in=world.cases.values()):
        with doc.file.open("rb") as f:
            content = f.read()
        if len(PdfReader(io.BytesIO(content)).pages[0].extract_text() or "") > 0:
            crawl.report(f"[document {doc.pk} {doc.kode} of {doc.case.reference}]", problems_in(pdf_text(content)))

    summary = f"{len(crawl.pages)} pages, {len(crawl.pdfs)} PDFs, {len(mails)} mails, {len(crawl.exports)} exports read"
    assert not missing, f"{summary}; the crawl never reached {missing}"
    assert not crawl.problems, f"{summary}; {len(crawl.problems)} show UTC or a foreign date:\n" + "\n".join(
        crawl.problems
    )
    assert len(crawl.pages) >= 40 and crawl.zoned_pages >= 10, summary
