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
import threading

from aiosmtpd.controller import Controller

DELIVERY_ID = re.compile(r"(?:/m/|[?&]t=)(\d+)\.")


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
        found = DELIVERY_ID.search(text)
        line = f"{found.group(1) if found else '?'} {envelope.rcpt_tos[0]}\n"
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
