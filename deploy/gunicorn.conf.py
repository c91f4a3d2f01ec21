"""gunicorn's settings for Loket's web processes (docs/operations.md, "Production shape").

    gunicorn -c deploy/gunicorn.conf.py

Four sync workers by default: Loket's requests are short and bound by the database, and nginx
in front reads slow uploads whole before a worker sees them (proxy_request_buffering). Override
with LOKET_WEB_WORKERS and LOKET_BIND; the rest of Loket's settings come from its environment.
"""

import os

wsgi_app = "loket.wsgi:application"
bind = os.environ.get("LOKET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LOKET_WEB_WORKERS", "4"))
worker_class = "sync"
# A request still running after this long is stopped (a stuck worker is replaced).
timeout = 60
graceful_timeout = 30
# Workers are replaced now and then, so that no slow growth of memory lasts.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine may say which scheme the client used.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
# No query string in the access log: links may carry a one-time code.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
errorlog = "-"
