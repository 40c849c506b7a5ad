"""/metrics: the queue from the database and the workers' counters, for Prometheus only."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from schoolbell.alerts.services import send_alert
from schoolbell.channels.errors import PermanentError
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from tests import factories

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def samples(response) -> dict[tuple, float]:
    text = response.get_data(as_text=True)
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
def queued(app):
    school = factories.school("7000001")
    people = [factories.person((school, "guardian", 2, "1"), phone=f"+8210555500{n:02d}",
                               email=f"p{n}@example.com") for n in range(3)]
    alert = factories.alert("emergency", {"roles": ["guardian"]})
    send_alert(alert, "test")
    return people


def test_the_queue_is_counted_by_channel(client, queued):
    figures = samples(client.get("/metrics", environ_base=LOCAL))
    assert figures[("schoolbell_queue_deliveries", (("channel", "sms"), ("status", "pending")))] == 3
    assert figures[("schoolbell_queue_deliveries", (("channel", "email"), ("status", "pending")))] == 3
    assert figures[("schoolbell_queue_due_deliveries", (("channel", "sms"),))] == 3
    assert figures[("schoolbell_queue_oldest_due_seconds", ())] >= 0


def test_sends_failures_and_provider_latency_are_counted(app, client, queued):
    before = samples(client.get("/metrics", environ_base=LOCAL))
    dispatcher = Dispatcher(app, DispatcherSettings(drain_horizon=0))
    dispatcher.backends.sms.fail_for[queued[0].phone] = PermanentError("21211: invalid number", "21211")
    try:
        dispatcher.run(until_idle=True)
    finally:
        dispatcher.close()
    after = samples(client.get("/metrics", environ_base=LOCAL))

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("schoolbell_sends_total", channel="sms", result="sent") == 2
    assert grew("schoolbell_sends_total", channel="sms", result="failed") == 1
    assert grew("schoolbell_sends_total", channel="email", result="sent") == 3
    assert grew("schoolbell_provider_seconds_count", channel="email") == 3
    assert after[("schoolbell_queue_deliveries", (("channel", "sms"), ("status", "pending")))] == 0


def test_a_stranger_gets_nothing(client, app):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404


def test_with_a_token_only_its_bearer_gets_the_metrics_from_anywhere(client, app):
    app.config["METRICS_TOKEN"] = "scrape-secret-123"
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=remote).status_code == 404
    assert client.get("/metrics", environ_base=LOCAL).status_code == 404  # the token is required
    assert client.get("/metrics", environ_base=remote,
                      headers={"Authorization": "Bearer wrong"}).status_code == 404
    answer = client.get("/metrics", environ_base=remote,
                        headers={"Authorization": "Bearer scrape-secret-123"})
    assert answer.status_code == 200 and "schoolbell_queue_deliveries" in answer.get_data(as_text=True)


def test_with_a_shared_directory_the_counts_of_every_process_on_the_machine_add_up(client, monkeypatch,
                                                                                    tmp_path):
    import os
    import subprocess
    import sys

    shared = tmp_path / "prometheus"  # its own: prometheus-client reads every *.db file in it
    shared.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    count = ("import sys; from schoolbell.metrics import count_send, time_provider\n"
             "for _ in range(int(sys.argv[1])): count_send(sys.argv[2], 'SM1', 'x'); "
             "time_provider(sys.argv[2], 0.2)")
    for sends, channel in ((3, "sms"), (2, "sms"), (4, "email")):  # three worker processes
        subprocess.run([sys.executable, "-c", count, str(sends), channel], check=True,
                       env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)})
    figures = samples(client.get("/metrics", environ_base=LOCAL))
    assert figures[("schoolbell_sends_total", (("channel", "sms"), ("result", "sent")))] == 5
    assert figures[("schoolbell_sends_total", (("channel", "email"), ("result", "sent")))] == 4
    assert figures[("schoolbell_provider_seconds_count", (("channel", "sms"),))] == 5
