"""Accepted messages as the list and fetch endpoints show them, their status moving with time."""

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from schoolbell.simulator.magic import CALLBACK_SEQUENCES, DELIVERED_SEQUENCE
from schoolbell.simulator.recorder import ReceivedMessage
from schoolbell.simulator.resources import message_resource

ERROR_MESSAGES = {30003: "Unreachable destination handset", 30008: "Unknown error"}


@dataclass(slots=True)
class StoredMessage:
    """One accepted message and the status steps it takes, `step_s` seconds apart."""

    sid: str
    account_sid: str
    to: str
    sender: str | None
    messaging_service_sid: str | None
    body: str
    num_segments: int
    created: datetime
    steps: tuple[tuple[str, int | None], ...]
    step_s: float

    def steps_taken(self, now: datetime) -> int:
        """How many status steps have happened by `now` (all of them at once when step_s is 0)."""
        if self.step_s <= 0:
            return len(self.steps)
        return min(len(self.steps), int((now - self.created).total_seconds() / self.step_s))

    def date_sent(self, now: datetime) -> datetime | None:
        """When the message left "queued" (its first step), to the second as Twilio shows it."""
        if self.steps_taken(now) == 0:
            return None
        return (self.created + timedelta(seconds=self.step_s)).replace(microsecond=0)

    @classmethod
    def of(cls, received: ReceivedMessage, num_segments: int, step_s: float) -> "StoredMessage":
        """The message the store keeps for a request the recorder accepted."""
        return cls(sid=received.sid, account_sid=received.account_sid, to=received.to,
                   sender=received.sender, messaging_service_sid=received.messaging_service_sid,
                   body=received.body, num_segments=num_segments,
                   created=datetime.fromisoformat(received.received_at),
                   steps=CALLBACK_SEQUENCES.get(received.to, DELIVERED_SEQUENCE), step_s=step_s)

    def as_created(self) -> dict[str, object]:
        """The resource the create call answers: queued, whatever steps come later."""
        return message_resource(sid=self.sid, account_sid=self.account_sid, to=self.to,
                                sender=self.sender, messaging_service_sid=self.messaging_service_sid,
                                body=self.body, num_segments=self.num_segments, created=self.created)

    def resource(self, now: datetime) -> dict[str, object]:
        """The Message resource as it reads at `now`."""
        taken = self.steps_taken(now)
        status, error_code = self.steps[taken - 1] if taken else ("queued", None)
        updated = self.created + timedelta(seconds=self.step_s * taken)
        return message_resource(
            sid=self.sid,
            account_sid=self.account_sid,
            to=self.to,
            sender=self.sender,
            messaging_service_sid=self.messaging_service_sid,
            body=self.body,
            num_segments=self.num_segments,
            status=status,
            created=self.created,
            sent=self.date_sent(now),
            updated=updated,
            error_code=error_code,
            error_message=ERROR_MESSAGES.get(error_code) if error_code else None,
        )


class MessageStore:
    """Every accepted message by SID, oldest first."""

    def __init__(self) -> None:
        self._by_sid: dict[str, StoredMessage] = {}
        self._lock = threading.Lock()

    def add(self, message: StoredMessage) -> None:
        """Keep one accepted message."""
        with self._lock:
            self._by_sid[message.sid] = message

    def get(self, sid: str) -> StoredMessage | None:
        """The message with this SID, if accepted."""
        return self._by_sid.get(sid)

    def newest_first(self) -> list[StoredMessage]:
        """A snapshot of every message, newest first, as Twilio lists them."""
        with self._lock:
            return list(reversed(self._by_sid.values()))

    def clear(self) -> None:
        """Forget every message."""
        with self._lock:
            self._by_sid.clear()

    def __len__(self) -> int:
        return len(self._by_sid)



def restored(path: Path, segments_of) -> list[StoredMessage]:
    """The messages a recording holds, as the store keeps them: a restarted simulator, like Twilio,
    still lists what it accepted before (the record is written before each answer)."""
    if not path.exists():
        return []
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a kill mid-write: that request was never answered
        received = ReceivedMessage(**row)
        messages.append(StoredMessage.of(received, segments_of(received.body), step_s=0.0))
    return messages
