"""What a worker measures while it sends, as Prometheus metrics (prometheus-client).

Per process: each `flask worker` counts its sends and times its provider's answers. With
PROMETHEUS_MULTIPROC_DIR set (the same directory for every process on a machine, emptied at boot),
prometheus-client keeps these in files there and the web app's `/metrics` adds up every process's;
without it each process has its own. Queue depth comes from the database instead (web/metrics.py),
so it is right however many workers, on however many machines, are sending.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from schoolbell.channels.errors import MaybeSentError, PermanentError, TransientError

SENDS = Counter("schoolbell_sends", "Messages handed to a provider, by channel and result "
                "(sent, transient, uncertain, failed, circuit_open)", ["channel", "result"])
PROVIDER_SECONDS = Histogram(
    "schoolbell_provider_seconds", "Time a provider took to answer one send, by channel", ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))


def result_name(result: object, circuit_open_code: str) -> str:
    """The `result` label of one send's outcome (a reference, or the error it ended in)."""
    if isinstance(result, TransientError):
        return "circuit_open" if result.code == circuit_open_code else "transient"
    if isinstance(result, MaybeSentError):
        return "uncertain"
    if isinstance(result, PermanentError | Exception):
        return "failed"
    return "sent"


def count_send(channel: str, result: object, circuit_open_code: str) -> None:
    """Count one send's outcome."""
    SENDS.labels(channel, result_name(result, circuit_open_code)).inc()


def time_provider(channel: str, seconds: float) -> None:
    """Record how long the provider took to answer (sent or refused, not a connection that failed)."""
    PROVIDER_SECONDS.labels(channel).observe(seconds)
