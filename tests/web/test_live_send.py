"""The alert page follows a send: progress, pace, time left, charts, schools, audit trail; failures."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from schoolbell import timeutil
from schoolbell.accounts.models import UserRole
from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.alerts.progress import progress, snapshot
from schoolbell.alerts.read_cache import Reading
from schoolbell.alerts.services import resend_failed, send_alert
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, sign_in


@pytest.fixture
def sending(app):
    first, second = factories.school("7200001"), factories.school("7200002")
    in_second = set()
    for school, count in ((first, 6), (second, 4)):
        for _ in range(count):
            person = factories.person((school, "guardian", 2, "3"), email=None)
            if school is second:
                in_second.add(person.id)
    alert = factories.alert("emergency", {"roles": ["guardian"]}, title_ko="긴급 안내",
                            title_en="Urgent notice")
    send_alert(alert, "kim@office")
    now = timeutil.utcnow()
    # The first school's six first, then the second's four (a fan-out's row order differs by database).
    deliveries = sorted(db.session.scalars(db.select(Delivery)),
                        key=lambda delivery: (delivery.contact_id in in_second, delivery.id))
    # 4 delivered, 2 with the provider, 1 failed (invalid number), 3 waiting; 6 went in the last minute.
    plan = ["delivered"] * 4 + ["sent"] * 2 + ["failed"] + ["pending"] * 3
    for index, (delivery, status) in enumerate(zip(deliveries, plan, strict=True)):
        delivery.status = DeliveryStatus(status)
        if status != "pending":
            delivery.sent_at = now - timedelta(seconds=10 if index < 6 else 200)
    deliveries[6].error_code, deliveries[6].error_reason = "21211", "Invalid 'To' Phone Number"
    db.session.commit()
    make_user("office@sen.example", UserRole.OFFICE)
    return alert


def test_progress_counts_pace_and_time_left(app, sending):
    now = progress(sending)
    assert (now.delivered, now.sent, now.failed, now.waiting) == (4, 2, 1, 3)
    assert now.done_percent == 70.0
    assert now.per_minute == 6
    assert now.seconds_left == 30  # 3 waiting at 6 a minute


def test_watching_pages_share_one_reading_and_ask_less_often_when_reading_is_slow(app, sending):
    first = snapshot(sending)
    delivery = db.session.scalar(db.select(Delivery).where(Delivery.status == DeliveryStatus.PENDING))
    delivery.status = DeliveryStatus.DELIVERED
    db.session.commit()
    assert snapshot(sending) is first  # a second page within the interval costs the database nothing
    assert progress(sending).delivered == first.progress.delivered + 1  # a fresh read sees the change
    assert first.refresh_seconds == 2
    assert Reading(None, seconds_to_read=0.05).keep_seconds == 2
    assert Reading(None, seconds_to_read=3.0).keep_seconds == 12  # a city-wide send: ask every 12 s


def test_the_page_refreshes_itself_only_while_sending(client, sending):
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/alerts/{sending.id}?lang=ko").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in page  # a small send: every 2 s and "htmx.min.js" in page
    assert "70.0%" in page and "발송 중" in page
    fragment = client.get(f"/console/alerts/{sending.id}/live").get_data(as_text=True)
    assert 'id="live"' in fragment
    assert "<html" not in fragment  # a fragment, swapped in place: no reload
    for delivery in db.session.scalars(db.select(Delivery)):
        if delivery.status is DeliveryStatus.PENDING:
            delivery.status, delivery.sent_at = DeliveryStatus.DELIVERED, timeutil.utcnow()
    sending.status = sending.status.SENT
    db.session.commit()
    done = client.get(f"/console/alerts/{sending.id}/live").get_data(as_text=True)
    assert "100.0%" in done and "hx-trigger" not in done  # finished: it stops asking


def test_the_page_of_an_alert_whose_failed_messages_all_went_again_still_opens(client, sending):
    """Resent messages keep the time they first went: a chart of minutes with nothing counted in them."""
    for delivery in db.session.scalars(db.select(Delivery)):
        if delivery.sent_at is not None:
            delivery.status = DeliveryStatus.UNDELIVERED  # a carrier refused every one
    db.session.commit()
    assert resend_failed(sending, "kim@office") == 7
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/alerts/{sending.id}?lang=ko")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('class="col"') == 0  # no minute has anything to draw


def test_charts_schools_sorted_and_audit_trail(client, sending):
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/alerts/{sending.id}?lang=ko&sort=failed").get_data(as_text=True)
    assert 'class="sb-chart"' in page and page.count('class="col"') == 2  # two minutes with sends
    schools = page[page.index('class="tbl data cards by-school"'):]
    # The second school holds the one failure: sorted by failures, it comes first.
    assert schools.index("테스트7200002학교") < schools.index("테스트7200001학교")
    assert 'aria-sort="descending"' in schools
    by_name = client.get(f"/console/alerts/{sending.id}?sort=school").get_data(as_text=True)
    by_name = by_name[by_name.index('class="tbl data cards by-school"'):]
    assert by_name.index("테스트7200001학교") < by_name.index("테스트7200002학교")
    assert "kim@office" in page and "발송 완료" in page  # the trail: who sent it


def test_a_city_sized_school_table_shows_the_worst_first_and_the_rest_on_request(client, sending,
                                                                                monkeypatch):
    from schoolbell.web import console

    monkeypatch.setattr(console, "SCHOOL_ROWS_SHOWN", 1)  # as if the alert went to more than 50 schools
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/alerts/{sending.id}?lang=ko&sort=failed").get_data(as_text=True)
    schools = page[page.index('class="tbl data cards by-school"'):]
    schools = schools[:schools.index("</section>")]
    assert "테스트7200002학교" in schools and "테스트7200001학교" not in schools  # the one with a failure
    assert "학교 2곳 중 1곳을 보여 줍니다" in schools
    assert f"/console/alerts/{sending.id}?sort=failed&amp;schools=all#live" in schools
    every = client.get(f"/console/alerts/{sending.id}?lang=ko&sort=failed&schools=all").get_data(as_text=True)
    every = every[every.index('class="tbl data cards by-school"'):]
    every = every[:every.index("</section>")]
    assert "테스트7200002학교" in every and "테스트7200001학교" in every and "곳을 보여 줍니다" not in every
    fragment = client.get(f"/console/alerts/{sending.id}/live?sort=failed&schools=all").get_data(as_text=True)
    assert "schools=all" in fragment[:fragment.index(">")]  # refreshing, it keeps every school


def test_the_live_part_shared_within_a_reading_is_still_each_readers_language_and_order(client, sending):
    sign_in(client, "office@sen.example")
    korean = client.get(f"/console/alerts/{sending.id}/live?lang=ko").get_data(as_text=True)
    english = client.get(f"/console/alerts/{sending.id}/live?lang=en").get_data(as_text=True)
    assert "발송 현황" in korean and "전달됨" in korean and "Delivered" not in korean
    assert "Deliveries" in english and "Delivered" in english and "전달됨" not in english
    by_failures = client.get(f"/console/alerts/{sending.id}/live?lang=en&sort=failed").get_data(as_text=True)
    rows = by_failures[by_failures.index('class="tbl data cards by-school"'):]
    assert rows.index("테스트7200002학교") < rows.index("테스트7200001학교")
    page = client.get(f"/console/alerts/{sending.id}?lang=en").get_data(as_text=True)
    assert english[english.index("<section"):english.index("</section>")] in page  # the same part, in place


def test_failures_page_and_csv_say_what_to_fix_in_the_readers_language(client, sending):
    sign_in(client, "office@sen.example")
    page = client.get(f"/console/alerts/{sending.id}/failures?lang=ko").get_data(as_text=True)
    assert "2-3" in page and "학부모·보호자" in page and "전화번호가 올바르지 않습니다" in page
    assert "*" in page[page.index('class="tbl data cards failures"'):]  # the contact is masked
    response = client.get(f"/console/alerts/{sending.id}/failures.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "학교" and rows[0][8] == "조치 방법"
    assert rows[1][4] == "학부모·보호자" and rows[1][5] == "문자" and "21211" in rows[1]
    english = client.get(f"/console/alerts/{sending.id}/failures.csv?lang=en").get_data(as_text=True)
    assert english.lstrip("\ufeff").startswith("School,") and "not valid" in english
