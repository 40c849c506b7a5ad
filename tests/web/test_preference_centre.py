"""The preference centre: reached from a message with no account, followed by the next fan-out, undoable."""

from __future__ import annotations

import re

from sqlalchemy import select

from schoolbell.alerts.models import Delivery
from schoolbell.alerts.services import send_alert
from schoolbell.directory.models import Contact
from schoolbell.directory.preference_models import PreferenceChange
from schoolbell.extensions import db
from tests import factories


def link_in(text: str) -> str:
    return re.search(r"https?://\S+", text).group().replace("http://schoolbell.test", "")


def deliveries_of(alert, person) -> set[tuple[str, str]]:
    rows = db.session.execute(select(Delivery.channel, Delivery.language)
                              .where(Delivery.alert_id == alert.id, Delivery.contact_id == person.id))
    return {(str(channel), language) for channel, language in rows}


def test_choices_made_from_an_sms_decide_the_next_fan_out_and_can_be_undone(app, client, dispatcher,
                                                                             backends):
    first, second = factories.school("7000001"), factories.school("7000002")
    parent = factories.person((first, "guardian", 1, "1"), (second, "guardian", 3, "2"))
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    dispatcher.run(until_idle=True)
    [sms] = backends.sms.outbox
    factories.person((first, "guardian", 1, "1"))  # someone else, so the next alerts reach somebody
    message_page = client.get(link_in(sms.body)).get_data(as_text=True)
    settings_path = re.search(r'href="(/m/[^"]+/settings[^"]*)"', message_page).group(1).replace("&amp;", "&")
    page = client.get(settings_path).get_data(as_text=True)  # the second tap
    assert "테스트7000001학교" in page and "테스트7000002학교" in page
    assert "긴급" in page or "Emergency" in page  # emergencies still come, and the page says so

    # English, email only, nothing routine from the first school.
    form = re.search(r'<form method="post" action="([^"]+)"', page).group(1).replace("&amp;", "&")
    answer = client.post(form, data={"language": "en", "email": "1", "school": str(second.id)})
    assert answer.status_code == 303 and answer.location.endswith("#saved")
    assert "The next message follows these settings" in client.get(answer.location).get_data(as_text=True)

    only_first = factories.alert("routine", {"school_ids": [first.id]})
    both = factories.alert("routine", {"roles": ["guardian"]})
    emergency = factories.alert("emergency", {"school_ids": [first.id]})
    for alert in (only_first, both, emergency):
        send_alert(alert, "test")
    assert deliveries_of(only_first, parent) == set()
    assert deliveries_of(both, parent) == {("email", "en")}
    assert deliveries_of(emergency, parent) == {("sms", "en"), ("email", "en")}  # safety overrides

    [change] = db.session.scalars(select(PreferenceChange).where(PreferenceChange.contact_id == parent.id))
    assert change.source == "preference_centre" and change.at is not None
    assert change.before == {"language": "ko", "sms": True, "email": True, "muted_school_ids": []}
    assert change.after == {"language": "en", "sms": False, "email": True, "muted_school_ids": [first.id]}

    page = client.get(answer.location).get_data(as_text=True)
    undo = re.search(r'action="([^"]+/undo/\d+[^"]*)"', page).group(1).replace("&amp;", "&")
    assert client.post(undo).status_code == 303
    again = factories.alert("routine", {"school_ids": [first.id]})
    send_alert(again, "test")
    assert deliveries_of(again, parent) == {("sms", "ko"), ("email", "ko")}


def test_an_email_offers_settings_and_one_click_unsubscribe(app, client, dispatcher, backends):
    school = factories.school("7000001")
    parent = factories.person((school, "guardian", 1, "1"), phone=None)
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    dispatcher.run(until_idle=True)
    [mail] = backends.email.outbox
    path = mail.unsubscribe_url.replace("http://schoolbell.test", "")
    assert re.fullmatch(r"/u/\w{7,9}", path) and mail.unsubscribe_url in mail.text  # one tap away
    assert client.get(path).status_code == 200
    db.session.refresh(parent)
    assert parent.email_consent  # a mail scanner's GET changes nothing
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Contact, parent.id).email_consent is False
    [change] = db.session.scalars(select(PreferenceChange))
    assert change.source == "one_click"
    assert client.post(path[:-2] + "zz", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    # An SMS link's code is not an unsubscribe code (and the other way round).
    assert client.get(path.replace("/u/", "/m/")).status_code == 404


def test_bad_choices_are_refused_with_a_reason_and_change_nothing(app, client, dispatcher, backends):
    school, other = factories.school("7000001"), factories.school("7000009")
    parent = factories.person((school, "guardian", 1, "1"), email=None)
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    dispatcher.run(until_idle=True)
    settings = link_in(backends.sms.outbox[0].body) + "/settings"
    answer = client.post(settings, data={"language": "fr", "sms": "1", "school": str(school.id)})
    assert answer.status_code == 400 and "한국어나 English 중에서 고르세요" in answer.get_data(as_text=True)
    # A school that is not theirs, or not a number, cannot be chosen: it is simply not among theirs.
    assert client.post(settings, data={"language": "ko", "sms": "1",
                                       "school": ["abc", str(other.id), str(school.id)]}).status_code == 303
    assert db.session.scalars(select(PreferenceChange)).all() == []  # nothing changed, nothing recorded
    assert client.post(settings.replace("/settings", "/undo/99999")).status_code == 404
    assert client.get(settings[:-12] + "zzzzzz/settings").status_code == 404
    db.session.expire_all()
    assert db.session.get(Contact, parent.id).language.value == "ko"
