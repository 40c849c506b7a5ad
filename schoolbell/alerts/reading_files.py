"""Shared readings kept in files, so every web process of a machine reads a costly figure once, not once each.

One file per reading (pickled, written whole and renamed into place) and one lock file beside it: the
process holding the lock (flock, released by the kernel if the process dies) is the one reading anew.
The files are the app's own, in its instance folder (READINGS_DIR), readable by its account only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import pickle
import tempfile
from collections.abc import Hashable, Iterator
from pathlib import Path

from flask import current_app

from schoolbell import timeutil
from schoolbell.extensions import db

# Readings of alerts long finished are never asked for again: their files go after a day, looked
# for at most every few minutes per process.
FILES_KEPT_SECONDS = 24 * 3600
PRUNE_EVERY_SECONDS = 600
_pruned_at: dict[Path, float] = {}


class ReadingFiles:
    """The folder of one app's shared readings."""

    def __init__(self, folder: Path, namespace: str):
        self.folder = folder
        # Two apps sharing a folder (a second database, a test) must never see each other's figures.
        self.namespace = namespace

    def _stem(self, key: Hashable) -> Path:
        name = hashlib.sha256(repr((self.namespace, key)).encode()).hexdigest()[:40]
        return self.folder / name

    def load(self, key: Hashable):
        """The reading another process (or this one) kept under `key`, or None (also when it was
        written by another version of the code, as during an upgrade)."""
        try:
            with open(self._stem(key).with_suffix(".reading"), "rb") as kept:
                reading = pickle.load(kept)
        except (FileNotFoundError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return reading if _shaped_as_this_code(reading) else None

    def save(self, key: Hashable, reading) -> None:
        """Keep `reading` for every process (renamed into place: a page loading it sees it whole)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as temporary:
            pickle.dump(reading, temporary, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary.name, self._stem(key).with_suffix(".reading"))
        self._prune_now_and_then()

    def _prune_now_and_then(self) -> None:
        now = timeutil.utcnow().timestamp()
        if now - _pruned_at.get(self.folder, 0) < PRUNE_EVERY_SECONDS:
            return
        _pruned_at[self.folder] = now
        for path in self.folder.iterdir():
            with contextlib.suppress(FileNotFoundError):  # another process pruned it first
                if now - path.stat().st_mtime > FILES_KEPT_SECONDS:
                    path.unlink()

    @contextlib.contextmanager
    def reading_lock(self, key: Hashable) -> Iterator[bool]:
        """Yields True when this caller may read `key` anew, False while another process (or thread) does."""
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self._stem(key).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(descriptor)  # closing releases the lock


def reading_files() -> ReadingFiles:
    """The current app's shared reading files (READINGS_DIR, by default instance/readings)."""
    folder = current_app.config.get("READINGS_DIR") or os.path.join(current_app.instance_path, "readings")
    return ReadingFiles(Path(folder), db.engine.url.render_as_string(hide_password=True))


def _shaped_as_this_code(value) -> bool:
    """Whether every dataclass in `value` has exactly the fields its class has now."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if set(vars(value)) != {field.name for field in dataclasses.fields(value)}:
            return False
        return all(_shaped_as_this_code(item) for item in vars(value).values())
    if isinstance(value, dict):
        return all(_shaped_as_this_code(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_shaped_as_this_code(item) for item in value)
    return True
