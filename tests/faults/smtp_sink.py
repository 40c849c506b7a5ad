"""An SMTP sink for the fault suite: records each message's delivery id on disk before it answers.

`python -m tests.faults.smtp_sink --port P --record FILE [--delay S]`. Every accepted message is
appended to FILE with an unbuffered write, so the record is complete even after SIGKILL; `--delay`
makes it a slow relay.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import re
import signal
import string
import threading

from aiosmtpd.controller import Controller

# A recipient's link: "/m/" + the delivery id in base 62 + a 6-character signature (alerts/links.py),
# or the long "<id>.<time>.<signature>" token of earlier messages.
LINK = re.compile(r"(?:/m/|[?&]t=)([0-9A-Za-z]+)(\.)?")
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
SIGNATURE_LENGTH = 6


def delivery_id(text: str) -> int | None:
    """The delivery id in the first recipient link of a message's text, or None."""
    found = LINK.search(text)
    if found is None:
        return None
    if found.group(2):
        return int(found.group(1))
    value = 0
    for character in found.group(1)[:-SIGNATURE_LENGTH]:
        value = value * 62 + BASE62.index(character)
    return value


class Recorder:
    """An aiosmtpd handler that appends "<delivery id> <recipient>" per message, then answers 250."""

    def __init__(self, path: str, delay: float):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content.replace(b"\r\n", b"\n"),
                                           policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        found = delivery_id(text)
        line = f"{found if found is not None else '?'} {envelope.rcpt_tos[0]}\n"
        os.write(self.fd, line.encode())
        return "250 Message accepted"


def main() -> None:
    """Serve until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m tests.faults.smtp_sink")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    controller = Controller(Recorder(args.record, args.delay), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"smtp sink on 127.0.0.1:{args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
