"""Assignments over the API: a lesson or series for one class, listed, cancelled; key kinds respected."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.models import Delivery
from schoolbell.curriculum.library import get_library
from schoolbell.extensions import db
from tests.api.conftest import auth, make_key


def later(days: int) -> str:
    return (timeutil.seoul(timeutil.utcnow()) + timedelta(days=days)).replace(microsecond=0).isoformat()


def slugs(n: int) -> list[str]:
    return [lesson.slug for lesson in get_library()][:n]


def assign(client, token, lessons, **changes):
    body = {"school_code": "7010001", "grade": 1, "class": "1", "lessons": lessons, **changes}
    return client.post("/api/v1/assignments", json=body, headers=auth(token))


def test_assign_a_series_list_and_cancel(client, live_key):
    first, second = slugs(2)
    response = assign(client, live_key, [{"slug": first, "send_at": later(1)},
                                         {"slug": second, "send_at": later(8)}])
    assert response.status_code == 201, response.get_json()
    items = response.get_json()["items"]
    assert [i["alert_status"] for i in items] == ["scheduled", "scheduled"]
    assert items[0]["series_id"] == items[1]["series_id"]
    listed = client.get("/api/v1/assignments?school_code=7010001", headers=auth(live_key)).get_json()
    assert [i["id"] for i in listed["items"]] == [i["id"] for i in items]
    cancelled = client.post(f"/api/v1/assignments/{items[1]['id']}/cancel", headers=auth(live_key))
    assert cancelled.status_code == 200 and cancelled.get_json()["assignment"]["alert_status"] == "cancelled"


def test_a_lesson_due_now_goes_at_once_but_not_with_a_test_key(client, seoul_office):
    live = assign(client, make_key("live"), [{"slug": slugs(1)[0], "send_at": later(0)}]).get_json()
    assert live["items"][0]["alert_status"] == "sending"
    test = assign(client, make_key("test"), [{"slug": slugs(1)[0], "send_at": later(0)}]).get_json()
    assert test["items"][0]["alert_status"] == "sent" and test["test_mode"] is True
    made = db.session.scalar(select(func.count()).select_from(Delivery)
                             .where(Delivery.alert_id == test["items"][0]["alert_id"]))
    assert made == 0


def test_bad_assignments_name_the_field(client, live_key, other_office):
    unknown = assign(client, live_key, [{"slug": "no-such-lesson", "send_at": later(1)}])
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["field"] == "body.lessons.0.slug"
    theirs = assign(client, live_key, [{"slug": slugs(1)[0], "send_at": later(1)}], school_code="7530001")
    assert theirs.status_code == 422 and theirs.get_json()["errors"][0]["field"] == "body.school_code"
    empty_class = assign(client, live_key, [{"slug": slugs(1)[0], "send_at": later(1)}], **{"class": "9"})
    assert empty_class.status_code == 422 and "no families" in empty_class.get_json()["detail"]


def test_another_office_cannot_cancel_an_assignment(client, live_key, other_office):
    made = assign(client, live_key, [{"slug": slugs(1)[0], "send_at": later(1)}]).get_json()["items"][0]
    theirs = make_key("live", office=other_office)
    assert client.post(f"/api/v1/assignments/{made['id']}/cancel", headers=auth(theirs)).status_code == 404
    assert client.get("/api/v1/assignments", headers=auth(theirs)).get_json()["items"] == []
