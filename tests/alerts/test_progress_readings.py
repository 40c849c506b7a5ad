"""An alert's progress headline stays fresh while its dearer per-school table is read less often."""

from __future__ import annotations

import time

from sqlalchemy import update

from schoolbell.alerts import read_cache
from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.alerts.progress import snapshot
from schoolbell.alerts.read_cache import COST_FACTOR, TABLE_COST_FACTOR, Reading
from schoolbell.alerts.reading_files import reading_files
from schoolbell.alerts.services import send_alert
from schoolbell.extensions import db
from tests import factories

# What the two readings cost at city scale, in seconds: the per-school join is the dearer.
CITY_COST = 1.0


def age_readings(alert, seconds: float) -> None:
    """Make this alert's kept readings look `seconds` old and as costly as a city's, in memory and on file."""
    for key, kept in list(read_cache._shared().readings.items()):
        if key[1] == alert.id:
            aged = Reading(kept.value, CITY_COST, read_at=time.monotonic() - seconds,
                           cost_factor=kept.cost_factor)
            read_cache._shared().readings[key] = aged
            reading_files().save(key, aged)


def deliver_one(alert) -> None:
    first = db.session.scalars(Delivery.__table__.select().where(Delivery.alert_id == alert.id)
                               .with_only_columns(Delivery.id).limit(1)).one()
    db.session.execute(update(Delivery).where(Delivery.id == first).values(status=DeliveryStatus.DELIVERED))
    db.session.commit()


def delivered_in_schools(shown) -> int:
    return sum(row["by_status"].get("delivered", 0) for row in shown.schools)


def test_the_headline_moves_every_few_seconds_and_the_school_table_a_quarter_as_often(app):
    school = factories.school("7000201")
    for _ in range(3):
        factories.person((school, "guardian", 1, "1"), email=None)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    db.session.commit()
    first = snapshot(alert)
    assert first.progress.delivered == 0 and delivered_in_schools(first) == 0
    deliver_one(alert)

    # Past the headline's keep time (4 s for a 1 s reading), within the table's (16 s).
    age_readings(alert, CITY_COST * COST_FACTOR + 1)
    assert snapshot(alert).progress.delivered == 0  # shown at once while it is read anew
    read_cache.settle()
    later = snapshot(alert)
    assert later.progress.delivered == 1
    assert delivered_in_schools(later) == 0

    age_readings(alert, CITY_COST * TABLE_COST_FACTOR + 1)
    snapshot(alert)
    read_cache.settle()
    latest = snapshot(alert)
    assert latest.progress.delivered == 1 and delivered_in_schools(latest) == 1


def test_pages_shown_new_schools_never_reuse_tables_derived_from_the_old(app):
    school = factories.school("7000202")
    factories.person((school, "guardian", 1, "1"), email=None)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    db.session.commit()
    first = snapshot(alert)
    first.derived["html"] = "the table as it was"
    assert snapshot(alert).derived["html"] == "the table as it was"  # the same pairing: shared
    deliver_one(alert)
    age_readings(alert, CITY_COST * TABLE_COST_FACTOR + 1)
    snapshot(alert)
    read_cache.settle()
    assert "html" not in snapshot(alert).derived
