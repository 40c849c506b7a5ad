"""The API's frame: the OpenAPI 3.1 document, the docs page, keys, problem errors, headers."""

from __future__ import annotations

from schoolbell.api.models import ApiKey
from schoolbell.extensions import db
from tests.api.conftest import NEW_ALERT, auth, make_key

PROBLEM = "application/problem+json"


def test_openapi_document_is_3_1_and_lists_the_resources(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    for path in ("/api/v1/schools", "/api/v1/alerts", "/api/v1/alerts/{alert_id}/send",
                 "/api/v1/alerts/{alert_id}/status", "/api/v1/alerts/{alert_id}/deliveries",
                 "/api/v1/lessons", "/api/v1/alerts/{alert_id}.cap"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # The schema that validates input is the one documented.
    body = spec["paths"]["/api/v1/alerts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/AlertIn")
    # The rule across fields is in the document too: a title and a body in Korean or in English.
    assert len(spec["components"]["schemas"]["AlertIn"]["anyOf"]) == 2


def test_docs_page_uses_vendored_assets_and_no_inline_script(client):
    response = client.get("/api/docs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html and "cdn" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "init.js", "swagger-ui.css"):
        assert client.get(f"/static/api-docs/{asset}").status_code == 200


def test_no_key_is_401_problem_with_security_headers(client, seoul_office):
    response = client.get("/api/v1/schools")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


def test_revoked_key_is_refused(client, runner, live_key):
    assert client.get("/api/v1/schools", headers=auth(live_key)).status_code == 200
    prefix = live_key.split("_")[2]
    result = runner.invoke(args=["api-keys", "revoke", "--office", "B10", prefix])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/schools", headers=auth(live_key)).status_code == 401


def test_key_is_stored_hashed_and_shown_once_by_the_cli(runner, seoul_office):
    result = runner.invoke(args=["api-keys", "create", "--office", "B10", "--name", "signage",
                                 "--kind", "test"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("sb_test_")
    key = db.session.query(ApiKey).one()
    assert token.split("_", 3)[3] not in (key.secret_hash, key.prefix)
    listed = runner.invoke(args=["api-keys", "list", "--office", "B10"]).output
    assert key.prefix in listed and token not in listed


def test_unknown_path_and_wrong_method_are_problems(client, live_key):
    missing = client.get("/api/v1/nothing-here", headers=auth(live_key))
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = client.delete("/api/v1/schools", headers=auth(live_key))
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM
    assert "GET" in wrong.headers["Allow"]


def test_invalid_alert_names_each_field(client, live_key):
    response = client.post("/api/v1/alerts", json={"class": "loud", "title_ko": "x" * 201, "colour": "red"},
                           headers=auth(live_key))
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    fields = {error["field"] for error in response.get_json()["errors"]}
    assert {"body.class", "body.title_ko", "body.colour"} <= fields


def test_malformed_json_is_a_problem_not_a_500(client, live_key):
    response = client.post("/api/v1/alerts", data="{not json", content_type="application/json",
                           headers=auth(live_key))
    assert response.status_code in (400, 422)
    assert response.mimetype == PROBLEM


def test_read_only_key_cannot_write(client, seoul_office):
    token = make_key("live", read_only=True)
    assert client.get("/api/v1/alerts", headers=auth(token)).status_code == 200
    response = client.post("/api/v1/alerts", json=NEW_ALERT, headers=auth(token))
    assert response.status_code == 403 and response.mimetype == PROBLEM


def test_console_pages_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_an_unexpected_error_is_a_500_problem_without_details(client, live_key, monkeypatch):
    from schoolbell.api import schools

    def broken(*_args, **_kwargs):
        raise RuntimeError("database exploded: secret detail")

    monkeypatch.setattr(schools, "page", broken)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/schools", headers=auth(live_key))
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert "secret detail" not in response.get_data(as_text=True)


def test_malformed_keys_are_401_without_asking_the_database(client, live_key):
    prefix = live_key.split("_")[2]
    for token in ("sb_live_" + prefix + "_\x00" + "a" * 30, "sb_live_" + prefix, "x" * 500, "sb_test_" +
                  live_key.split("_", 3)[3], live_key.replace("sb_live", "sb_team")):
        response = client.get("/api/v1/schools", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_a_malformed_rate_limit_stops_the_app_at_start():
    import pytest

    from schoolbell import create_app
    from schoolbell.settings import SettingsError
    from tests.conftest import TestConfig

    with pytest.raises(SettingsError, match="API_RATE_LIMIT"):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", API_RATE_LIMIT="lots")
