"""File backends: each message becomes a file (SMS .txt, email .eml) under a directory."""

import email.policy
import os
import uuid
from pathlib import Path

from schoolbell import timeutil
from schoolbell.channels.base import Closing
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.channels.mime import build_mime
from schoolbell.channels.rendering import render_sms

# Raw UTF-8 headers and 8bit bodies: the .eml opens in a mail client and reads well in a pager.
_READABLE = email.policy.default.clone(utf8=True)


class _FileBackend(Closing):
    suffix = ""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _write(self, kind: str, content: bytes) -> str:
        stamp = timeutil.utcnow().strftime("%Y%m%dT%H%M%S.%fZ")
        # Sortable by time; the random part keeps names unique across threads and processes.
        name = f"{stamp}-{kind}-{uuid.uuid4().hex[:12]}{self.suffix}"
        with open(self.directory / name, "xb") as handle:
            handle.write(content)
        return name


class FileSmsBackend(_FileBackend):
    """Writes each SMS as a readable .txt file and returns the file name."""

    suffix = ".txt"

    def send(self, message: SmsMessage) -> str:
        """Write the SMS (full recipient, length figures, body) and return the file name."""
        text = render_sms(message, reveal=True) + "\n"
        return self._write("sms", text.encode("utf-8"))


class FileEmailBackend(_FileBackend):
    """Writes each email as an .eml file and returns the file name."""

    suffix = ".eml"

    def __init__(
        self,
        directory: str | os.PathLike[str],
        sender: str = "SchoolBell <noreply@schoolbell.invalid>",
    ):
        super().__init__(directory)
        self.sender = sender

    def send(self, message: EmailMessage) -> str:
        """Write the email as a MIME file and return the file name."""
        mime = build_mime(message, self.sender, cte="8bit")
        return self._write("email", mime.as_bytes(policy=_READABLE))
