"""What the directory announces to the packages above it, which it must not import (blinker signals)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with `contact_ids` (a list) inside the transaction, just before those people are deleted: a
# package that holds rows about people (alerts: deliveries, confirmations) tidies them in the same
# transaction. Receivers are connected by create_app.
contacts_erasing = _signals.signal("contacts-erasing")
