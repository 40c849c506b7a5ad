"""Pages speak the reader's language: dates Korean-style, the product's words translated, error pages too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from schoolbell.alerts.models import AlertClass, AlertStatus, DeliveryStatus
from schoolbell.web.vocabulary import label, when


def test_a_moment_is_written_as_each_language_writes_it(app):
    moment = datetime(2026, 12, 1, 6, 5, tzinfo=UTC)  # 15:05 in Seoul
    with app.test_request_context(), force_locale("ko"):
        assert when(moment) == "2026년 12월 1일 (화) 오후 3:05"
    with app.test_request_context(), force_locale("en"):
        assert when(moment) == "Tue 1 Dec 2026, 3:05 PM"


def test_every_status_and_kind_of_alert_has_a_korean_word(app):
    with app.test_request_context(), force_locale("ko"):
        words = {value: label(value) for enum in (AlertClass, AlertStatus, DeliveryStatus) for value in enum}
    assert all(word != value.value and word.isascii() is False for value, word in words.items()), words
    assert words[AlertClass.ROUTINE] == "일반" and words[AlertClass.CURRICULUM] == "수업"  # never 반


@pytest.mark.parametrize(("language", "heading"),
                         [("ko", "페이지를 찾을 수 없습니다"), ("en", "Page not found")])
def test_error_pages_are_in_the_readers_language_and_fit_a_phone(client, language, heading):
    response = client.get(f"/no-such-page?lang={language}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in page and 'name="viewport"' in page and f'lang="{language}"' in page
    assert "<main" in page  # a landmark, like every page


def test_an_unreadable_request_gets_a_400_page_in_korean(client):
    response = client.get("/console/?q=%00", headers={"Accept-Language": "ko"})
    assert response.status_code == 400
    assert "요청을 처리할 수 없습니다" in response.get_data(as_text=True)


def test_the_console_menu_shows_each_role_its_own_sections(client, app):
    from schoolbell.accounts.models import UserRole
    from tests import factories
    from tests.factories import make_user, sign_in

    school = factories.school("7600001")
    make_user("office@sen.example", UserRole.OFFICE)
    make_user("teacher@school.example", UserRole.TEACHER, school=school)
    sign_in(client, "office@sen.example")
    office_page = client.get("/console/integrations/?lang=ko").get_data(as_text=True)
    start = office_page.index('class="sb-console-menu')
    menu = office_page[start:office_page.index("</nav>", start)]
    assert "API 키와 웹훅" in menu and 'aria-current="page" class="active">API 키와 웹훅' in menu
    teacher = app.test_client()
    sign_in(teacher, "teacher@school.example")
    teacher_page = teacher.get("/console/?lang=ko").get_data(as_text=True)
    assert "API 키와 웹훅" not in teacher_page and 'aria-current="page" class="active">알림' in teacher_page
    assert "sb-console-menu" not in client.get("/lessons/").get_data(as_text=True)  # public pages: none
