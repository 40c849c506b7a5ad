"""Alert templates keep an office's standard wording and audience; SMS limits and stand-ins for
characters Korean routes lose."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schoolbell.alerts.services import AlertDraft, AlertError, send_alert
from schoolbell.alerts.sms_limits import CONFIRM, OK, REFUSE, check_alert, check_draft, worst
from schoolbell.alerts.sms_replacements import fits_cp949, replace_unsupported
from schoolbell.alerts.template_models import AlertTemplate
from schoolbell.alerts.templates import draft_of_alert, office_templates, save_template
from schoolbell.extensions import db
from tests import factories

DRAFT = AlertDraft(alert_class="emergency", title_ko="긴급 스쿨벨", body_ko="딥페이크 신고는 112",
                   title_en="Emergency School Bell", body_en="Report deepfakes to 112",
                   link_url="https://www.sen.go.kr/notice", target={"roles": ["guardian"]})


def test_a_template_is_kept_by_name_and_saving_the_name_again_replaces_it(app):
    office = factories.office()
    first = save_template(office.id, " 긴급 스쿨벨 ", DRAFT, "office@sen.example")
    db.session.commit()
    assert (first.name, first.alert_class.value, first.target) == ("긴급 스쿨벨", "emergency",
                                                                   {"roles": ["guardian"]})
    again = save_template(office.id, "긴급 스쿨벨", AlertDraft(alert_class="urgent", title_ko="새 문구",
                                                          body_ko="내용"), "other@sen.example")
    db.session.commit()
    assert again.id == first.id and again.title_ko == "새 문구" and again.link_url is None
    assert [t.name for t in office_templates(office.id)] == ["긴급 스쿨벨"]
    assert office_templates(factories.office("J10").id) == []


@pytest.mark.parametrize(("name", "draft", "message"), [
    ("", DRAFT, "needs a name"),
    ("x" * 101, DRAFT, "at most 100"),
    ("수업", AlertDraft(alert_class="curriculum", title_ko="t", body_ko="b"), "curriculum"),
    ("대상", AlertDraft(alert_class="routine", target={"roles": ["parent"]}), "unknown role"),
])
def test_a_bad_template_is_refused_with_the_reason(app, name, draft, message):
    with pytest.raises((AlertError, ValueError), match=message):
        save_template(factories.office().id, name, draft, "office@sen.example")
    assert db.session.scalars(select(AlertTemplate)).all() == []


def test_an_alert_kept_as_a_template_keeps_its_texts_link_and_target(app):
    school = factories.school("7200001")
    alert = factories.alert("urgent", {"school_ids": [school.id]}, link_url="https://example.org/a")
    template = save_template(alert.office_id, "표준", draft_of_alert(alert), "office@sen.example")
    assert (template.title_en, template.link_url, template.target) == (
        alert.title_en, "https://example.org/a", {"school_ids": [school.id]})


def test_sms_limits_follow_the_settings(app):
    office = factories.office()
    assert check_draft(office, "urgent", "주의", "짧은 안내", "ko").level == OK
    app.config["SMS_SEGMENT_WARN"] = 1
    assert check_draft(office, "urgent", "주의", "가" * 100, "ko").level == CONFIRM
    app.config["SMS_SEGMENT_CAP"] = 2
    capped = check_draft(office, "urgent", "주의", "가" * 200, "ko")
    assert capped.level == REFUSE and capped.over_cap and not capped.over_lms


def test_a_stored_alert_over_one_lms_cannot_be_sent_from_anywhere(app):
    alert = factories.alert("urgent", body_ko="가" * 1100)  # 2,200 CP949 bytes
    assert worst(check_alert(alert)) == REFUSE
    with pytest.raises(AlertError, match="more than one LMS"):
        send_alert(alert, "cli")


def test_characters_lost_on_korean_routes_get_stand_ins():
    text = "신고 🚨 — 112 ✅ ①"
    fixed = replace_unsupported(text)
    assert fits_cp949(fixed) and fixed == "신고 [!] - 112 √ ①"
    assert replace_unsupported("😀") == ""  # no stand-in: left out
    assert replace_unsupported("ＡＢＣ") == "ＡＢＣ"  # full-width letters are in CP949
