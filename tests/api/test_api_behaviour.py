"""What a client can rely on: Idempotency-Key on every POST, a per-key rate limit with its headers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.models import Alert, Delivery
from schoolbell.api.models import IdempotencyRecord
from schoolbell.extensions import db
from tests.api.conftest import NEW_ALERT, auth, make_key


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_repeated_post_returns_the_first_answer_and_creates_nothing(client, live_key):
    headers = auth(live_key, **{"Idempotency-Key": "create-1"})
    first = client.post("/api/v1/alerts", json=NEW_ALERT, headers=headers)
    again = client.post("/api/v1/alerts", json=NEW_ALERT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert count(Alert) == 1


def test_a_repeated_send_makes_no_second_set_of_messages(client, live_key):
    alert = client.post("/api/v1/alerts", json=NEW_ALERT, headers=auth(live_key)).get_json()
    headers = auth(live_key, **{"Idempotency-Key": "send-1"})
    first = client.post(alert["links"]["send"], headers=headers)
    again = client.post(alert["links"]["send"], headers=headers)
    assert first.status_code == again.status_code == 202  # not the 409 a second send would get
    assert again.get_json() == first.get_json()
    assert count(Delivery, Delivery.alert_id == alert["id"]) == first.get_json()["deliveries"]


def test_the_same_key_with_another_body_is_a_422_problem(client, live_key):
    headers = auth(live_key, **{"Idempotency-Key": "create-2"})
    client.post("/api/v1/alerts", json=NEW_ALERT, headers=headers)
    other = client.post("/api/v1/alerts", json={**NEW_ALERT, "title_ko": "다른 제목"}, headers=headers)
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert other.get_json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert count(Alert) == 1


def test_idempotency_keys_are_per_api_key(client, live_key):
    other_key = make_key("live")
    headers = {"Idempotency-Key": "shared-name"}
    client.post("/api/v1/alerts", json=NEW_ALERT, headers=auth(live_key, **headers))
    client.post("/api/v1/alerts", json=NEW_ALERT, headers=auth(other_key, **headers))
    assert count(Alert) == 2


def test_after_24_hours_the_key_can_be_used_again(client, live_key, time_machine):
    time_machine.move_to(timeutil.utcnow(), tick=True)
    headers = auth(live_key, **{"Idempotency-Key": "daily"})
    client.post("/api/v1/alerts", json=NEW_ALERT, headers=headers)
    time_machine.shift(timedelta(hours=24, minutes=1))
    later = client.post("/api/v1/alerts", json=NEW_ALERT, headers=headers)
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert count(Alert) == 2


def test_an_invalid_request_is_replayed_as_the_same_problem(client, live_key):
    headers = auth(live_key, **{"Idempotency-Key": "bad-1"})
    first = client.post("/api/v1/alerts", json={"class": "loud"}, headers=headers)
    again = client.post("/api/v1/alerts", json={"class": "loud"}, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.get_json() == first.get_json()


def test_rate_limit_headers_and_retry_after_on_429(app, client, seoul_office):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    token = make_key("live")
    answers = [client.get("/api/v1/schools", headers=auth(token)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Policy"] == "3;w=60"
    limited = answers[3]
    assert limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["RateLimit-Remaining"] == "0"
    # The limit is per key: another key of the same office is not held back.
    assert client.get("/api/v1/schools", headers=auth(make_key("live"))).status_code == 200


def test_a_429_on_post_is_not_remembered_as_the_answer(app, client, seoul_office):
    app.config["API_RATE_LIMIT"] = "1 per minute"
    token = make_key("live")
    client.get("/api/v1/schools", headers=auth(token))
    limited = client.post("/api/v1/alerts", json=NEW_ALERT, headers=auth(token, **{"Idempotency-Key": "x"}))
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert count(IdempotencyRecord) == 0  # the retry after Retry-After is a first request


def test_a_repeat_while_the_first_is_still_running_is_a_409(client, live_key):
    import hashlib
    import json

    from schoolbell.api.keys import key_for_token

    body = json.dumps(NEW_ALERT).encode()
    digest = hashlib.sha256()
    for part in (b"POST", b"/api/v1/alerts", b"", body):
        digest.update(len(part).to_bytes(8, "big") + part)
    # The first request has claimed the key and not answered yet (a slow send, say).
    db.session.add(IdempotencyRecord(api_key_id=key_for_token(live_key).id, idempotency_key="slow",
                                     method="POST", path="/api/v1/alerts", request_hash=digest.hexdigest()))
    db.session.commit()
    response = client.post("/api/v1/alerts", data=body, content_type="application/json",
                           headers=auth(live_key, **{"Idempotency-Key": "slow"}))
    assert response.status_code == 409 and response.headers["Retry-After"] == "1"
    assert count(Alert) == 0


def test_retry_after_only_where_a_client_should_wait(client, live_key):
    response = client.get("/api/v1/schools", headers=auth(live_key))
    assert response.status_code == 200 and "Retry-After" not in response.headers
