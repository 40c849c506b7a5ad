"""Keeps every accepted message, in memory and optionally as JSON lines in a file."""

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class ReceivedMessage:
    """One accepted create-message request, as the simulator saw it."""

    sid: str
    account_sid: str
    to: str
    sender: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    received_at: str
    params: dict[str, str] = field(default_factory=dict)


class Recorder:
    """An in-memory list of received messages, mirrored to a .jsonl file when a path is given."""

    def __init__(self, path: str | Path | None = None):
        self.messages: list[ReceivedMessage] = []
        self.path = Path(path) if path else None
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    def add(self, message: ReceivedMessage) -> None:
        """Record one message."""
        self.messages.append(message)
        if self.path is None:
            return
        line = json.dumps(asdict(message), ensure_ascii=False) + "\n"
        with self._lock:
            if self._file is None:
                self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (kept open)
            self._file.write(line)

    def flush(self) -> None:
        """Write buffered lines to the file."""
        with self._lock:
            if self._file is not None:
                self._file.flush()

    def close(self) -> None:
        """Flush and close the file; a later `add` opens it again, appending."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
