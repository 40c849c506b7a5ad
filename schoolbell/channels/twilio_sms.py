"""SMS through Twilio's Messages API with the official client's async interface, with typed errors."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client

from schoolbell.channels.base import Closing
from schoolbell.channels.errors import TransientError
from schoolbell.channels.event_loop import LoopThread
from schoolbell.channels.messages import SmsMessage
from schoolbell.channels.twilio_errors import from_transport_error, from_twilio_error
from schoolbell.channels.twilio_http import RoutingHttpClient

# Messages to one recipient looked at when asking whether a lost send arrived.
FIND_PAGE = 20


class TwilioSmsBackend(Closing):
    """Sends SMS with one twilio Client; sender is the Messaging Service, else a round-robin pool.

    Requests run on the backend's own event loop (`loop`): `send_async` is awaited there by the
    dispatcher with as many messages in flight as it allows, `send` waits for one from any thread.
    `api_base_url` points the client at another server (the simulator) instead of api.twilio.com.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str | None = None,
        from_numbers: Iterable[str] = (),
        status_callback: str | None = None,
        api_base_url: str | None = None,
        timeout: float = 10.0,
    ):
        self.messaging_service_sid = messaging_service_sid
        self.from_numbers = tuple(from_numbers)
        if not messaging_service_sid and not self.from_numbers:
            raise ValueError("TwilioSmsBackend needs messaging_service_sid or from_numbers")
        self.status_callback = status_callback
        self.loop = LoopThread("schoolbell-twilio")
        self._http = RoutingHttpClient(api_base_url, timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        # Only the loop's thread takes senders, so the cycle needs no lock.
        self._senders = itertools.cycle(self.from_numbers)

    async def send_async(self, message: SmsMessage) -> str:
        """Create the message at Twilio and return its SID ("SM…"); run on `loop` only."""
        try:
            created = await self._client.messages.create_async(
                to=message.to,
                body=message.body,
                status_callback=message.status_callback or self.status_callback,
                **self._sender(message),
            )
        except (TwilioRestException, TwilioServiceException) as error:
            response = self._http.last_response()
            retry_after = response.headers.get("Retry-After") if response is not None else None
            # Not chained: Twilio's text repeats the full phone number, and tracebacks get logged.
            raise from_twilio_error(error, retry_after) from None
        except (TimeoutError, aiohttp.ClientError) as error:
            raise from_transport_error(error) from error
        return created.sid

    def send(self, message: SmsMessage) -> str:
        """Send one message and wait for its SID (from any thread but the loop's)."""
        return self.loop.run(self.send_async(message))

    async def find_async(self, message: SmsMessage) -> str | None:
        """The SID of this exact message if Twilio has it: its newest messages to the recipient, by body.

        Asked after a send whose answer was lost (a broken connection, a crashed worker). Each body
        carries its delivery's own link, so an equal body is this delivery's message; it was created
        minutes ago, so the newest page holds it. Errors are raised as for a send (TransientError…).
        """
        try:
            recent = await self._client.messages.list_async(to=message.to, limit=FIND_PAGE,
                                                             page_size=FIND_PAGE)
        except (TwilioRestException, TwilioServiceException) as error:
            raise from_twilio_error(error, None) from None
        except (TimeoutError, aiohttp.ClientError) as error:
            # A lookup is a read: whatever broke, asking again is safe.
            raise TransientError(f"could not ask Twilio: {type(error).__name__}") from error
        return next((found.sid for found in recent if found.body == message.body), None)

    def find(self, message: SmsMessage) -> str | None:
        """Like `find_async`, waiting for the answer (from any thread but the loop's)."""
        return self.loop.run(self.find_async(message))

    def next_sender(self) -> str:
        """The next number of the pool, in turn."""
        return next(self._senders)

    def close(self) -> None:
        """Close the pooled connections and stop the loop."""
        self.loop.close(self._http.close())

    def _sender(self, message: SmsMessage) -> dict[str, str]:
        if message.sender:
            return {"from_": message.sender}
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.next_sender()}
