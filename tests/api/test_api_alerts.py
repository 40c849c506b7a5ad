"""Alerts over the API: create, preview, send, schedule, cancel, status, deliveries; key kinds; offices."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.models import Delivery
from schoolbell.extensions import db
from tests.api.conftest import NEW_ALERT, auth, make_key


def create(client, token, **changes):
    response = client.post("/api/v1/alerts", json={**NEW_ALERT, **changes}, headers=auth(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries_of(alert_id):
    return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.alert_id == alert_id))


def test_create_preview_send_and_follow(client, live_key):
    alert = create(client, live_key, target={"school_codes": ["7010001"], "roles": ["guardian"]})
    assert alert["status"] == "draft" and alert["mode"] == "live"
    assert alert["target"] == {"school_codes": ["7010001"], "roles": ["guardian"]}
    assert alert["created_at"].endswith("+09:00")

    preview = client.get(alert["links"]["preview"], headers=auth(live_key)).get_json()
    assert preview["people"] == 1 and preview["messages"] == {"sms": 1, "email": 1, "total": 2}
    assert deliveries_of(alert["id"]) == 0  # a preview makes nothing

    sent = client.post(alert["links"]["send"], headers=auth(live_key))
    assert sent.status_code == 202 and sent.get_json()["deliveries"] == 2

    status = client.get(alert["links"]["status"], headers=auth(live_key)).get_json()
    assert status["status"] == "sending" and status["total"] == 2
    assert status["by_status"] == {"pending": 2}

    page = client.get(alert["links"]["deliveries"], headers=auth(live_key)).get_json()
    assert len(page["items"]) == 2 and page["next_cursor"] is None
    addresses = {item["address"] for item in page["items"]}
    assert all("*" in address for address in addresses)  # masked, never in full


def test_sending_twice_is_a_conflict(client, live_key):
    alert = create(client, live_key)
    assert client.post(alert["links"]["send"], headers=auth(live_key)).status_code == 202
    again = client.post(alert["links"]["send"], headers=auth(live_key))
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_deliveries_page_by_cursor_at_most_100(client, live_key):
    alert = create(client, live_key)
    client.post(alert["links"]["send"], headers=auth(live_key))
    first = client.get(f"{alert['links']['deliveries']}?limit=3", headers=auth(live_key)).get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    seen, cursor = [i["id"] for i in first["items"]], first["next_cursor"]
    while cursor:
        more = client.get(f"{alert['links']['deliveries']}?limit=3&cursor={cursor}",
                          headers=auth(live_key)).get_json()
        seen += [i["id"] for i in more["items"]]
        cursor = more["next_cursor"]
    assert len(seen) == len(set(seen)) == deliveries_of(alert["id"]) == 7
    too_many = client.get(f"{alert['links']['deliveries']}?limit=101", headers=auth(live_key))
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"][0]["field"] == "query.limit"
    forged = client.get(f"{alert['links']['deliveries']}?cursor=not-ours", headers=auth(live_key))
    assert forged.status_code == 422 and forged.get_json()["errors"][0]["field"] == "query.cursor"
    past_the_end = client.get(f"{alert['links']['deliveries']}?cursor=fffffff", headers=auth(live_key))
    assert past_the_end.get_json()["items"] == [] and past_the_end.get_json()["next_cursor"] is None
    # Beyond a 32-bit id: once a 500 on PostgreSQL (the integer column cannot compare with it).
    beyond = client.get(f"{alert['links']['deliveries']}?cursor=fffffffffffffff", headers=auth(live_key))
    assert beyond.status_code == 200 and beyond.get_json()["items"] == []


def test_schedule_then_cancel(client, live_key):
    alert = create(client, live_key)
    at = (timeutil.seoul(timeutil.utcnow()) + timedelta(days=1)).replace(microsecond=0).isoformat()
    scheduled = client.post(alert["links"]["schedule"], json={"send_at": at}, headers=auth(live_key))
    assert scheduled.status_code == 200, scheduled.get_json()
    assert scheduled.get_json()["alert"]["status"] == "scheduled"
    past = client.post(alert["links"]["schedule"], json={"send_at": "2020-01-01T09:00:00+09:00"},
                       headers=auth(live_key))
    assert past.status_code == 422 and past.get_json()["errors"][0]["field"] == "body.send_at"
    naive = client.post(alert["links"]["schedule"], json={"send_at": "2030-01-01T09:00:00"},
                        headers=auth(live_key))
    assert naive.status_code == 422
    cancelled = client.post(alert["links"]["cancel"], headers=auth(live_key))
    assert cancelled.status_code == 200 and cancelled.get_json()["alert"]["status"] == "cancelled"


def test_test_key_goes_through_everything_but_sends_nothing(client, seoul_office):
    token = make_key("test")
    alert = create(client, token)
    assert alert["mode"] == "test" and alert["test_mode"] is True
    sent = client.post(alert["links"]["send"], headers=auth(token))
    assert sent.status_code == 202
    assert sent.headers["SchoolBell-Test-Mode"].startswith("true")
    assert sent.get_json()["test_mode"] is True and "nothing was sent" in sent.get_json()["message"]
    assert deliveries_of(alert["id"]) == 0
    status = client.get(alert["links"]["status"], headers=auth(token)).get_json()
    assert status["status"] == "sent" and status["simulated"]["messages"] == 7
    problem = client.get("/api/v1/alerts/999999", headers=auth(token))
    assert problem.get_json()["test_mode"] is True and problem.headers["SchoolBell-Test-Mode"]


def test_live_key_cannot_make_a_test_alert_real(client, seoul_office, live_key):
    token = make_key("test")
    alert = create(client, token)
    sent = client.post(alert["links"]["send"], headers=auth(live_key))
    assert sent.status_code == 202 and deliveries_of(alert["id"]) == 0


def test_team_key_delivers_only_to_the_offices_own_staff(client, seoul_office):
    token = make_key("team")
    alert = create(client, token)
    assert alert["mode"] == "team"
    preview = client.get(alert["links"]["preview"], headers=auth(token)).get_json()
    assert "staff" in preview["delivers_to"]
    sent = client.post(alert["links"]["send"], headers=auth(token))
    assert sent.status_code == 202, sent.get_json()
    page = client.get(alert["links"]["deliveries"], headers=auth(token)).get_json()
    # Seven messages for a live key; one for a team key: the staff member who is a console user.
    assert [(item["channel"], item["address"].split("@")[1]) for item in page["items"]] == [
        ("email", "sen.example")]


def test_team_key_with_no_staff_in_target_sends_nothing(client, seoul_office):
    token = make_key("team")
    alert = create(client, token, target={"roles": ["guardian"]})
    refused = client.post(alert["links"]["send"], headers=auth(token))
    assert refused.status_code == 422 and "reaches nobody" in refused.get_json()["detail"]
    assert deliveries_of(alert["id"]) == 0


def test_a_key_cannot_reach_another_office(client, seoul_office, other_office, live_key):
    theirs = make_key("live", office=other_office)
    their_alert = create(client, theirs)
    for path in (f"/api/v1/alerts/{their_alert['id']}", f"/api/v1/alerts/{their_alert['id']}/status",
                 f"/api/v1/alerts/{their_alert['id']}/deliveries", f"/api/v1/alerts/{their_alert['id']}.cap",
                 f"/api/v1/alerts/{their_alert['id']}/preview", "/api/v1/schools/7530001"):
        assert client.get(path, headers=auth(live_key)).status_code == 404, path
    for action in ("send", "cancel"):
        response = client.post(f"/api/v1/alerts/{their_alert['id']}/{action}", headers=auth(live_key))
        assert response.status_code == 404, action
    assert deliveries_of(their_alert["id"]) == 0
    mine = client.get("/api/v1/alerts", headers=auth(live_key)).get_json()["items"]
    assert their_alert["id"] not in {item["id"] for item in mine}
    schools = client.get("/api/v1/schools", headers=auth(live_key)).get_json()["items"]
    assert {school["code"] for school in schools} == {"7010001", "7010002"}
    # Targeting another office's school by code is refused, naming it.
    refused = client.post("/api/v1/alerts", json={**NEW_ALERT, "target": {"school_codes": ["7530001"]}},
                          headers=auth(live_key))
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "body.target.school_codes"


def test_lessons_list_and_get(client, live_key):
    page = client.get("/api/v1/lessons?limit=2", headers=auth(live_key)).get_json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    slug = page["items"][0]["slug"]
    lesson = client.get(f"/api/v1/lessons/{slug}", headers=auth(live_key)).get_json()
    assert lesson["body_markdown"]["ko"]
    assert client.get("/api/v1/lessons/no-such-lesson", headers=auth(live_key)).status_code == 404


def test_a_drill_is_labelled_and_goes_only_to_the_offices_test_group(client, live_key):
    alert = create(client, live_key, exercise=True)
    assert alert["mode"] == "exercise"
    assert alert["title_ko"] == "[훈련] 딥페이크 주의" and alert["title_en"] == "[Drill] Deepfake warning"
    sent = client.post(alert["links"]["send"], headers=auth(live_key))
    assert sent.status_code == 202 and sent.get_json()["deliveries"] == 1
    cap = client.get(alert["links"]["cap"], headers=auth(live_key)).get_data(as_text=True)
    assert "<status>Exercise</status>" in cap and "[Drill] Deepfake warning" in cap
    feed = client.get("/api/v1/offices/B10/alerts.atom").get_data(as_text=True)
    assert "훈련" not in feed


def test_scheduled_team_and_test_alerts_stay_restricted_when_the_scheduler_sends_them(client, seoul_office,
                                                                                     time_machine):
    from schoolbell.scheduling.due import send_due_alerts

    time_machine.move_to(timeutil.utcnow(), tick=False)
    at = (timeutil.seoul(timeutil.utcnow()) + timedelta(hours=1)).replace(microsecond=0).isoformat()
    made = {}
    for kind in ("team", "test"):
        token = make_key(kind)
        alert = create(client, token)
        scheduled = client.post(alert["links"]["schedule"], json={"send_at": at}, headers=auth(token))
        assert scheduled.status_code == 200
        made[kind] = alert["id"]
    time_machine.shift(timedelta(hours=1, minutes=1))
    send_due_alerts()
    assert deliveries_of(made["team"]) == 1  # the staff member only, not the seven a live send makes
    assert deliveries_of(made["test"]) == 0
