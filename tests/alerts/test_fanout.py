"""Fan-out: exactly one message per person per channel, with opt-outs and preferences per class."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select, text

from schoolbell.alerts.fanout import preview, unreachable_people, unreachable_reason
from schoolbell.alerts.models import Delivery
from schoolbell.alerts.services import send_alert
from schoolbell.directory.models import Contact, Membership, Role, School, SchoolLevel
from schoolbell.extensions import db
from tests import factories


def deliveries(alert) -> Counter:
    rows = db.session.execute(select(Delivery.contact_id, Delivery.channel)
                              .where(Delivery.alert_id == alert.id)).all()
    return Counter((contact, str(channel)) for contact, channel in rows)


def test_overlapping_targets_give_one_message_per_person_per_channel(runner):
    runner.invoke(args=["demo", "seed"])
    # Make overlaps sharper: some guardians also teach at a second school.
    schools = list(db.session.scalars(select(School).join(Membership).distinct().limit(2)))
    guardians = db.session.scalars(select(Membership.contact_id).where(
        Membership.role == Role.GUARDIAN, Membership.school_id == schools[0].id).limit(200)).all()
    for contact_id in guardians:
        db.session.add(Membership(contact_id=contact_id, school_id=schools[1].id,
                                  role=Role.TEACHER, grade=0, class_name=""))
    db.session.commit()
    alert = factories.alert("urgent", target={
        "levels": ["elementary", "middle", "high"], "roles": ["guardian", "teacher"]})
    expected_people = db.session.scalar(select(func.count(Membership.contact_id.distinct()))
                                        .where(Membership.role.in_(["guardian", "teacher"])))
    counts = preview(alert)
    assert counts.people == expected_people > 3000

    created = send_alert(alert, "test")
    made = deliveries(alert)
    assert created == sum(made.values()) == counts.messages
    assert max(made.values()) == 1  # never two messages to one person on one channel
    by_channel = Counter(channel for _person, channel in made)
    assert by_channel == {"sms": counts.sms, "email": counts.email}
    multi_school = db.session.scalar(select(func.count()).select_from(
        select(Membership.contact_id).group_by(Membership.contact_id)
        .having(func.count(Membership.school_id.distinct()) > 1).subquery()))
    assert multi_school >= 200


@pytest.fixture
def people(app):
    school = factories.school("7000001")
    other = factories.school("7000002", SchoolLevel.MIDDLE)
    guardian = (school, "guardian", 3, "2")
    return {
        "both": factories.person(guardian),
        "sms_opted_out": factories.person(guardian, sms_consent=False),
        "blocked": factories.person(guardian, sms_blocked_reason="21610: unsubscribed"),
        "prefers_email": factories.person(guardian, preferred_channel="email"),
        "prefers_email_but_opted_out": factories.person(guardian, preferred_channel="email",
                                                        email_consent=False),
        "email_only": factories.person(guardian, phone=None),
        "nothing": factories.person(guardian, phone=None, email=None),
        "all_opted_out": factories.person(guardian, sms_consent=False, email_consent=False),
        "other_class": factories.person((school, "guardian", 3, "1")),
        "teacher": factories.person((school, "teacher", 3, "2")),
        "middle": factories.person((other, "guardian", 3, "2")),
    }


def channels_by_person(alert, people) -> dict[str, set[str]]:
    send_alert(alert, "test")
    names = {contact.id: name for name, contact in people.items()}
    result: dict[str, set[str]] = {name: set() for name in people}
    for contact_id, channel in deliveries(alert):
        result[names[contact_id]].add(channel)
    return result


CLASS_TARGET = {"school_ids": None, "grades": [3], "classes": ["2"], "roles": ["guardian"]}


def target_for(people) -> dict:
    school_id = db.session.scalar(select(Membership.school_id).where(
        Membership.contact_id == people["both"].id))
    return {**CLASS_TARGET, "school_ids": [school_id]}


def test_routine_honours_opt_outs_preferences_and_blocks(people):
    got = channels_by_person(factories.alert("routine", target_for(people)), people)
    assert got["both"] == {"sms", "email"}
    assert got["sms_opted_out"] == {"email"}
    assert got["blocked"] == {"email"}
    assert got["prefers_email"] == {"email"}
    # A preference for a channel the person opted out of does not silence them.
    assert got["prefers_email_but_opted_out"] == {"sms"}
    assert got["email_only"] == {"email"}
    assert got["nothing"] == got["all_opted_out"] == set()
    assert got["other_class"] == got["teacher"] == got["middle"] == set()


def test_urgent_ignores_preferences_but_not_opt_outs(people):
    got = channels_by_person(factories.alert("urgent", target_for(people)), people)
    assert got["prefers_email"] == {"sms", "email"}
    assert got["sms_opted_out"] == {"email"}
    assert got["all_opted_out"] == set()


def test_emergency_overrides_opt_outs_but_never_hard_blocks(people):
    got = channels_by_person(factories.alert("emergency", target_for(people)), people)
    assert got["all_opted_out"] == {"sms", "email"}
    assert got["sms_opted_out"] == {"sms", "email"}
    assert got["blocked"] == {"email"}
    assert got["nothing"] == set()


def test_people_no_channel_reaches_are_counted_and_listed(people):
    alert = factories.alert("routine", target_for(people))
    counts = preview(alert)
    assert counts.people == 8 and counts.unreachable == 2
    listed = {contact.id: unreachable_reason(contact) for contact in unreachable_people(alert)}
    assert listed == {people["nothing"].id: "no phone or email",
                      people["all_opted_out"].id: "SMS opted out; email opted out"}


def test_levels_districts_and_roles_narrow_the_target(people):
    assert preview(factories.alert("emergency", {"levels": ["middle"]})).people == 1
    assert preview(factories.alert("emergency", {"roles": ["teacher"]})).people == 1
    district = people["both"].memberships[0].school.district_office_id
    assert preview(factories.alert("emergency", {"district_office_ids": [district]})).people == 11
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 11


def test_a_large_fan_out_refreshes_postgresql_statistics_before_workers_claim(runner):
    """Stale statistics made every claim sort the whole new queue (0.4 s each at Seoul scale)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    runner.invoke(args=["demo", "seed"])
    db.session.execute(text("ANALYZE deliveries"))  # the planner now believes the table is empty
    db.session.commit()
    alert = factories.alert("emergency", target={"levels": ["elementary", "middle", "high"]})
    created = send_alert(alert, "test")
    assert created >= 1000
    believed = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'deliveries'"))
    assert believed == pytest.approx(created, rel=0.1)


def test_a_fan_out_from_the_command_line_is_named_apart_from_the_pages_on_postgresql(runner):
    """An operator watching pg_stat_activity during a send sees the fan-out's session by its name."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's application_name")
    school = factories.school("7000001")
    factories.person((school, "guardian", 3, "2"))
    alert = factories.alert("emergency", target={"levels": ["elementary"]})
    db.session.commit()
    result = runner.invoke(args=["alerts", "send", str(alert.id), "--actor", "test"])
    assert "2 deliveries queued" in result.output, result.output  # one SMS, one email
    db.session.remove()
    named = db.session.execute(text("SELECT current_setting('application_name')")).scalar()
    assert named == "schoolbell-fan-out"
