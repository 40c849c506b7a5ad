"""Status callbacks: POST each status to the message's StatusCallback URL, signed like Twilio."""

import asyncio
import logging
import uuid
from dataclasses import dataclass

import aiohttp
from twilio.request_validator import RequestValidator

from schoolbell.simulator.magic import CALLBACK_SEQUENCES, DELIVERED_SEQUENCE
from schoolbell.simulator.resources import API_VERSION

log = logging.getLogger(__name__)

# Twilio gives up on a webhook after 15 seconds.
_TIMEOUT = aiohttp.ClientTimeout(total=15)


@dataclass(frozen=True)
class SentCallback:
    """One status callback the simulator posted, and the HTTP status it got (None if none)."""

    url: str
    params: dict[str, str]
    signature: str
    response_status: int | None


class StatusCallbacks:
    """Schedules the callback sequence of each accepted message on the running event loop."""

    def __init__(self, auth_token: str):
        self.validator = RequestValidator(auth_token)
        self.sent: list[SentCallback] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def schedule(self, url: str, base_params: dict[str, str], to: str, delay_s: float) -> None:
        """Start posting the statuses for a message to `url`, `delay_s` seconds apart."""
        sequence = CALLBACK_SEQUENCES.get(to, DELIVERED_SEQUENCE)
        task = asyncio.get_running_loop().create_task(
            self._run(url, base_params, sequence, delay_s)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def sign(self, url: str, params: dict[str, str]) -> str:
        """The X-Twilio-Signature value Twilio would send for these params to this URL."""
        return self.validator.compute_signature(url, params)

    async def close(self) -> None:
        """Cancel pending callbacks and close the HTTP session."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(
        self,
        url: str,
        base_params: dict[str, str],
        sequence: tuple[tuple[str, int | None], ...],
        delay_s: float,
    ) -> None:
        for status, error_code in sequence:
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            params = {**base_params, "MessageStatus": status, "SmsStatus": status}
            if error_code is not None:
                params["ErrorCode"] = str(error_code)
            await self._post(url, params)

    async def _post(self, url: str, params: dict[str, str]) -> None:
        signature = self.sign(url, params)
        headers = {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        status: int | None = None
        try:
            async with self._client().post(url, data=params, headers=headers) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("status callback for %s failed: %s", params["MessageSid"], error)
        self.sent.append(SentCallback(url, params, signature, status))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        return self._session


def callback_params(
    *, sid: str, account_sid: str, to: str, sender: str, messaging_service_sid: str | None
) -> dict[str, str]:
    """The form fields every status callback of a message carries."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "From": sender,
        "MessageSid": sid,
        "SmsSid": sid,
        "To": to,
    }
    if messaging_service_sid:
        params["MessagingServiceSid"] = messaging_service_sid
    return params
