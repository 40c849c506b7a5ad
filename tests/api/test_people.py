"""People over the API: bulk upsert with per-item errors, masked get, delete on request (audited)."""

from __future__ import annotations

from sqlalchemy import select

from schoolbell.directory.audit import PersonalDataEvent
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from tests.api.conftest import auth, make_key

GOOD = {"school_code": "7010001", "role": "guardian", "grade": 3, "class": "2", "name": "김보호",
        "phone": "010-3333-4444", "email": "Kim.Parent@Example.com", "language": "en"}


def bulk(client, token, people):
    return client.post("/api/v1/people/bulk", json={"people": people}, headers=auth(token))


def test_bulk_upsert_accepts_good_items_and_names_each_bad_field(client, live_key, other_office):
    response = bulk(client, live_key, [
        GOOD,
        {**GOOD, "phone": "02-123-4567", "email": "", "name": "유선전화"},
        {**GOOD, "school_code": "7530001", "phone": "010-5555-6666", "email": ""},  # another office's school
        {**GOOD, "role": "pilot", "phone": "010-7777-8888"},
    ])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "rejected", "rejected"]
    assert body["results"][1]["errors"][0]["field"] == "body.people.1.phone"
    assert body["results"][2]["errors"][0]["field"] == "body.people.2.school_code"
    assert body["results"][3]["errors"][0]["field"] == "body.people.3.role"
    assert "010" not in str(body)  # values are masked in the answer
    person = db.session.scalar(select(Contact).where(Contact.phone == "+821033334444"))
    assert person.email == "kim.parent@example.com" and person.language.value == "en"

    again = bulk(client, live_key, [{**GOOD, "name": "김보호자"}]).get_json()
    assert again["counts"] == {"updated": 1}
    renamed = db.session.scalars(select(Contact).where(Contact.phone == "+821033334444")).one()
    assert renamed.name == "김보호자"


def test_more_than_500_is_a_422(client, live_key):
    response = bulk(client, live_key, [GOOD] * 501)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "body.people"


def test_a_test_key_checks_but_stores_nothing(client, seoul_office):
    before = db.session.query(Contact).count()
    body = bulk(client, make_key("test"), [GOOD]).get_json()
    assert body["written"] is False and body["test_mode"] is True and body["counts"] == {"imported": 1}
    assert db.session.query(Contact).count() == before


def test_get_is_masked_and_logged_and_delete_is_audited(client, live_key):
    bulk(client, live_key, [GOOD])
    contact_id = db.session.scalar(select(Contact.id).where(Contact.phone == "+821033334444"))
    shown = client.get(f"/api/v1/people/{contact_id}", headers=auth(live_key)).get_json()
    assert shown["phone"] == "+8210****4444" and shown["email"].startswith("k")
    assert "Parent" not in shown["email"] and shown["memberships"][0]["class"] == "2"

    deleted = client.delete(f"/api/v1/people/{contact_id}", headers=auth(live_key))
    assert deleted.status_code == 200 and deleted.get_json()["deleted"] is True
    assert db.session.get(Contact, contact_id) is None
    actions = [e.action for e in db.session.scalars(select(PersonalDataEvent)
                                                      .where(PersonalDataEvent.contact_id == contact_id))]
    assert actions == ["view", "delete"]
    assert client.get(f"/api/v1/people/{contact_id}", headers=auth(live_key)).status_code == 404


def test_people_of_another_office_are_out_of_reach(client, live_key, other_office):
    theirs = db.session.scalar(select(Contact.id).where(Contact.office_id == other_office.id))
    assert client.get(f"/api/v1/people/{theirs}", headers=auth(live_key)).status_code == 404
    assert client.delete(f"/api/v1/people/{theirs}", headers=auth(live_key)).status_code == 404
    assert db.session.get(Contact, theirs) is not None
