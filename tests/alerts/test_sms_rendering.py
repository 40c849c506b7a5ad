"""The one SMS renderer: sender first, short link, the README's example in 2 segments, preview = sent."""

from __future__ import annotations

import re

import pytest

from schoolbell.alerts.services import AlertDraft, create_alert, send_alert
from schoolbell.alerts.sms_rendering import render_sms
from schoolbell.alerts.summary import preview_report
from schoolbell.channels.sms_analysis import analyse_sms
from schoolbell.extensions import db
from tests import factories

README = dict(
    title_ko="긴급 스쿨벨: 딥페이크 성범죄 주의",
    body_ko=("딥페이크 합성물을 만들거나 퍼뜨리거나 보기만 해도 범죄입니다. "
             "의심 게시물은 112·117에 신고해 주세요."),
    title_en="Emergency School Bell: sexual deepfakes",
    body_en=("Making, sharing or even viewing sexual deepfakes is a crime. "
             "Report suspicious posts to 112 or 117."))


@pytest.fixture
def readme_alert(app):
    """The README's emergency, to one guardian per language, from the Seoul office's short name."""
    app.config["PUBLIC_BASE_URL"] = "https://schoolbell.sen.go.kr"
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"), email=None, language="ko")
    factories.person((school, "guardian", 1, "1"), email=None, language="en")
    draft = AlertDraft(alert_class="emergency", target={"roles": ["guardian"]}, **README)
    alert = create_alert(factories.office(), draft, actor="test")
    db.session.commit()
    return alert


def test_every_sms_starts_with_the_sender_parents_know(readme_alert):
    assert render_sms(readme_alert, "ko").text.startswith("[서울시교육청] 긴급 스쿨벨")
    assert render_sms(readme_alert, "en").text.startswith("[Seoul Education Office] Emergency School Bell")


def test_the_office_sets_its_own_sender_name(readme_alert, runner):
    result = runner.invoke(args=["offices", "sender-name", "B10", "--ko", "서울교육청", "--en", "SMOE"])
    assert result.exit_code == 0, result.output
    assert "[서울교육청]" in result.output
    assert render_sms(readme_alert, "ko").text.startswith("[서울교육청] ")
    assert render_sms(readme_alert, "en").text.startswith("[SMOE] ")
    refused = runner.invoke(args=["offices", "sender-name", "B10", "--en", "서울"])
    assert refused.exit_code != 0 and "plain Latin" in refused.output


def test_the_readme_example_fits_two_segments_in_each_language(readme_alert, app):
    app.config["SMS_BACKEND"] = "twilio"  # the route into Korea: carriers add [국제발신]
    korean, english = render_sms(readme_alert, "ko"), render_sms(readme_alert, "en")
    assert (korean.encoding, korean.segments) == ("UCS-2", 2)
    assert korean.korean_domestic_type == "LMS"  # on a domestic route: one LMS
    assert (english.encoding, english.segments) == ("GSM-7", 2)
    assert korean.carrier.text == "[국제발신]" and korean.shown_text.startswith("[국제발신]\n[서울시교육청]")
    # The link is the short one: the host, then /m/ and at most 9 characters.
    link = korean.text.rsplit("\n", 1)[1]
    host = "https://schoolbell.sen.go.kr"
    assert link.startswith(host + "/m/") and len(link) - len(host) <= 12


@pytest.mark.parametrize("route_prefix", [None, "[Web발신]", "none"])
def test_preview_figures_equal_what_the_backend_received(readme_alert, app, dispatcher, backends,
                                                        route_prefix):
    app.config["SMS_CARRIER_PREFIX"] = route_prefix
    report = preview_report(readme_alert)["sms_analysis"]
    send_alert(readme_alert, "test")
    dispatcher.run(until_idle=True)
    received = {message.body.split("]", 1)[0]: message.body for message in backends.sms.outbox}
    for language, sender in (("ko", "[서울시교육청"), ("en", "[Seoul Education Office")):
        body = received[sender]
        shown = analyse_sms(body, prefix=f"{route_prefix}\n" if route_prefix == "[Web발신]" else "")
        figures = report["languages"][language]
        # The same text but for whose link it is (the preview's link is as long as the real one).
        assert re.sub(r"/m/\w+$", "", figures["text"]) == re.sub(r"/m/\w+$", "", body)
        assert len(figures["text"]) == len(body)
        assert (figures["encoding"], figures["characters"], figures["segments"]) == (
            analyse_sms(body).encoding, analyse_sms(body).characters, analyse_sms(body).segments)
        assert figures["cp949_bytes"] == shown.cp949_bytes
    assert report["carrier_prefix"] == ("[Web발신]" if route_prefix == "[Web발신]" else "")
    assert report["total_segments"] == sum(analyse_sms(m.body).segments for m in backends.sms.outbox)
    explained = report["carrier_explanation"]["en"]
    assert ("[Web발신]" in explained) if route_prefix == "[Web발신]" else ("adds nothing" in explained)


@pytest.mark.parametrize(("official", "short"), [
    ("서울특별시교육청", "서울시교육청"), ("부산광역시교육청", "부산시교육청"),
    ("세종특별자치시교육청", "세종시교육청"), ("제주특별자치도교육청", "제주도교육청"),
    ("경기도교육청", "경기도교육청")])
def test_an_office_without_a_sender_name_goes_by_the_name_people_say(official, short):
    from schoolbell.directory.sender_names import short_korean_name

    assert short_korean_name(official) == short


def test_a_draft_being_written_renders_like_the_stored_alert(readme_alert):
    from schoolbell.alerts.models import Alert
    from schoolbell.alerts.sms_rendering import render_draft_sms

    count = db.session.query(Alert).count()
    draft = render_draft_sms(factories.office(), "emergency", "ko", README["title_ko"], README["body_ko"])
    stored = render_sms(readme_alert, "ko")
    assert (draft.text, draft.segments) == (stored.text, stored.segments)
    assert draft.cp949_bytes == stored.cp949_bytes
    db.session.commit()
    assert db.session.query(Alert).count() == count
