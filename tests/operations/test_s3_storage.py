"""Documents in object storage (LOKET_STORAGE=s3, django-storages): an upload lands in the bucket
and a staff member downloads the same bytes, streamed from the storage (no X-Accel-Redirect:
nginx cannot read a bucket). The bucket is moto's S3 server on a loopback port, a real HTTP S3
endpoint; the settings are read from the environment as in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.urls import reverse

from tests.fixtures_smtp import free_port
from tests.sop_factory import service, submit  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"LOKET_S3_ACCESS_KEY_ID": "uji-kunci", "LOKET_S3_SECRET_ACCESS_KEY": "uji-rahasia-s3"}
CONNECTION = {
    "region_name": "ap-southeast-3",
    "aws_access_key_id": KEYS["LOKET_S3_ACCESS_KEY_ID"],
    "aws_secret_access_key": KEYS["LOKET_S3_SECRET_ACCESS_KEY"],
}


def bucket(endpoint: str) -> Any:
    """The test bucket, read through boto3 as an operator would check it."""
    return boto3.resource("s3", endpoint_url=endpoint, **CONNECTION).Bucket("loket-berkas")


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=url, **CONNECTION)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.create_bucket(
                Bucket="loket-berkas", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"}
            )
            break
        except Exception:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def s3_settings(endpoint: str) -> dict[str, Any]:
    """STORAGES as loket.settings builds it from LOKET_STORAGE=s3 and LOKET_S3_* (read in a
    process of its own, as a web process reads its environment at start-up)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LOKET_S3_")},
        **KEYS,
        "LOKET_DEBUG": "1",
        "LOKET_STORAGE": "s3",
        "LOKET_S3_BUCKET": "loket-berkas",
        "LOKET_S3_ENDPOINT_URL": endpoint,
        "LOKET_S3_REGION": "ap-southeast-3",
        "LOKET_S3_PREFIX": "uji",
    }
    code = "import json; from loket import settings; print(json.dumps(settings.STORAGES))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return dict(json.loads(done.stdout))


def test_a_document_goes_to_the_bucket_and_comes_back_to_staff_streamed(client, settings, service, s3_endpoint):  # noqa: F811
    settings.STORAGES = s3_settings(s3_endpoint)
    settings.LOKET_ACCEL_REDIRECT = "/_berkas/"  # set, yet a bucket's file is streamed
    case = submit(service).case
    doc = case.documents.get(kode="surat-pengajuan")
    stored = bucket(s3_endpoint).Object(f"uji/{doc.file.name}").get()["Body"].read()
    assert stored.startswith(b"%PDF")

    client.force_login(service.verifier)
    response = client.get(reverse("console:document", args=[case.pk, doc.pk]))
    assert response.status_code == 200 and "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == stored


def test_s3_needs_a_bucket_a_storage_is_filesystem_or_s3_and_the_accel_prefix_a_path():
    for env, message in (
        ({"LOKET_STORAGE": "s3"}, "LOKET_S3_BUCKET is required"),
        ({"LOKET_STORAGE": "ftp"}, "LOKET_STORAGE must be filesystem or s3"),
        ({"LOKET_ACCEL_REDIRECT": "_berkas"}, "LOKET_ACCEL_REDIRECT must be a path"),
    ):
        code = "from loket import settings"
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "LOKET_DEBUG": "1", **env},
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert done.returncode != 0 and message in done.stderr
