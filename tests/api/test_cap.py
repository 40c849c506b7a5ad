"""CAP 1.2: alerts exported as valid CAP with Update/Cancel chains, the Atom feed, CAP import as a draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from lxml import etree

from schoolbell import timeutil
from schoolbell.alerts.cap import NS
from schoolbell.alerts.models import Alert, AlertEvent
from schoolbell.alerts.services import draft_of, edit_alert
from schoolbell.extensions import db
from tests.api.conftest import NEW_ALERT, auth, make_key
from tests.conftest import SHARED_DATA

CAP_DIR = SHARED_DATA / "cap"
OASIS_EXAMPLE = CAP_DIR / "oasis_example_amber_alert.xml"


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CAP_DIR / "CAP-v1.2.xsd")))


def valid(cap_schema, data: bytes):
    document = etree.fromstring(data)
    assert cap_schema.validate(document), cap_schema.error_log
    return document


def find(document, path: str) -> list[str]:
    return [element.text for element in document.iterfind(path.replace("cap:", f"{{{NS}}}"))]


def create(client, token, **changes):
    return client.post("/api/v1/alerts", json={**NEW_ALERT, **changes}, headers=auth(token)).get_json()


def test_the_oasis_example_is_valid_against_the_schema(cap_schema):
    valid(cap_schema, OASIS_EXAMPLE.read_bytes())


def test_an_alert_is_a_valid_cap_message_in_both_languages(client, live_key, cap_schema):
    alert = create(client, live_key, **{"class": "emergency", "link_url": "https://www.police.go.kr/"})
    response = client.get(f"/api/v1/alerts/{alert['id']}.cap", headers=auth(live_key))
    assert response.status_code == 200 and response.mimetype == "application/cap+xml"
    document = valid(cap_schema, response.data)
    assert find(document, "cap:sender") == ["B10@schoolbell.test"]
    assert find(document, "cap:status") == ["Actual"] and find(document, "cap:msgType") == ["Alert"]
    assert find(document, "cap:references") == []
    assert find(document, "cap:info/cap:language") == ["ko-KR", "en-US"]
    assert find(document, "cap:info/cap:category") == ["Safety", "Safety"]
    assert find(document, "cap:info/cap:urgency") == ["Immediate"] * 2
    assert find(document, "cap:info/cap:severity") == ["Severe"] * 2
    assert find(document, "cap:info/cap:headline") == ["딥페이크 주의", "Deepfake warning"]
    sent = find(document, "cap:sent")[0]
    assert sent.endswith("+09:00") and "Z" not in sent


def test_edits_and_cancel_make_an_update_then_cancel_chain(client, live_key, cap_schema):
    alert = create(client, live_key, **{"class": "routine"})
    first = valid(cap_schema, client.get(f"/api/v1/alerts/{alert['id']}.cap", headers=auth(live_key)).data)
    stored = db.session.get(Alert, alert["id"])
    edit_alert(stored, replace(draft_of(stored), title_en="Deepfake warning (corrected)"), "office")
    db.session.commit()
    second = valid(cap_schema, client.get(f"/api/v1/alerts/{alert['id']}.cap", headers=auth(live_key)).data)
    assert find(second, "cap:msgType") == ["Update"]
    first_ref = f"B10@schoolbell.test,{find(first, 'cap:identifier')[0]},{find(first, 'cap:sent')[0]}"
    assert find(second, "cap:references") == [first_ref]
    assert find(second, "cap:info/cap:urgency") == ["Future", "Future"]

    at = (timeutil.seoul(timeutil.utcnow()) + timedelta(days=2)).replace(microsecond=0).isoformat()
    client.post(f"/api/v1/alerts/{alert['id']}/schedule", json={"send_at": at}, headers=auth(live_key))
    client.post(f"/api/v1/alerts/{alert['id']}/cancel", headers=auth(live_key))
    last = valid(cap_schema, client.get(f"/api/v1/alerts/{alert['id']}.cap", headers=auth(live_key)).data)
    assert find(last, "cap:msgType") == ["Cancel"]
    references = find(last, "cap:references")[0].split(" ")
    assert len(references) == 3 and references[0] == first_ref  # created, edited, scheduled
    assert len(set(find(last, "cap:identifier") + [ref.split(",")[1] for ref in references])) == 4


def test_a_test_key_alert_is_an_exercise(client, seoul_office, cap_schema):
    token = make_key("test")
    alert = create(client, token)
    document = valid(cap_schema, client.get(f"/api/v1/alerts/{alert['id']}.cap", headers=auth(token)).data)
    assert find(document, "cap:status") == ["Exercise"]


def test_the_atom_feed_lists_public_alerts_only_without_personal_data(client, live_key, cap_schema):
    sent = create(client, live_key, target={"roles": ["guardian"]})
    client.post(sent["links"]["send"], headers=auth(live_key))
    one_class = create(client, live_key, title_ko="한 반", target={"grades": [1], "classes": ["1"]})
    client.post(one_class["links"]["send"], headers=auth(live_key))
    create(client, live_key, title_ko="초안")  # a draft is not public
    test_token = make_key("test")
    tested = create(client, test_token, title_ko="시험")
    client.post(tested["links"]["send"], headers=auth(test_token))

    response = client.get("/api/v1/offices/B10/alerts.atom")  # no key
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.data)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.findtext(f"{atom}title") for entry in feed.iter(f"{atom}entry")]
    assert titles == ["딥페이크 주의"]
    text = response.get_data(as_text=True)
    assert "@example.com" not in text and "+8210" not in text and "api:" not in text
    cap_link = feed.find(f"{atom}entry/{atom}link").get("href")
    public = client.get(cap_link.replace("http://localhost", ""))
    assert public.status_code == 200
    valid(cap_schema, public.data)
    hidden = client.get(f"/api/v1/offices/B10/alerts/{one_class['id']}.cap")
    assert hidden.status_code == 404
    assert client.get("/api/v1/offices/XXX/alerts.atom").status_code == 404


def test_importing_the_oasis_example_makes_a_draft(client, live_key):
    response = client.post("/api/v1/alerts/import-cap", data=OASIS_EXAMPLE.read_bytes(),
                           content_type="application/cap+xml", headers=auth(live_key))
    assert response.status_code == 201, response.get_json()
    alert = response.get_json()
    assert alert["status"] == "draft" and alert["class"] == "emergency"
    assert alert["title_en"] == "Amber Alert in Los Angeles County" and alert["title_ko"] is None
    origin = db.session.query(AlertEvent).filter_by(alert_id=alert["id"], action="imported").one()
    assert origin.detail["cap"]["identifier"] == "KAR0-0306112239-SW"


def test_importing_garbage_is_a_clear_problem(client, live_key):
    for body, words in ((b"<not-xml", "not well-formed"), (b"<alert/>", "not a CAP 1.2 message"),
                        (b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', "")):
        response = client.post("/api/v1/alerts/import-cap", data=body, content_type="application/xml",
                               headers=auth(live_key))
        assert response.status_code == 422 and words in response.get_json()["detail"]
        assert "root:" not in response.get_data(as_text=True)


def test_cap_import_by_cli(runner, seoul_office):
    result = runner.invoke(args=["cap", "import", "--office", "B10", str(OASIS_EXAMPLE)])
    assert result.exit_code == 0, result.output
    alert = db.session.get(Alert, int(result.output.strip()))
    assert alert.title_en == "Amber Alert in Los Angeles County"
    shown = runner.invoke(args=["cap", "show", str(alert.id)])
    assert "<msgType>Alert</msgType>" in shown.output
