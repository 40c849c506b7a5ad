"""Shared readings: one page reads a costly figure anew while the others are answered at once."""

from __future__ import annotations

import threading
import time

import pytest

from schoolbell.alerts import read_cache
from schoolbell.alerts.read_cache import Reading, shared_reading

KEY = ("progress", 1)


class SlowRead:
    """A read that blocks until released, and counts how often it ran."""

    def __init__(self, value):
        self.value, self.calls = value, 0
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self):
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        return self.value


def in_thread(app, read, results: list) -> threading.Thread:
    def run():
        with app.app_context():
            results.append(shared_reading(KEY, read).value)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def keep(app, value, age: float) -> None:
    """Put a reading of `value`, `age` seconds old and cheap to read (kept 2 s), in the app's cache."""
    read_cache._shared().readings[KEY] = Reading(value, 0.01, read_at=time.monotonic() - age)


def test_a_due_reading_is_read_again_by_one_page_while_the_others_get_the_last_one(app):
    keep(app, "before", age=3)  # due again: kept for 2 s
    slow, results = SlowRead("after"), []
    reader = in_thread(app, slow, results)
    assert slow.started.wait(5)
    started = time.monotonic()
    assert shared_reading(KEY, pytest.fail).value == "before"  # not waiting, not reading again
    assert time.monotonic() - started < 1
    slow.release.set()
    reader.join(5)
    assert results == ["after"]
    assert shared_reading(KEY, pytest.fail).value == "after"
    assert slow.calls == 1


def test_pages_with_nothing_to_show_wait_for_the_one_read_under_way_instead_of_repeating_it(app):
    slow, results = SlowRead("first"), []
    reader = in_thread(app, slow, results)
    assert slow.started.wait(5)
    waiters = [in_thread(app, slow, results) for _ in range(3)]
    time.sleep(0.2)
    assert results == []  # they wait: there is nothing to show yet
    slow.release.set()
    for thread in (reader, *waiters):
        thread.join(5)
    assert results == ["first"] * 4
    assert slow.calls == 1  # one scan of the database, not four side by side


def test_a_reading_far_too_old_is_not_shown_while_the_new_one_is_read(app):
    keep(app, "ancient", age=2 * read_cache.STALE_FACTOR + 1)
    slow, results = SlowRead("fresh"), []
    reader = in_thread(app, slow, results)
    assert slow.started.wait(5)
    waiter = in_thread(app, pytest.fail, results)
    time.sleep(0.2)
    assert results == []
    slow.release.set()
    reader.join(5)
    waiter.join(5)
    assert results == ["fresh", "fresh"]


def test_a_read_that_fails_leaves_the_next_page_free_to_read(app):
    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        shared_reading(KEY, broken)
    assert shared_reading(KEY, lambda: "back").value == "back"


def test_a_month_of_office_figures_is_read_once_a_minute_however_cheap(app):
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    with app.app_context():
        first = shared_reading(("office-figures", 1, 30), read, keep_at_least=60)
        assert first.keep_seconds == 60
        # 30 s later a cheap reading (kept 2 s) would be read again; this one is still shared.
        read_cache._shared().readings[("office-figures", 1, 30)] = Reading(
            first.value, first.seconds_to_read, read_at=time.monotonic() - 30, keep_at_least=60)
        assert shared_reading(("office-figures", 1, 30), read, keep_at_least=60).value == 1
        assert len(calls) == 1
