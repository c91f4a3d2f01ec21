"""Keep secrets out of the logs: Django logs the path of every 4xx/5xx request ("Gone:
/akun/tautan/<token>/"), and a one-time link's path, or an API status path, holds a secret (the
link token, the tracking code)."""

from __future__ import annotations

import logging
import re

SECRET_PATHS = re.compile(r"(/akun/tautan/|/api/v1/requests/)[^/\s]+")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(r"\1[disembunyikan]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True
