"""Scheduling tests run with the product's default quiet hours (the suite at large turns them off)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def default_quiet_hours(request):
    """Give tests that use the app the default 21:00–08:00 Seoul quiet hours."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["QUIET_HOURS"] = "21:00-08:00"
