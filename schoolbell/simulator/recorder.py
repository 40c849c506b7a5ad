"""Keeps every accepted message, in memory and optionally as JSON lines in a file."""

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path


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


def _ends_mid_line(path: Path) -> bool:
    with open(path, "rb") as existing:
        existing.seek(0, os.SEEK_END)
        if existing.tell() == 0:
            return False
        existing.seek(-1, os.SEEK_END)
        return existing.read(1) != b"\n"


class Recorder:
    """An in-memory list of received messages, mirrored to a .jsonl file when a path is given.

    Each line reaches the file with one unbuffered write on an O_APPEND descriptor before `add`
    returns, so the file holds every accepted message even if the process is then SIGKILLed
    (the kernel keeps it; it is not fsynced, so a power cut may still lose the last lines).
    """

    def __init__(self, path: str | Path | None = None):
        self.messages: list[ReceivedMessage] = []
        self.path = Path(path) if path else None
        self._fd: int | None = None
        self._lock = threading.Lock()

    def add(self, message: ReceivedMessage) -> None:
        """Record one message; with a file, the line is written before this returns."""
        self.messages.append(message)
        if self.path is None:
            return
        line = (json.dumps(asdict(message), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                if _ends_mid_line(self.path):
                    line = b"\n" + line  # a kill tore the last line: start on a line of our own
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]

    def close(self) -> None:
        """Close the file; a later `add` opens it again, appending."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
