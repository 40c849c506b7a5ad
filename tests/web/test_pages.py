"""The landing page and the health check."""

from __future__ import annotations


def test_home_shows_no_directory_figures_in_either_language(app, client, runner):
    runner.invoke(args=["demo", "seed"])
    korean = client.get("/?lang=ko")
    assert korean.status_code == 200
    page = korean.get_data(as_text=True)
    # Who and how many are on file is not for the public: no levels, no head-counts.
    assert "elementary" not in page and "610" not in page and "명부" not in page
    # A new visitor whose browser prefers English (the first one chose Korean, which sticks).
    english = app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="en"' in english and "People in the directory" not in english
    assert 'lang="ko"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_korean_interface_comes_from_the_catalog(client):
    page = client.get("/?lang=ko").get_data(as_text=True)
    assert "메시지를 받으셨나요?" in page
    assert "Got a message from us?" in client.get("/?lang=en").get_data(as_text=True)
