"""gunicorn's settings for the web app: `gunicorn -c gunicorn.conf.py wsgi:app` (docs/operations.md).

Every value can be changed from the environment; workers and the scheduler run as their own
processes (`flask worker`, `flask scheduler`), never inside gunicorn.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Pages are short database reads: a few sync processes per core, each with a few threads.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Uploads (contact files) reach the app whole: MAX_UPLOAD_MB limits them there.
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Signed tokens in /m/…, /unsubscribe/… and ?t= are credentials: the access log never holds them.
logger_class = "schoolbell.web.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
# Behind nginx or a load balancer, trust its X-Forwarded-* (set BEHIND_PROXY=true for the app too).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A web process that exits leaves its metrics files behind for prometheus-client to merge."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):
    """The app's own log lines in LOG_FORMAT (json: one object a line), phones and emails masked."""
    from schoolbell.logging_setup import configure_logging

    configure_logging(os.environ.get("LOG_FORMAT", "text"), os.environ.get("LOG_LEVEL", "INFO"))
