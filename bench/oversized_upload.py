"""An oversized upload against a real WSGI server: how much the client gets to send, and how
soon it hears the answer.

Run: .venv/bin/pip install gunicorn && .venv/bin/python bench/oversized_upload.py [--megabytes 30]

A fresh SQLite file is migrated and given the built-in SOPs, then gunicorn (2 sync workers)
serves Loket. A client sends one API request declaring a `--megabytes` body (one PDF part that
large) in 64 KiB writes and stops writing as soon as an answer arrives or the connection is
closed. Two set-ups: Loket's default (the request limit follows the SOPs, loket.request_size)
and `LOKET_REQUEST_MAX_BYTES` at 1 GB (no request limit below the body: only the file limit
applies, as before the request limit existed). What the client could send before the answer is
an upper bound of what the server read: the rest sits in the kernel's socket buffers.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [str(VENV / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "loket.wsgi"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def send_oversized(port: int, size: int) -> dict[str, object]:
    boundary = "xYzZy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="surat-permohonan"; filename="besar.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = size
    request = (
        f"POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nConnection: close\r\n\r\n"
    ).encode()
    conn = socket.create_connection(("127.0.0.1", port))
    conn.setblocking(False)
    started = time.perf_counter()
    sent = 0
    answer = b""
    chunk = b"\0" * 65536
    body_left = length - len(head) - len(tail)
    pending = request + head
    reset = False
    while True:
        try:
            answer += conn.recv(65536)
            if answer:
                break
        except BlockingIOError:
            pass
        except ConnectionResetError:
            reset = True
            break
        if not pending:
            if body_left > 0:
                pending = chunk[: min(len(chunk), body_left)]
                body_left -= len(pending)
            elif sent < len(request) + length:
                pending = tail
        if pending:
            try:
                n = conn.send(pending)
                pending = pending[n:]
                sent += n
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                reset = True
                break
        else:
            time.sleep(0.001)
    answered = time.perf_counter() - started
    conn.setblocking(True)
    conn.settimeout(5)
    try:
        while True:
            more = conn.recv(65536)
            if not more:
                break
            answer += more
    except OSError:
        pass
    conn.close()
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    return {
        "declared_mb": round(length / 1e6, 1),
        "sent_before_answer_mb": round(sent / 1e6, 2),
        "seconds_to_answer": round(answered, 3),
        "status": status,
        "reset_before_answer": reset and not answer,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    results = []
    for label, extra in (("default", {}), ("no request limit", {"LOKET_REQUEST_MAX_BYTES": str(10**9)})):
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "LOKET_DEBUG": "1",
                "LOKET_VAR_DIR": tmp,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "LOKET_SUBMIT_LIMIT_PER_ADDRESS": "1000000",
                **extra,
            }
            loket = [str(VENV / "loket")]
            subprocess.run([*loket, "migrate", "-v0"], env=env, check=True)
            subprocess.run(
                [*loket, "sop", "install", "--builtin"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            server = serve(env, args.port)
            try:
                result = {"set-up": label, **send_oversized(args.port, int(args.megabytes * 1e6))}
            finally:
                server.terminate()
                server.wait()
            print(json.dumps(result), flush=True)
            results.append(result)
    (ROOT / "bench" / "results-oversized-upload.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
