"""Debian's nginx and gunicorn serving Loket from a temporary directory, as deploy/ describes.

Used by tests/operations/test_nginx_proxy.py and bench/production_shape.py. `render_site` fills
deploy/nginx.conf's ${LOKET_...} names (as `envsubst` with that list would); `Nginx` wraps the
site in a main configuration whose pid, logs and temporary files are under the directory, on a
high loopback port, so no root and no system nginx are needed; `Gunicorn` runs
deploy/gunicorn.conf.py with production settings. Each has start() and stop(). `Browser` asks
nginx as a browser on https would (TLS is off on loopback: it sends Secure cookies back).
"""

from __future__ import annotations

import getpass
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BIN = Path(sys.executable).parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def render_site(values: dict[str, str]) -> str:
    """deploy/nginx.conf with each ${LOKET_...} replaced; a name without a value is an error."""
    template = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return re.sub(r"\$\{(LOKET_[A-Z_]+)\}", lambda m: values[m.group(1)], template)


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} ended ({process.returncode}):\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on {host}:{port}:\n{log.read_text(errors='replace')}")


class Nginx:
    """nginx in front of `upstream`, listening on host:port, its files under `directory`."""

    def __init__(
        self,
        directory: Path,
        *,
        upstream: str,
        static_root: Path,
        media_dir: Path,
        accel_prefix: str,
        server_name: str,
        host: str = "127.0.0.2",
        workers: int = 1,
    ) -> None:
        self.directory = directory
        self.host = host
        self.port = free_port(host)
        self.site = render_site(
            {
                "LOKET_SERVER_NAME": server_name,
                "LOKET_LISTEN": f"{host}:{self.port}",
                "LOKET_UPSTREAM": upstream,
                "LOKET_STATIC_ROOT": str(static_root),
                "LOKET_MEDIA_DIR": str(media_dir),
                "LOKET_ACCEL_REDIRECT": accel_prefix,
                # TLS is off on loopback; requesters' scheme is https, as with TLS in front.
                "LOKET_PUBLIC_SCHEME": "https",
            }
        )
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    def logged(self, needle: str, timeout: float = 30) -> str:
        """The access log's line holding `needle`, once nginx has written it (it logs a request
        after its last byte went out, so a moment after the client has it)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.access_log.read_text().splitlines() if needle in line]
            if lines or time.monotonic() > deadline:
                assert lines, f"no access log line with {needle!r}"
                return lines[-1]
            time.sleep(0.05)

    def main_conf(self) -> str:
        d = self.directory
        # Run as root (CI), the workers would otherwise become "nobody" and not read the files.
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes {self.workers};
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # What the checks read: the status, the bytes sent and the file Loket named for nginx.
    log_format loket '$remote_addr "$request" $status $body_bytes_sent accel="$upstream_http_x_accel_redirect" rt=$request_time';
    access_log {d}/access.log loket;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    sendfile on;
    include {d}/site.conf;
}}
"""

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "site.conf").write_text(self.site, encoding="utf-8")
        (self.directory / "nginx.conf").write_text(self.main_conf(), encoding="utf-8")
        conf = str(self.directory / "nginx.conf")
        # -e: the start-up errors before error_log is read go here, not to /var/log/nginx.
        base = [NGINX, "-p", str(self.directory), "-c", conf, "-e", str(self.error_log)]
        subprocess.run([*base, "-t", "-q"], check=True, capture_output=True)
        self.process = subprocess.Popen([*base, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        self.error_log.touch()
        wait_for_port(self.host, self.port, self.process, self.error_log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is being sent
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Gunicorn:
    """gunicorn -c deploy/gunicorn.conf.py on 127.0.0.1, with the environment given."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 4) -> None:
        self.port = free_port()
        self.env = {**env, "LOKET_BIND": f"127.0.0.1:{self.port}", "LOKET_WEB_WORKERS": str(workers)}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port("127.0.0.1", self.port, self.process, self.log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Browser:
    """Requests from the address `source` to host:port for `server_name`, keeping cookies (the
    Secure ones too, as over https), following no redirect."""

    host: str
    port: int
    server_name: str
    source: str = "127.0.0.1"
    always: dict[str, str] = field(default_factory=dict)  # headers sent with every request
    cookies: dict[str, str] = field(default_factory=dict)
    cookie_flags: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(self.source, 0))
        sent = {"Host": self.server_name, **self.always, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        answer = Answer(response.status, response.headers, response.read())
        conn.close()
        for raw in answer.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = raw
        return answer

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, headers=headers)

    def sign_in(self, login_path: str, username: str, password: str, *, forwarded_for: str = "") -> Answer:
        """The console's sign-in form, filled in and sent (302 when it succeeds)."""
        page = self.get(login_path).body.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            # what a browser on https sends; Django checks them on secure requests
            "Origin": f"https://{self.server_name}",
            "Referer": f"https://{self.server_name}{login_path}",
        }
        if forwarded_for:  # a client naming an address of its choice: Loket must not believe it
            headers["X-Forwarded-For"] = forwarded_for
        return self.request("POST", login_path, body=form.encode(), headers=headers)
