"""The dashboard's list of alerts: figures per alert, filters, pages, and words in the reader's language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from schoolbell import timeutil
from schoolbell.accounts.models import UserRole
from schoolbell.alerts.acknowledgements import acknowledge
from schoolbell.alerts.models import AckKind, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.services import send_alert
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, sign_in


@pytest.fixture
def office_with_alerts(app):
    school = factories.school("7100001")
    people = [factories.person((school, "guardian", 1, "1"), email=None) for _ in range(4)]
    sent = factories.alert("emergency", {"roles": ["guardian"]}, title_ko="딥페이크 긴급 안내",
                           title_en="Deepfake emergency")
    send_alert(sent, "office")
    deliveries = list(db.session.scalars(db.select(Delivery).order_by(Delivery.id)))
    for delivery, status in zip(deliveries, ("delivered", "delivered", "delivered", "failed"), strict=True):
        delivery.status = DeliveryStatus(status)
    db.session.commit()
    acknowledge(deliveries[0], AckKind.READ)
    draft = factories.alert("routine", {}, title_ko="가정통신문 초안", title_en="Newsletter draft")
    scheduled = factories.alert("urgent", {}, title_ko="예약 알림", title_en="Scheduled notice")
    scheduled.status = AlertStatus.SCHEDULED
    scheduled.send_at = timeutil.utcnow() + timedelta(days=1)
    db.session.commit()
    make_user("office@sen.example", UserRole.OFFICE)
    return {"sent": sent, "draft": draft, "scheduled": scheduled, "people": people}


def _rows(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td data-label.*?</tr>", page, flags=re.S)


def _table(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page[page.index('<table class="tbl data cards alert-list">'):page.index("</table>")]


def test_each_alert_shows_its_people_delivered_and_confirmed_share(client, office_with_alerts):
    sign_in(client, "office@sen.example")
    page = client.get("/console/?lang=ko").get_data(as_text=True)
    row = next(r for r in _rows(page) if "딥페이크 긴급 안내" in r)
    assert "긴급" in row and "emergency" not in row  # the class in Korean, never the code
    assert ">4<" in row  # four people
    assert "75.0%" in row  # 3 of 4 messages delivered
    assert "33.3%" in row  # 1 of the 3 people reached confirmed
    scheduled = next(r for r in _rows(page) if "예약 알림" in r)
    assert "예약됨" in scheduled and "년" in scheduled  # when it goes, Korean style


def test_filters_by_kind_status_and_text(client, office_with_alerts):
    sign_in(client, "office@sen.example")
    only_emergency = _table(client, "/console/?alert_class=emergency")
    assert "딥페이크 긴급 안내" in only_emergency and "가정통신문 초안" not in only_emergency
    drafts = _table(client, "/console/?status=draft")
    assert "가정통신문 초안" in drafts and "딥페이크 긴급 안내" not in drafts
    by_text = _table(client, "/console/?q=Newsletter")
    assert "가정통신문 초안" in by_text and "예약 알림" not in by_text
    future = (timeutil.seoul_today() + timedelta(days=3)).isoformat()
    assert "딥페이크" not in _table(client, f"/console/?since={future}")


def test_a_bad_filter_value_is_named_not_a_500(client, office_with_alerts):
    sign_in(client, "office@sen.example")
    response = client.get("/console/?alert_class=nonsense&since=yesterday&page=-4")
    for page in ("9" * 400, "²", " "):  # once an OverflowError, a ValueError
        assert client.get(f"/console/?page={page}").status_code == 200
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="sb-field-error" role="alert"') == 2  # kind and date named, page clamped
    assert "가정통신문 초안" in page  # the bad filters are left out, the list still shows


def test_pages_of_twenty_keep_the_filters(client, office_with_alerts):
    for number in range(25):
        factories.alert("routine", {}, title_ko=f"공지 {number:02d}", title_en=f"Notice {number:02d}")
    sign_in(client, "office@sen.example")
    first = client.get("/console/?q=공지").get_data(as_text=True)
    assert len(_rows(first)) == 20 and "공지 24" in first and "공지 00" not in first
    assert "q=%EA%B3%B5%EC%A7%80" in first and "page=2" in first
    second = client.get("/console/?q=공지&page=2").get_data(as_text=True)
    assert len(_rows(second)) == 5 and "공지 00" in second


def test_the_banner_names_the_offices_emergency_while_it_goes_out(client, office_with_alerts):
    sign_in(client, "office@sen.example")
    page = client.get("/console/?lang=ko").get_data(as_text=True)
    start = page.index('class="krds-critical-alerts"')
    banner = page[start:page.index("</ul>", start)]
    assert "딥페이크 긴급 안내" in banner and "긴급" in banner
    assert "가정통신문" not in banner


def test_an_emergency_to_the_whole_office_waiting_for_a_second_person_says_so(client, office_with_alerts):
    office = factories.office()
    office.two_person_emergency = True
    factories.alert("emergency", {}, title_ko="전체 긴급 초안", title_en="Whole-office draft")
    db.session.commit()
    sign_in(client, "office@sen.example")
    rows = _rows(client.get("/console/?lang=ko").get_data(as_text=True))
    assert "승인 대기" in next(r for r in rows if "전체 긴급 초안" in r)
    other = next(r for r in rows if "가정통신문" in r)
    assert "승인 대기" not in other
