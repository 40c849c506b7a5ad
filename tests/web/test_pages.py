"""The landing page and the health check."""

from __future__ import annotations


def test_home_shows_directory_counts_in_both_languages(app, client, runner):
    runner.invoke(args=["demo", "seed"])
    korean = client.get("/?lang=ko")
    assert korean.status_code == 200
    page = korean.get_data(as_text=True)
    assert "elementary" in page and "610" in page
    # A new visitor whose browser prefers English (the first one chose Korean, which sticks).
    english = app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="en"' in english
    assert 'lang="ko"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_korean_interface_comes_from_the_catalog(client):
    page = client.get("/?lang=ko").get_data(as_text=True)
    assert "명부에 등록된 사람" in page
    assert "People in the directory" in client.get("/?lang=en").get_data(as_text=True)
