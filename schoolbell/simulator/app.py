"""The aiohttp application: Twilio's create-message endpoint, checked and answered like Twilio."""

import asyncio
import base64
import hmac
import random
import re
from dataclasses import dataclass, field

from aiohttp import web

from schoolbell import timeutil
from schoolbell.channels.sms_analysis import sms_segments
from schoolbell.simulator.callbacks import StatusCallbacks, callback_params
from schoolbell.simulator.magic import HANG_SECONDS, HANGS, REJECTIONS
from schoolbell.simulator.recorder import ReceivedMessage, Recorder
from schoolbell.simulator.resources import error_body, message_resource, new_sid

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
MAX_BODY = 1600
# The sender reported in callbacks when a Messaging Service chose it.
SERVICE_SENDER = "+15005550006"

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "simulator-auth-token"


@dataclass
class SimulatorSettings:
    """What the simulator accepts and how it behaves; latency and rates may change while running."""

    account_sid: str = DEFAULT_ACCOUNT_SID
    auth_token: str = DEFAULT_AUTH_TOKEN
    latency_ms: float = 0.0
    error_rate: float = 0.0
    callback_delay_ms: float = 0.0
    seed: int | None = None
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


class Simulator:
    """State shared by the handlers: settings, recorder, status callbacks."""

    def __init__(self, settings: SimulatorSettings, recorder: Recorder | None = None):
        self.settings = settings
        self.recorder = recorder or Recorder()
        self.callbacks = StatusCallbacks(settings.auth_token)
        credentials = f"{settings.account_sid}:{settings.auth_token}".encode()
        self._expected_auth = b"Basic " + base64.b64encode(credentials)
        self.in_flight = 0
        self.peak_in_flight = 0  # most create requests being answered at once, to check clients' bounds

    def authorized(self, header: str | None) -> bool:
        """Whether the Authorization header carries this account's SID and token."""
        return header is not None and hmac.compare_digest(
            header.encode("latin-1", "replace"), self._expected_auth
        )


SIMULATOR = web.AppKey("simulator", Simulator)
_MESSAGES = "/2010-04-01/Accounts/{account_sid}/Messages.json"


def make_app(simulator: Simulator) -> web.Application:
    """Build the application; its shutdown cancels pending callbacks and flushes the recording."""
    app = web.Application()
    app[SIMULATOR] = simulator
    app.router.add_post(_MESSAGES, create_message)
    app.router.add_get("/health", health)
    app.on_shutdown.append(_shutdown)
    return app


async def _shutdown(app: web.Application) -> None:
    await app[SIMULATOR].callbacks.close()
    app[SIMULATOR].recorder.close()


async def health(request: web.Request) -> web.Response:
    """Liveness, with the number of messages recorded so far."""
    simulator = request.app[SIMULATOR]
    return web.json_response({"status": "ok", "received": len(simulator.recorder.messages),
                              "peak_in_flight": simulator.peak_in_flight})


async def create_message(request: web.Request) -> web.Response:
    """POST …/Messages.json: authenticate, validate, maybe fail on purpose, else accept (201)."""
    simulator = request.app[SIMULATOR]
    simulator.in_flight += 1
    simulator.peak_in_flight = max(simulator.peak_in_flight, simulator.in_flight)
    try:
        return await _answer(request, simulator)
    finally:
        simulator.in_flight -= 1


async def _answer(request: web.Request, simulator: Simulator) -> web.Response:
    settings = simulator.settings
    if settings.latency_ms > 0:
        await asyncio.sleep(settings.latency_ms / 1000)
    if not simulator.authorized(request.headers.get("Authorization")):
        return _error(401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})
    account_sid = request.match_info["account_sid"]
    if account_sid != settings.account_sid:
        return _error(404, 20404, f"The requested resource {request.path} was not found")
    if settings.error_rate > 0 and settings.rng.random() < settings.error_rate:
        return _error(503, 20503, "Service Unavailable")

    form = await request.post()
    params = {key: str(value) for key, value in form.items()}
    invalid = _validate(params)
    if invalid is not None:
        return invalid
    to = params["To"]
    rejection = REJECTIONS.get(to)
    if rejection is not None:
        headers = {"Retry-After": str(rejection.retry_after)} if rejection.retry_after else None
        return _error(rejection.status, rejection.code, rejection.message, headers)
    if to == HANGS:
        await asyncio.sleep(HANG_SECONDS)
    return _accept(simulator, account_sid, params)


def _validate(params: dict[str, str]) -> web.Response | None:
    to = params.get("To")
    if not to:
        return _error(400, 21604, "A 'To' phone number is required.")
    if not params.get("From") and not params.get("MessagingServiceSid"):
        return _error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
    service = params.get("MessagingServiceSid")
    if service and not SERVICE_SID.match(service):
        return _error(400, 21701, f"The Messaging Service Sid {service} is invalid.")
    if not params.get("Body"):
        return _error(400, 21602, "Message body is required.")
    if len(params["Body"]) > MAX_BODY:
        return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    if not E164.match(to):
        return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    return None


def _accept(simulator: Simulator, account_sid: str, params: dict[str, str]) -> web.Response:
    sid = new_sid("SM")
    to, body = params["To"], params["Body"]
    sender = params.get("From") or None
    service = params.get("MessagingServiceSid") or None
    callback = params.get("StatusCallback") or None
    simulator.recorder.add(
        ReceivedMessage(
            sid=sid,
            account_sid=account_sid,
            to=to,
            sender=sender,
            messaging_service_sid=service,
            body=body,
            status_callback=callback,
            received_at=timeutil.utcnow().isoformat(),
            params=params,
        )
    )
    if callback:
        base = callback_params(
            sid=sid,
            account_sid=account_sid,
            to=to,
            sender=sender or SERVICE_SENDER,
            messaging_service_sid=service,
        )
        simulator.callbacks.schedule(
            callback, base, to, simulator.settings.callback_delay_ms / 1000
        )
    resource = message_resource(
        sid=sid,
        account_sid=account_sid,
        to=to,
        sender=sender,
        messaging_service_sid=service,
        body=body,
        num_segments=sms_segments(body),
    )
    return web.json_response(resource, status=201)


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(error_body(status, code, message), status=status, headers=headers)

