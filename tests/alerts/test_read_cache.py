"""Shared readings: one page reads a costly figure anew while the others are answered at once."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest
from sqlalchemy import text

from schoolbell.alerts import read_cache
from schoolbell.alerts.read_cache import Reading, shared_reading
from schoolbell.alerts.reading_files import ReadingFiles, reading_files
from schoolbell.extensions import db

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


def test_a_due_reading_is_read_again_in_the_background_while_every_page_gets_the_last_one(app):
    keep(app, "before", age=3)  # due again: kept for 2 s
    slow = SlowRead("after")
    started = time.monotonic()
    assert shared_reading(KEY, slow).value == "before"  # the page that noticed does not wait either
    assert slow.started.wait(5)  # the new reading is under way meanwhile
    assert shared_reading(KEY, pytest.fail).value == "before"  # nor reads it a second time
    assert time.monotonic() - started < 1
    slow.release.set()
    read_cache.settle()
    assert shared_reading(KEY, pytest.fail).value == "after"
    assert slow.calls == 1


def test_a_reading_made_in_the_background_uses_its_own_database_session(app):
    """The page's session may be gone (or in use by the page) when the reading runs."""
    keep(app, "before", age=3)
    pages_session = db.session()
    seen = []

    def read():
        seen.append(db.session() is not pages_session)
        return db.session.execute(text("SELECT 1")).scalar()

    assert shared_reading(KEY, read).value == "before"
    db.session.remove()  # the page ends
    read_cache.settle()
    assert seen == [True]
    assert shared_reading(KEY, pytest.fail).value == 1


def test_a_background_reading_that_fails_keeps_the_last_one_and_the_next_page_tries_again(app, caplog):
    keep(app, "before", age=3)

    def broken():
        raise RuntimeError("database went away")

    assert shared_reading(KEY, broken).value == "before"
    read_cache.settle()
    assert "reading progress anew failed" in caplog.text
    assert shared_reading(KEY, lambda: "back").value == "before"  # shown while it is read again
    read_cache.settle()
    assert shared_reading(KEY, pytest.fail).value == "back"


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


def forget_in_memory(app) -> None:
    """What a second web process starts with: none of this process's readings in memory."""
    app.extensions.pop("schoolbell.read_cache", None)


def read_in_child(app, count_file, results) -> None:
    """One web process reading KEY (forked): a read that takes 0.5 s and leaves a line in `count_file`."""
    forget_in_memory(app)

    def slow_read():
        with open(count_file, "a") as count:
            count.write(f"{os.getpid()}\n")
        time.sleep(0.5)
        return f"read by {os.getpid()}"

    with app.app_context():
        results.put(shared_reading(KEY, slow_read).value)


def test_two_web_processes_asking_at_once_read_the_database_once_and_show_the_same_figures(app, tmp_path):
    count_file, fork = tmp_path / "reads.txt", multiprocessing.get_context("fork")
    results = fork.Queue()
    processes = [fork.Process(target=read_in_child, args=(app, count_file, results)) for _ in range(2)]
    for process in processes:
        process.start()
    shown = [results.get(timeout=20) for _ in processes]
    for process in processes:
        process.join(10)
    assert len(count_file.read_text().split()) == 1
    assert shown[0] == shown[1]


def test_a_reading_made_by_one_process_is_shown_by_another_without_reading_again(app):
    with app.app_context():
        assert shared_reading(KEY, lambda: "city figures").value == "city figures"
        forget_in_memory(app)
        assert shared_reading(KEY, pytest.fail).value == "city figures"


def test_while_another_process_reads_anew_a_page_shows_the_last_reading_at_once(app):
    with app.app_context():
        files = reading_files()
        files.save(KEY, Reading("last", 0.01, read_at=time.monotonic() - 3))  # due: kept 2 s
        with files.reading_lock(KEY) as ours:  # another process is reading
            assert ours
            assert shared_reading(KEY, pytest.fail).value == "last"


def test_with_nothing_to_show_a_page_waits_for_the_other_process_instead_of_reading_too(app):
    with app.app_context():
        files = reading_files()
        release = threading.Event()

        def other_process():
            with files.reading_lock(KEY) as ours:
                assert ours
                release.set()
                time.sleep(0.3)
                files.save(KEY, Reading("theirs", 0.3))

        other = threading.Thread(target=other_process)
        other.start()
        assert release.wait(5)
        assert shared_reading(KEY, pytest.fail).value == "theirs"
        other.join(5)


def test_a_reading_kept_before_the_machine_restarted_is_read_anew(app):
    with app.app_context():
        # The monotonic clock starts again at boot: a reading from the last boot may look young or unborn.
        reading_files().save(KEY, Reading("before the restart", 0.01, read_at=time.monotonic() + 1000))
        assert shared_reading(KEY, lambda: "now").value == "now"


def test_apps_on_different_databases_never_share_a_reading(tmp_path):
    ReadingFiles(tmp_path, "sqlite:///one.db").save(KEY, Reading("one", 0.01))
    assert ReadingFiles(tmp_path, "sqlite:///two.db").load(KEY) is None
    assert ReadingFiles(tmp_path, "sqlite:///one.db").load(KEY).value == "one"


def test_a_costly_reading_keeps_to_one_postgresql_process_so_pages_keep_the_other_cores(app):
    """A city-wide reading with two parallel workers filled both cores of the machine for its length."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's parallel query")
        setting = "SHOW max_parallel_workers_per_gather"
        assert db.session.execute(text(setting)).scalar() != "0"
        assert shared_reading(KEY, lambda: db.session.execute(text(setting)).scalar()).value == "0"


def test_files_of_readings_nobody_asked_for_in_a_day_are_removed(tmp_path, monkeypatch):
    files = ReadingFiles(tmp_path, "sqlite:///one.db")
    files.save(("progress", 1), Reading("old alert", 0.01))
    old = [path for path in tmp_path.iterdir()]
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in old:
        os.utime(path, (two_days_ago, two_days_ago))
    monkeypatch.setattr("schoolbell.alerts.reading_files._pruned_at", {})
    files.save(("progress", 2), Reading("today's alert", 0.01))
    assert files.load(("progress", 1)) is None
    assert files.load(("progress", 2)).value == "today's alert"


def test_a_reading_written_by_the_code_before_an_upgrade_is_read_anew(app):
    from schoolbell.alerts.progress import Progress, Snapshot

    with app.app_context():
        before_upgrade = Snapshot(Progress(sent=5), timeline=[])
        del before_upgrade.progress.__dict__["fallback"]  # a field the older code did not have
        reading_files().save(KEY, Reading(before_upgrade, 0.01))
        assert shared_reading(KEY, lambda: "read by this version").value == "read by this version"
        reading_files().save(KEY, Reading(Snapshot(Progress(sent=5), timeline=[]), 0.01))
        forget_in_memory(app)
        assert shared_reading(KEY, pytest.fail).value.progress.sent == 5


def test_a_table_is_shared_four_times_as_long_as_a_headline_of_the_same_cost():
    """At city scale a second's reading is kept 4 s for the progress, 16 s for a table beside it."""
    assert Reading("progress", 1.0).keep_seconds == 4
    assert Reading("schools", 1.0, cost_factor=read_cache.TABLE_COST_FACTOR).keep_seconds == 16
    assert Reading("a school's table", 0.01, cost_factor=read_cache.TABLE_COST_FACTOR).keep_seconds == 2
