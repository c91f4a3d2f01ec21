"""Put a request by e-mail into the demo's IMAP mailbox (scripts/demo-imap.sh): from the KKP
Admin Agency of the demo directory (aa.djpt), naming the KKP reset service in the subject, with
the two documents the SOP asks for as PDF attachments. `--reply REFERENCE` sends a reply to that
case with one PDF instead (the requester's missing document).

    .venv/bin/python scripts/demo-imap-send.py
    .venv/bin/python scripts/demo-imap-send.py --reply KKP-2026-000001
"""

from __future__ import annotations

import argparse
import io
import os
from email.message import EmailMessage
from email.utils import make_msgid

from imap_tools import MailBoxUnencrypted
from pypdf import PdfWriter

SENDER = "aa-djpt@instansi.example.go.id"  # the demo directory's aa.djpt (loket demo)


def pdf() -> bytes:
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reply", metavar="REFERENCE")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_IMAP_PORT", 1143)))
    args = parser.parse_args()
    mail = EmailMessage()
    mail["From"] = f"Hendra Gunawan <{SENDER}>"
    mail["To"] = "loket-kkp@localhost"
    mail["Message-ID"] = make_msgid(domain="instansi.example.go.id")
    if args.reply:
        mail["Subject"] = f"Re: [{args.reply}] berkas yang kurang"
        mail.set_content("Terlampir berkas yang diminta.\n\nHendra Gunawan")
        mail.add_attachment(pdf(), maintype="application", subtype="pdf", filename="sk-pengangkatan.pdf")
    else:
        mail["Subject"] = "Permohonan reset password Admin Agency"
        mail.set_content("Mohon reset password akun Admin Agency saya (aa.djpt). Berkas terlampir.\n\nHendra Gunawan")
        for name in ("surat-permohonan.pdf", "sk-pengangkatan.pdf"):
            mail.add_attachment(pdf(), maintype="application", subtype="pdf", filename=name)
    with MailBoxUnencrypted("127.0.0.1", port=args.port).login(
        "loket-kkp@localhost", "demo-imap-2026", initial_folder="INBOX"
    ) as box:
        box.append(mail.as_bytes(), "INBOX")
    print(f"Terkirim ke kotak demo: {mail['Subject']}. Periksa: .venv/bin/loket mailbox poll --once")


if __name__ == "__main__":
    main()
