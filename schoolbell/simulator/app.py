"""The aiohttp application: Twilio's Messages endpoints, checked and answered like Twilio."""

import asyncio
import re

from aiohttp import web

from schoolbell import timeutil
from schoolbell.channels.sms_analysis import sms_segments
from schoolbell.simulator.callbacks import callback_params
from schoolbell.simulator.listing import fetch_message, list_messages
from schoolbell.simulator.magic import (
    HANG_SECONDS,
    HANGS,
    REJECTIONS,
)
from schoolbell.simulator.modes import DROP, get_mode, modes, set_mode, turn_away
from schoolbell.simulator.recorder import ReceivedMessage
from schoolbell.simulator.resources import error_response, new_sid
from schoolbell.simulator.state import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    SIMULATOR,
    Simulator,
    SimulatorSettings,
)
from schoolbell.simulator.store import StoredMessage

__all__ = ["DEFAULT_ACCOUNT_SID", "DEFAULT_AUTH_TOKEN", "Simulator", "SimulatorSettings", "make_app"]

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
MAX_BODY = 1600
# The sender reported in callbacks when a Messaging Service chose it.
SERVICE_SENDER = "+15005550006"

_MESSAGES = "/2010-04-01/Accounts/{account_sid}/Messages.json"
_MESSAGE = "/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"


def make_app(simulator: Simulator) -> web.Application:
    """Build the application; its shutdown cancels pending callbacks and closes the recording."""
    app = web.Application()
    app[SIMULATOR] = simulator
    app.router.add_post(_MESSAGES, create_message)
    app.router.add_get(_MESSAGES, list_messages)
    app.router.add_get(_MESSAGE, fetch_message)
    app.router.add_get("/health", health)
    app.router.add_get("/_simulator/mode", get_mode)
    app.router.add_post("/_simulator/mode", set_mode)
    app.on_shutdown.append(_shutdown)
    return app


async def _shutdown(app: web.Application) -> None:
    await app[SIMULATOR].callbacks.close()
    app[SIMULATOR].recorder.close()


async def health(request: web.Request) -> web.Response:
    """Liveness, the current modes, and counts of creates received, accepted and turned away."""
    simulator = request.app[SIMULATOR]
    return web.json_response({
        "status": "ok",
        "received": len(simulator.recorder.messages),
        "requests": simulator.requests,
        "rejected": dict(simulator.rejected),
        "peak_in_flight": simulator.peak_in_flight,
        "modes": modes(simulator.settings),
    })


async def create_message(request: web.Request) -> web.StreamResponse:
    """POST …/Messages.json: authenticate, validate, maybe fail on purpose, else accept (201)."""
    simulator = request.app[SIMULATOR]
    simulator.requests += 1
    simulator.in_flight += 1
    simulator.peak_in_flight = max(simulator.peak_in_flight, simulator.in_flight)
    try:
        return await _answer(request, simulator)
    finally:
        simulator.in_flight -= 1


async def _answer(request: web.Request, simulator: Simulator) -> web.StreamResponse:
    settings = simulator.settings
    if settings.latency_ms > 0:
        await asyncio.sleep(settings.latency_ms / 1000)
    if not simulator.authorized(request.headers.get("Authorization")):
        return error_response(
            401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'}
        )
    account_sid = request.match_info["account_sid"]
    if account_sid != settings.account_sid:
        return error_response(404, 20404, f"The requested resource {request.path} was not found")
    form = await request.post()
    turned_away = turn_away(simulator)
    if isinstance(turned_away, web.Response):
        return turned_away

    params = {key: str(value) for key, value in form.items()}
    answer = _validate(params)
    if answer is None:
        answer = await _magic(params["To"])
    if turned_away == DROP:
        return _drop(request, simulator, account_sid, params, valid=answer is None)
    if answer is not None:
        return answer
    return _accept(simulator, account_sid, params)


def _validate(params: dict[str, str]) -> web.Response | None:
    to = params.get("To")
    if not to:
        return error_response(400, 21604, "A 'To' phone number is required.")
    if not params.get("From") and not params.get("MessagingServiceSid"):
        return error_response(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
    service = params.get("MessagingServiceSid")
    if service and not SERVICE_SID.match(service):
        return error_response(400, 21701, f"The Messaging Service Sid {service} is invalid.")
    if not params.get("Body"):
        return error_response(400, 21602, "Message body is required.")
    if len(params["Body"]) > MAX_BODY:
        return error_response(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    if not E164.match(to):
        return error_response(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    return None


async def _magic(to: str) -> web.Response | None:
    rejection = REJECTIONS.get(to)
    if rejection is not None:
        headers = {"Retry-After": str(rejection.retry_after)} if rejection.retry_after else None
        return error_response(rejection.status, rejection.code, rejection.message, headers)
    if to == HANGS:
        await asyncio.sleep(HANG_SECONDS)
    return None


def _drop(
    request: web.Request, simulator: Simulator, account_sid: str, params: dict[str, str],
    *, valid: bool,
) -> web.StreamResponse:
    simulator.rejected["dropped"] += 1
    settings = simulator.settings
    if valid and settings.rng.random() < settings.drop_accept_rate:
        simulator.rejected["dropped_accepted"] += 1
        _accept(simulator, account_sid, params)
    # Closed after the request was read and (maybe) recorded: the client cannot tell which.
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


def _accept(simulator: Simulator, account_sid: str, params: dict[str, str]) -> web.Response:
    sid = new_sid("SM")
    to, body = params["To"], params["Body"]
    sender = params.get("From") or None
    service = params.get("MessagingServiceSid") or None
    callback = params.get("StatusCallback") or None
    now = timeutil.utcnow()
    delay_s = simulator.settings.callback_delay_ms / 1000
    segments = sms_segments(body)
    received = ReceivedMessage(sid=sid, account_sid=account_sid, to=to, sender=sender,
                               messaging_service_sid=service, body=body, status_callback=callback,
                               received_at=now.isoformat(), params=params)
    # Recorded (an unbuffered write) before the answer leaves, so a killed process keeps it.
    simulator.recorder.add(received)
    stored = StoredMessage.of(received, segments, delay_s)
    simulator.store.add(stored)
    if callback:
        base = callback_params(
            sid=sid,
            account_sid=account_sid,
            to=to,
            sender=sender or SERVICE_SENDER,
            messaging_service_sid=service,
        )
        simulator.callbacks.schedule(callback, base, to, delay_s)
    return web.json_response(stored.as_created(), status=201)
