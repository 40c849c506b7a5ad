"""`/metrics` for Prometheus: the queue read from the database, and the workers' send counters.

Queue depth is counted in the database at each scrape (pending and sending deliveries by channel,
how many are due, how late the oldest due one is), so it is right whatever number of workers run on
whatever machines. Send counts and provider latency are the processes' own (schoolbell/metrics.py):
with PROMETHEUS_MULTIPROC_DIR every process on this machine is added up here.

Who may read it: with METRICS_TOKEN set, a request bearing `Authorization: Bearer <token>`; without
it, only a request from this machine (a Prometheus on localhost, or an agent that forwards).
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.extensions import db

metrics = Blueprint("metrics", __name__)
QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


class QueueCollector:
    """Gauges read from the deliveries table at scrape time (an index range on status)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        """Deliveries waiting or being sent, by channel; due now; age of the oldest due one."""
        queued = GaugeMetricFamily("schoolbell_queue_deliveries",
                                   "Deliveries not yet handed to a provider, by status and channel",
                                   labels=["status", "channel"])
        due = GaugeMetricFamily("schoolbell_queue_due_deliveries",
                                "Pending deliveries whose time has come, by channel", labels=["channel"])
        oldest = GaugeMetricFamily("schoolbell_queue_oldest_due_seconds",
                                   "How long the longest-waiting due delivery has waited (0: none)")
        now = timeutil.utcnow()
        with self.app.app_context():
            rows = db.session.execute(
                select(Delivery.status, Delivery.channel, func.count())
                .where(Delivery.status.in_(QUEUED)).group_by(Delivery.status, Delivery.channel)).all()
            due_rows = db.session.execute(
                select(Delivery.channel, func.count(), func.min(Delivery.next_attempt_at))
                .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
                .group_by(Delivery.channel)).all()
            db.session.remove()
        seen = {(str(status), str(channel)): count for status, channel, count in rows}
        for status in QUEUED:
            for channel in ("sms", "email"):
                queued.add_metric([str(status), channel], seen.get((str(status), channel), 0))
        due_by_channel = {str(channel): (count, first) for channel, count, first in due_rows}
        for channel in ("sms", "email"):
            due.add_metric([channel], due_by_channel.get(channel, (0, None))[0])
        firsts = [first for _count, first in due_by_channel.values() if first is not None]
        oldest.add_metric([], max(0.0, (now - min(firsts)).total_seconds()) if firsts else 0.0)
        yield from (queued, due, oldest)


def _registry(app) -> CollectorRegistry:
    registry = app.extensions.get("schoolbell.metrics")
    if registry is None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # every process on this machine, added up
        else:
            registry = CollectorRegistry()
            registry.register(_Forward(REGISTRY))  # this process's own counters
        registry.register(QueueCollector(app))
        app.extensions["schoolbell.metrics"] = registry
    return registry


class _Forward:
    """Collects another registry's metrics (the process's default one) into ours."""

    def __init__(self, source: CollectorRegistry):
        self.source = source

    def collect(self):
        """The source registry's metrics."""
        return self.source.collect()


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@metrics.get("/metrics")
def prometheus_metrics():
    """The metrics in Prometheus's text format, for an allowed scraper; 404 for anyone else."""
    if not _allowed():
        abort(404)  # not advertised: a stranger learns nothing, not even that it exists
    return Response(generate_latest(_registry(current_app)), content_type=CONTENT_TYPE_LATEST)
