"""The webhook loop: collect new events and post due ones every few seconds, until stopped."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy.exc import DBAPIError

from schoolbell.api.webhooks.collect import SETTLE, collect
from schoolbell.api.webhooks.sender import send_due
from schoolbell.extensions import db

log = logging.getLogger(__name__)


class WebhookRunner:
    """Runs rounds in a daemon thread with its own app context (flask serve), or in the caller's."""

    def __init__(self, app: Flask, interval: float = 5.0, settle: timedelta = SETTLE):
        self.app, self.interval, self.settle = app, interval, settle
        self._stopping = threading.Event()

    def round(self) -> tuple[int, dict]:
        """One round: (events collected, outcome of posting)."""
        return collect(settle=self.settle), send_due()

    def run(self) -> None:
        """Rounds until stop(); a database that is away is waited for, not fatal."""
        with self.app.app_context():
            while not self._stopping.is_set():
                try:
                    self.round()
                except DBAPIError:
                    db.session.rollback()
                    log.warning("webhooks: database unavailable, trying again in %s s", self.interval)
                finally:
                    db.session.remove()
                self._stopping.wait(self.interval)

    def start(self) -> WebhookRunner:
        """Run in a daemon thread."""
        threading.Thread(target=self.run, name="schoolbell-webhooks", daemon=True).start()
        return self

    def stop(self) -> None:
        """End after the round in hand."""
        self._stopping.set()
