"""API keys and webhooks in the console: a key shown once works until revoked; only the office's own."""

from __future__ import annotations

import re

import pytest

from schoolbell import timeutil
from schoolbell.accounts.models import UserRole
from schoolbell.api.keys import create_key
from schoolbell.api.models import ApiKey
from schoolbell.api.webhooks.manage import create_webhook
from schoolbell.api.webhooks.models import WebhookEvent
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in


@pytest.fixture
def office_admin(app):
    factories.school("7500001")
    make_user("office@sen.example", UserRole.OFFICE)
    db.session.commit()


def test_a_key_made_in_the_console_is_shown_once_stored_hashed_and_works_until_revoked(client, office_admin):
    sign_in(client, "office@sen.example")
    made = post_form(client, "/console/integrations/keys", {"name": "경찰청 TF 연동", "kind": "test"},
                     page="/console/integrations/")
    token = re.search(r"sb_test_[0-9a-f]+_[\w-]+", made.get_data(as_text=True)).group()
    key = db.session.scalar(db.select(ApiKey))
    assert token.split("_")[3] not in (key.secret_hash, key.prefix)  # only a digest is kept
    assert token not in client.get("/console/integrations/").get_data(as_text=True)  # never shown again
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/schools", headers=headers).status_code == 200
    post_form(client, f"/console/integrations/keys/{key.prefix}/revoke", {}, page="/console/integrations/")
    assert client.get("/api/v1/schools", headers=headers).status_code == 401


def test_a_bad_name_is_named_and_no_key_is_made(client, office_admin):
    sign_in(client, "office@sen.example")
    answer = post_form(client, "/console/integrations/keys", {"name": "", "kind": "live"},
                       page="/console/integrations/")
    assert answer.status_code == 400 and 'role="alert"' in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiKey)) == 0


def test_the_webhook_log_shows_each_event_and_its_answer(client, office_admin):
    office = factories.office()
    hook, _secret = create_webhook(office.id, "https://signage.example/cap", ["alert.finished"],
                                   "복도 전광판")
    db.session.add(WebhookEvent(webhook_id=hook.id, event_type="alert.finished", payload="{}",
                                status="failed", attempts=3, last_status_code=503, last_error="busy",
                                next_attempt_at=timeutil.utcnow(), give_up_at=timeutil.utcnow()))
    db.session.commit()
    sign_in(client, "office@sen.example")
    page = client.get("/console/integrations/?lang=ko").get_data(as_text=True)
    assert "복도 전광판" in page and "HTTP 503" in page and "실패" in page


def test_teachers_and_other_offices_see_no_keys(client, office_admin):
    other = factories.office("B20")
    create_key(other, "다른 교육청", "live", actor="x")
    db.session.commit()
    sign_in(client, "office@sen.example")
    assert "다른 교육청" not in client.get("/console/integrations/").get_data(as_text=True)
    prefix = db.session.scalar(db.select(ApiKey.prefix))
    assert post_form(client, f"/console/integrations/keys/{prefix}/revoke", {},
                     page="/console/integrations/").status_code == 404
    school = factories.school("7500002")
    make_user("teacher@school.example", UserRole.TEACHER, school=school)
    client.post("/logout")
    teacher = client.application.test_client()
    sign_in(teacher, "teacher@school.example")
    assert teacher.get("/console/integrations/").status_code == 404
