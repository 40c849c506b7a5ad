"""Hardening: redirects stay here, links are web links, sign-in is throttled, sessions end, headers set."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from schoolbell.accounts.models import UserRole
from schoolbell.accounts.passwords import WeakPassword, check_password_strength
from schoolbell.alerts.services import AlertDraft, AlertError, create_alert, send_alert
from schoolbell.curriculum.assignments import MAX_SERIES, AssignmentError, assign_series
from schoolbell.curriculum.library import get_library
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in

STRONG = "correct horse battery staple 7"


@pytest.fixture
def office(app):
    school = factories.school("7000001")
    factories.person((school, "guardian", 1, "1"))
    return make_user("office@sen.example", UserRole.OFFICE, password=STRONG)


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "//evil.example", "/\\evil.example",
                                    "https://evil.example/", "/\r\n/evil.example", "javascript:alert(1)"])
def test_sign_in_never_sends_the_user_to_another_site(client, office, target):
    response = post_form(client, f"/login?next={target}", {"email": office.email, "password": STRONG},
                         page="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/console/"


def test_sign_in_follows_a_path_on_this_site(client, office):
    response = post_form(client, "/login?next=/console/alerts/new",
                         {"email": office.email, "password": STRONG}, page="/login")
    assert response.headers["Location"] == "/console/alerts/new"


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)",
                                  "data:text/html,<script>", "/relative", "ftp://x.example", "https://"])
def test_an_alert_link_must_be_a_web_address(office, link):
    with pytest.raises(AlertError, match="only an https:// or http:// address"):
        create_alert(office.office, AlertDraft(alert_class="routine", title_ko="t", body_ko="b",
                                                link_url=link), "office")


def test_a_stored_javascript_link_is_never_rendered(app, client, office, dispatcher, backends):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    alert.link_url = "javascript:alert(document.cookie)"  # stored before links were checked
    db.session.commit()
    send_alert(alert, "test")
    dispatcher.run(until_idle=True)
    [email] = backends.email.outbox
    assert "javascript:" not in email.html and "javascript:" not in email.text
    token = email.text.split("/m/")[1].split()[0]
    assert "javascript:" not in client.get(f"/m/{token}").get_data(as_text=True)


def test_wrong_passwords_are_throttled_per_account_and_say_when_to_retry(app, client, office):
    app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(5):
        assert client.post("/login", data={"email": office.email, "password": "wrong"}).status_code == 401
    refused = client.post("/login?lang=en", data={"email": office.email, "password": STRONG})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Try again in" in refused.get_data(as_text=True)
    korean = client.post("/login?lang=ko", data={"email": office.email, "password": STRONG})
    assert "다시 시도하세요" in korean.get_data(as_text=True)
    # Another account from the same address is not locked out by this one's failures.
    make_user("other@sen.example", UserRole.OFFICE, password=STRONG)
    assert client.post("/login", data={"email": "other@sen.example", "password": STRONG}).status_code == 302


def test_a_missing_account_takes_as_long_as_a_wrong_password(app, client, office):
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)

    def timed(email: str) -> float:
        started = time.perf_counter()
        client.post("/login", data={"email": email, "password": "wrong password"})
        return time.perf_counter() - started

    timed("warm@up.example")
    known = min(timed(office.email) for _ in range(3))
    unknown = min(timed("nobody@sen.example") for _ in range(3))
    assert unknown > known / 3  # both check a password hash: not 83 ms against 3 ms


@pytest.mark.parametrize("password", ["", "short", "password1234", "qwertyuiop12", "office@sen.example1"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_password_strength(password, "office@sen.example")


def test_users_create_checks_the_email_and_the_password(runner, office):
    bad_email = runner.invoke(args=["users", "create", "--email", "not-an-email", "--name", "x",
                                    "--role", "office"], input=f"{STRONG}\n{STRONG}\n")
    assert bad_email.exit_code != 0 and "--email 'not-an-email'" in bad_email.output
    weak = runner.invoke(args=["users", "create", "--email", "kim@sen.example", "--name", "x",
                               "--role", "office"], input="password1234\npassword1234\n")
    assert weak.exit_code != 0 and "password refused" in weak.output
    good = runner.invoke(args=["users", "create", "--email", "kim@sen.example", "--name", "x",
                               "--role", "office"], input=f"{STRONG}\n{STRONG}\n")
    assert good.exit_code == 0, good.output


def test_signing_out_ends_every_copy_of_the_session(app, office):
    browser = app.test_client()
    sign_in(browser, office.email, STRONG)
    stolen = app.test_client()
    stolen.set_cookie("session", browser.get_cookie("session").value)
    assert stolen.get("/console/").status_code == 200
    post_form(browser, "/logout", page="/console/")
    assert stolen.get("/console/").status_code == 302  # the copied cookie no longer opens the console


def test_a_new_password_ends_earlier_sessions(app, office):
    browser = app.test_client()
    sign_in(browser, office.email, STRONG)
    office.set_password(STRONG + "!")
    db.session.commit()
    assert browser.get("/console/").status_code == 302


@pytest.mark.parametrize(("path", "personal"), [("/", False), ("/login", False), ("/lessons/", False),
                                                 ("/no-such-page", False), ("/m/1.abc.def", True)])
def test_every_page_sets_security_headers(client, office, path, personal):
    response = client.get(path)
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == ("no-referrer" if personal else "same-origin")
    assert "Strict-Transport-Security" not in headers  # plain HTTP here
    if path.startswith(("/m/", "/login")):
        assert headers["Cache-Control"] == "no-store"


def test_console_pages_are_not_cached_and_https_gets_hsts(client, office):
    sign_in(client, office.email, STRONG)
    response = client.get("/console/", base_url="https://schoolbell.test")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_teacher_cannot_flood_a_class(app):
    school = factories.school("7000001")
    factories.person((school, "guardian", 3, "2"))
    library = get_library()
    lesson = library["talking-with-your-child"]
    soon = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(AssignmentError, match="the same lesson more than once"):
        assign_series(school, 3, "2", [lesson] * 5, [soon + timedelta(days=n) for n in range(5)], "t")
    many = list(library)[:MAX_SERIES] * 2
    with pytest.raises(AssignmentError, match=f"at most {MAX_SERIES}"):
        assign_series(school, 3, "2", many, [soon] * len(many), "t")
    with pytest.raises(AssignmentError, match="has passed"):
        assign_series(school, 3, "2", [lesson], [soon - timedelta(days=2)], "t")
    with pytest.raises(AssignmentError, match="no families on file"):
        assign_series(school, 3, "9", [lesson], [soon], "t")
    assert db.session.scalar(db.select(db.func.count()).select_from(db.text("alerts"))) == 0


def test_a_nul_byte_anywhere_is_a_clear_400_not_a_crash(app, client, office):
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"email": "a\x00@sen.example", "password": "x"}).status_code == 400
    assert client.get("/lessons/", query_string={"lang": "k\x00o"}).status_code == 400


def test_an_over_long_title_is_refused_with_its_limit(office):
    with pytest.raises(AlertError, match="title_ko: at most 200 characters, got 201"):
        create_alert(office.office, AlertDraft(alert_class="routine", title_ko="가" * 201, body_ko="b"), "o")


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(app, client, office):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024), "password": "x"})
    assert response.status_code == 413


def test_the_size_limit_follows_max_upload_mb():
    from schoolbell import create_app
    from tests.conftest import TestConfig

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", MAX_UPLOAD_MB=5)
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
