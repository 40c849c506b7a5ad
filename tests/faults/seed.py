"""Seed a fault-suite database: one school's guardians, each with a phone and an email, and an alert.

`python -m tests.faults.seed PEOPLE [SCHEDULE_IN_SECONDS]` prints the alert's id: sent at once, or
scheduled that many seconds ahead.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from schoolbell import timeutil
from schoolbell.alerts.services import AlertDraft, create_alert, schedule_alert, send_alert
from schoolbell.database import bulk_insert
from schoolbell.directory.models import (
    Contact,
    DistrictOffice,
    EducationOffice,
    Membership,
    School,
    SchoolLevel,
)
from schoolbell.extensions import db


def seed(people: int, schedule_in: float = 0.0) -> int:
    """Create the school, its guardians and an emergency to all of them; returns the alert's id."""
    office = EducationOffice(code="B10", name="서울특별시교육청")
    db.session.add(office)
    db.session.flush()
    district = DistrictOffice(office_id=office.id, name="서울특별시성동광진교육지원청")
    db.session.add(district)
    db.session.flush()
    school = School(code="7000001", office_id=office.id, district_office_id=district.id,
                    name_ko="장애대비초등학교", level=SchoolLevel.ELEMENTARY, gu="성동구")
    db.session.add(school)
    db.session.flush()
    connection = db.session.connection()
    bulk_insert(connection, Contact.__table__, [
        {"id": 1000 + n, "office_id": office.id, "name": f"보호자{n}", "phone": f"+8210{30000000 + n:08d}",
         "email": f"parent{n}@example.com", "language": "ko" if n % 4 else "en", "sms_consent": True,
         "email_consent": True} for n in range(people)])
    bulk_insert(connection, Membership.__table__, [
        {"contact_id": 1000 + n, "school_id": school.id, "role": "guardian", "grade": 1 + n % 6,
         "class_name": str(1 + n % 5)} for n in range(people)])
    alert = create_alert(office, AlertDraft(
        alert_class="emergency", title_ko="긴급 스쿨벨", body_ko="딥페이크 피해 예방 안내입니다.",
        title_en="Emergency School Bell", body_en="How to prevent deepfake harm.",
        target={"roles": ["guardian"]}), actor="fault-suite")
    db.session.commit()
    if schedule_in:
        schedule_alert(alert, timeutil.utcnow() + timedelta(seconds=schedule_in), "fault-suite")
    else:
        send_alert(alert, "fault-suite")
    return alert.id


if __name__ == "__main__":
    from wsgi import app

    with app.app_context():
        print(seed(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0))
