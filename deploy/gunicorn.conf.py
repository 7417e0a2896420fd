"""Gunicorn settings for the production web process (`bin/serve`), each overridable from
the environment. Threads, not processes, carry most of the concurrency: a page spends part
of its time waiting on SQLite or PostgreSQL and the search engine, and each process holds
its own engine handle and caches. SIGHUP reloads the code with no dropped request (new
workers start before the old ones finish theirs); SIGTERM stops after in-flight requests.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a worker silent this long is restarted
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, staggered, so slow leaks never accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The proxy in front (nginx, a load balancer) sets X-Forwarded-For and X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Access log as JSON lines on stdout, errors on stderr (journald keeps both).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = (
    '{"time": "%(t)s", "remote": "%({x-forwarded-for}i)s", "method": "%(m)s", '
    '"path": "%(U)s", "query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "agent": "%(a)s"}'
)
# gunicorn's runtime control socket is off: systemd (deploy/) sends the signals, and two
# instances on one machine would share the default socket path.
control_socket_disable = True
