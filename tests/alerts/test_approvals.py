"""The two-person rule: an emergency to a whole office goes only after a second office user approves,
whatever sends it (console, CLI, scheduler), and the trail says who approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.approvals import (
    ApprovalError,
    approval_state,
    approve,
    awaiting_approval,
    needs_approval,
    request_approval,
)
from schoolbell.alerts.models import AlertEvent, Delivery
from schoolbell.alerts.services import AlertDraft, AlertError, edit_alert, schedule_alert, send_alert
from schoolbell.extensions import db
from tests import factories


@pytest.fixture
def office_with_rule(app):
    school = factories.school("7100001")
    factories.person((school, "guardian", 1, "1"))
    office = factories.office()
    office.two_person_emergency = True
    db.session.commit()
    return {"office": office, "school": school}


def deliveries() -> int:
    return db.session.scalar(select(func.count()).select_from(Delivery))


def test_only_an_emergency_to_every_school_of_an_office_with_the_rule_waits(office_with_rule):
    school = office_with_rule["school"]
    assert needs_approval(factories.alert("emergency", {"roles": ["guardian"], "grades": [1]}))
    assert not needs_approval(factories.alert("emergency", {"school_ids": [school.id]}))
    assert not needs_approval(factories.alert("emergency", {"levels": ["elementary"]}))
    assert not needs_approval(factories.alert("urgent"))
    office_with_rule["office"].two_person_emergency = False
    db.session.commit()
    assert not needs_approval(factories.alert("emergency"))


def test_no_send_or_schedule_without_a_second_persons_approval(office_with_rule):
    alert = factories.alert("emergency")  # created by "test-office"
    with pytest.raises(AlertError, match="second office user must approve"):
        send_alert(alert, "test-office")
    with pytest.raises(AlertError, match="second office user must approve"):
        schedule_alert(alert, timeutil.utcnow() + timedelta(days=1), "test-office")
    with pytest.raises(ApprovalError, match="cannot approve it"):
        approve(alert, "test-office")
    assert deliveries() == 0
    request_approval(alert, "test-office")
    approve(alert, "colleague@sen.example")
    db.session.commit()
    assert approval_state(alert).approved_by == "colleague@sen.example"
    assert send_alert(alert, "test-office") == 2  # SMS and email
    trail = list(db.session.execute(select(AlertEvent.action, AlertEvent.actor)
                                    .where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)))
    assert trail == [("created", "test-office"), ("approval_requested", "test-office"),
                     ("approved", "colleague@sen.example"), ("sent", "test-office")]


def test_an_edit_undoes_the_approval_and_its_editor_cannot_approve_it_again(office_with_rule):
    alert = factories.alert("emergency")
    approve(alert, "colleague@sen.example")
    db.session.commit()
    edit_alert(alert, AlertDraft(alert_class="emergency", title_ko="바뀐 제목", body_ko="바뀐 내용"),
               actor="colleague@sen.example")
    db.session.commit()
    state = approval_state(alert)
    assert state.waiting and state.author == "colleague@sen.example"
    with pytest.raises(ApprovalError):
        approve(alert, "colleague@sen.example")
    approve(alert, "test-office")  # the first author is now the second person
    db.session.commit()
    assert not approval_state(alert).waiting


def test_an_approval_that_is_not_needed_is_refused(office_with_rule):
    alert = factories.alert("urgent")
    with pytest.raises(ApprovalError, match="needs no approval"):
        approve(alert, "colleague@sen.example")


def test_flask_offices_two_person_shows_and_sets_the_rule(runner, office_with_rule):
    result = runner.invoke(args=["offices", "two-person", "B10"])
    assert result.exit_code == 0 and "is on" in result.output
    result = runner.invoke(args=["offices", "two-person", "B10", "off"])
    assert result.exit_code == 0 and "is off" in result.output
    db.session.expire_all()
    assert not factories.office().two_person_emergency
    assert runner.invoke(args=["offices", "two-person", "ZZZ"]).exit_code == 1


def test_editing_an_approved_scheduled_alert_takes_it_off_the_schedule_until_approved_again(office_with_rule):
    alert = factories.alert("emergency")
    approve(alert, "colleague@sen.example")
    schedule_alert(alert, timeutil.utcnow() + timedelta(hours=2), "test-office")
    assert alert.status.value == "scheduled"
    edit_alert(alert, AlertDraft(alert_class="emergency", title_ko="바뀐 제목", body_ko="바뀐 내용"),
               actor="test-office")
    db.session.commit()
    assert alert.status.value == "draft"  # the scheduler will not send it
    actions = list(db.session.scalars(select(AlertEvent.action).where(AlertEvent.alert_id == alert.id)
                                      .order_by(AlertEvent.id)))
    assert actions[-2:] == ["edited", "unscheduled"]


def test_a_list_of_alerts_says_which_wait_for_approval(office_with_rule):
    waiting = factories.alert("emergency")
    approved = factories.alert("emergency")
    approve(approved, "colleague@sen.example")
    narrow = factories.alert("emergency", {"school_ids": [office_with_rule["school"].id]})
    routine = factories.alert("routine")
    assert awaiting_approval([waiting, approved, narrow, routine]) == {waiting.id}
