"""Every route, fed a few hundred random, huge, negative and non-ASCII values, answers without a 500."""

from __future__ import annotations

import random
import string
from urllib.parse import quote

import pytest

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.services import send_alert
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, sign_in

NASTY = ["", "0", "-1", "-99999999999999999999", "99999999999999999999", "9" * 400, "1e309", "NaN",
         "0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31", "2026-02-30T25:61",
         "../../etc/passwd", "%00", "\x00", "\ud7ff", "한국어 값", "😀" * 50, "<script>alert(1)</script>",
         "javascript:alert(1)", "'; DROP TABLE alerts; --", "a" * 5000, " ", "\t\r\n", "/\t/evil.example",
         "ko", "en", "fr", "emergency", "curriculum", "guardian", "7000001", "1,2,3", "1.5"]
FIELDS = ["alert_class", "title_ko", "body_ko", "title_en", "body_en", "link", "lesson", "role",
          "district", "level", "grade", "schools", "classes", "at", "start", "repeat", "gap_days",
          "class_name", "with_students", "skip_weekends", "email", "password", "t", "channel"]
QUERY = ["lang", "next", "t", "done", "page"]
# Forms that pass validation as they are: each field in turn is replaced by a nasty value.
VALID_FORMS = {
    "/console/alerts/new": {"alert_class": "routine", "title_ko": "제목", "body_ko": "본문",
                            "role": "guardian", "grade": "1", "link": "https://sen.go.kr",
                            "schools": "7000001"},
    "/console/alerts/2/edit": {"alert_class": "routine", "title_ko": "제목", "body_ko": "본문",
                               "role": "guardian", "classes": "1"},
    "/console/alerts/2/schedule": {"at": "2031-03-10T09:00"},
    "/console/lessons/": {"lesson": "talking-with-your-child", "grade": "1", "class_name": "1",
                          "start": "2031-03-10T09:00", "repeat": "weekly", "gap_days": "7"},
}


def values(rng: random.Random, count: int) -> list[str]:
    """The fixed nasty values, then random strings of every kind."""
    alphabet = string.printable + "가나다라마바사한국어ㅋ\u200b\u202e\ufeff"
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(count)]
    return NASTY + randoms + [str(rng.randint(-2**70, 2**70)) for _ in range(count)]


@pytest.fixture
def signed_in_clients(app):
    app.config["WTF_CSRF_ENABLED"] = False  # the forms' content is under test here, not their token
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, as in production, and is counted
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"))
    send_alert(factories.alert("routine", {"roles": ["guardian"]}), "test")
    factories.alert("routine", {"roles": ["guardian"]})
    make_user("office@sen.example", UserRole.OFFICE)
    make_user("teacher@school.example", UserRole.TEACHER, school=school)
    clients = {"anonymous": app.test_client(), "office": app.test_client(), "teacher": app.test_client()}
    sign_in(clients["office"], "office@sen.example")
    sign_in(clients["teacher"], "teacher@school.example")
    return clients


def urls(app, value: str) -> list[tuple[str, str]]:
    """(method, path) for every rule, its parameters filled with `value` (or an id for int ones)."""
    from werkzeug.routing import IntegerConverter

    made = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):  # signing out would end the fuzzing's sessions
            continue
        arguments = {}
        for name, converter in rule._converters.items():
            arguments[name] = value if not isinstance(converter, IntegerConverter) else "1"
        path = rule.rule
        for name, argument in arguments.items():
            path = path.replace(f"<{rule._converters[name].__class__.__name__}:{name}>", argument)
            path = path.replace(f"<int:{name}>", argument).replace(f"<{name}>", argument)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            made.append((method, path))
    return made


def test_no_route_answers_500_to_any_value(app, signed_in_clients):
    rng = random.Random(20261204)
    failures = []
    for value in values(rng, 60):
        for who, client in signed_in_clients.items():
            for method, path in urls(app, quote(value, safe="") or "x"):
                query = {name: value for name in rng.sample(QUERY, 2)}
                if method == "GET":
                    response = client.get(path, query_string=query)
                else:
                    form = {name: value for name in rng.sample(FIELDS, 8)}
                    response = client.post(path, query_string=query, data=form)
                db.session.remove()
                if response.status_code >= 500:
                    failures.append((who, method, path.split("/")[1:3], response.status_code))
    for value in NASTY + values(rng, 10)[-20:]:
        for path, valid in VALID_FORMS.items():
            client = signed_in_clients["teacher" if "lessons" in path else "office"]
            for field in valid:
                response = client.post(path, data={**valid, field: value})
                db.session.remove()  # as at the end of a real request: one crash must not poison the next
                if response.status_code >= 500:
                    failures.append(("form", "POST", path, field, response.status_code))
    for path in ("/console/alerts/99999999999999999999", "/console/alerts/2147483648/edit",
                 "/console/alerts/9223372036854775808/failures.csv"):
        response = signed_in_clients["office"].get(path)
        if response.status_code >= 500:
            failures.append(("office", "GET", path, "", response.status_code))
    assert signed_in_clients["office"].get("/console/").status_code == 200  # still signed in
    assert sorted(set(map(str, failures))) == []
