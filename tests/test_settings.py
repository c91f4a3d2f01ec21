"""Production settings: `check --deploy` is clean, and a missing secret fails loudly."""

from __future__ import annotations

import os
import subprocess
import sys


def _django(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LOKET_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "loket.settings", "LOKET_ENV_FILE": "/nonexistent", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_settings_pass_the_deploy_check():
    result = _django(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LOKET_SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-9f8e7d6c5b4a",
        LOKET_ALLOWED_HOSTS="loket.example.go.id",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = _django("check")
    assert result.returncode != 0
    assert "LOKET_SECRET_KEY is required" in result.stderr


def test_a_malformed_flag_is_refused_by_name():
    result = _django("check", LOKET_DEBUG="maybe")
    assert result.returncode != 0
    assert "LOKET_DEBUG must be 0 or 1" in result.stderr


def test_values_come_from_the_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "loket.env"
    env_file.write_text("# demo\nLOKET_DEBUG=1\nLOKET_ALLOWED_HOSTS=dari-berkas.example\n")
    code = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    result = _django("shell", "-c", code, LOKET_ENV_FILE=str(env_file))
    assert result.stdout.strip().splitlines()[-1] == "True ['dari-berkas.example']", result.stderr
    result = _django("shell", "-c", code, LOKET_ENV_FILE=str(env_file), LOKET_ALLOWED_HOSTS="dari-env.example")
    assert result.stdout.strip().splitlines()[-1] == "True ['dari-env.example']", result.stderr


def test_the_runserver_access_log_redacts_secrets_too():
    """runserver logs every request path through `django.server`; an old-style one-time link path
    must reach that log redacted, as it does every other log."""
    import logging

    from loket.logfilters import RedactSecrets

    (handler,) = [h for h in logging.getLogger("django.server").handlers if h.get_name() == "django.server"]
    assert any(isinstance(f, RedactSecrets) for f in handler.filters)
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /akun/tautan/" + "a" * 43 + "/ HTTP/1.1", 302),
        None,
    )
    handler.filter(record)
    assert "a" * 43 not in record.getMessage()
