"""A person's data on request: downloaded and deleted by the office administrator, each recorded;
deletion keeps the alerts' counts and nothing that leads back to the person."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import Delivery
from schoolbell.alerts.reports import status_counts
from schoolbell.alerts.services import send_alert
from schoolbell.directory.audit import PersonalDataEvent
from schoolbell.directory.models import Contact, Membership
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in


@pytest.fixture
def parent(app):
    school = factories.school("7000001")
    person = factories.person((school, "guardian", 1, "1"), language="en")
    factories.person((school, "guardian", 1, "1"))
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "office")
    make_user("office@sen.example", UserRole.OFFICE)
    db.session.commit()
    return {"person": person, "alert": alert, "phone": person.phone, "email": person.email}


def test_the_person_page_shows_memberships_channels_and_messages(client, parent):
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/directory/people/{parent['person'].id}?lang=en").get_data(as_text=True)
    assert "1-1" in page and "English" in page and "Deepfake warning" in page
    assert "Waiting" in page  # the delivery's status, in the reader's words


def test_export_gives_everything_held_and_is_recorded(client, parent):
    sign_in(client, "office@sen.example")
    path = f"/console/directory/people/{parent['person'].id}"
    response = post_form(client, f"{path}/export", page=path)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["phone"] == parent["phone"] and data["person"]["language"] == "en"
    assert data["memberships"][0]["class"] == "1" and len(data["messages"]) == 2
    actions = db.session.scalars(select(PersonalDataEvent.action).order_by(PersonalDataEvent.id)).all()
    assert actions == ["view", "export"]


def test_deletion_needs_a_confirmation(client, parent):
    sign_in(client, "office@sen.example")
    path = f"/console/directory/people/{parent['person'].id}"
    response = post_form(client, f"{path}/delete", page=path)
    assert response.status_code == 302 and db.session.get(Contact, parent["person"].id) is not None


def test_deletion_keeps_only_counts(client, parent):
    from schoolbell.directory.preference_models import SchoolOptOut

    db.session.add(SchoolOptOut(contact_id=parent["person"].id, school_id=factories.school("7000009").id))
    db.session.commit()
    before = status_counts(parent["alert"])
    sign_in(client, "office@sen.example")
    person_id = parent["person"].id
    path = f"/console/directory/people/{person_id}"
    response = post_form(client, f"{path}/delete", {"confirm": "yes"}, page=path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, person_id) is None
    assert db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.contact_id == person_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery)
                             .where(Delivery.contact_id == person_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 4  # 2 people × 2 channels
    assert db.session.scalar(select(func.count()).select_from(SchoolOptOut)) == 0  # their choices too
    after = status_counts(parent["alert"])["by_status"]
    # The deleted person's two pending messages were cancelled: still counted, never sent.
    assert sum(after.values()) == sum(before["by_status"].values()) == 4
    assert after == {"pending": 2, "cancelled": 2}
    event = db.session.scalar(select(PersonalDataEvent).where(PersonalDataEvent.action == "delete"))
    assert event.contact_id == person_id and event.detail["deliveries_kept_as_counts"] == 2
    assert client.get(path).status_code == 404
    log = client.get("/console/directory/audit?lang=en").get_data(as_text=True)
    assert "Deleted a person on request" in log and parent["phone"] not in log
