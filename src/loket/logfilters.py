"""Keep secrets out of the logs: Django logs the path of every 4xx/5xx request ("Not Found:
/api/v1/requests/<code>/"), and an API status path holds a secret (the tracking code), as does a
one-time link mailed before its token moved to the fragment ("/akun/tautan/<token>/", now only
redirected). A new link's token (`/akun/tautan/#<token>`) never reaches the server in an address:
it comes in a POST body, which nothing logs; should such a link ever be written to a log, its
fragment is redacted all the same. The path `/akun/tautan/` itself is left as it is."""

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
