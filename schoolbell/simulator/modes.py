"""Outage and throttle modes: how they turn creates away, and the admin endpoint that sets them."""

from aiohttp import web

from schoolbell.simulator.resources import error_response
from schoolbell.simulator.state import OUTAGES, SIMULATOR, Simulator, SimulatorSettings

DROP = "drop"
# Admin payload keys, each with the settings field it sets and how to check its value.
_FIELDS = {
    "outage": ("outage", lambda v: v if v in OUTAGES else None),
    "drop_accept_rate": ("drop_accept_rate", lambda v: _fraction(v)),
    "throttle_rate": ("throttle_rate", lambda v: _fraction(v)),
    "retry_after": ("retry_after_s", lambda v: v if type(v) is int and v >= 0 else None),
    "error_rate": ("error_rate", lambda v: _fraction(v)),
    "latency_ms": ("latency_ms", lambda v: float(v) if _number(v) and v >= 0 else None),
    "callback_delay_ms": (
        "callback_delay_ms", lambda v: float(v) if _number(v) and v >= 0 else None,
    ),
}


def turn_away(simulator: Simulator) -> web.Response | str | None:
    """The answer a mode gives this create instead of accepting it, DROP, or None to go on."""
    settings = simulator.settings
    if settings.outage == "503":
        simulator.rejected["outage_503"] += 1
        return error_response(503, 20503, "Service Unavailable")
    if settings.error_rate > 0 and settings.rng.random() < settings.error_rate:
        simulator.rejected["error_rate"] += 1
        return error_response(503, 20503, "Service Unavailable")
    if settings.throttle_rate > 0 and settings.rng.random() < settings.throttle_rate:
        simulator.rejected["throttled"] += 1
        return error_response(
            429, 20429, "Too Many Requests", {"Retry-After": str(settings.retry_after_s)}
        )
    if settings.outage == DROP:
        return DROP
    return None


def modes(settings: SimulatorSettings) -> dict[str, object]:
    """The current modes, keyed as the admin endpoint takes them."""
    return {key: getattr(settings, name) for key, (name, _) in _FIELDS.items()}


def apply_modes(settings: SimulatorSettings, payload: object) -> str | None:
    """Set the modes named in `payload` (all or none of them); an error message if invalid."""
    if not isinstance(payload, dict):
        return "expected a JSON object"
    unknown = sorted(set(payload) - set(_FIELDS))
    if unknown:
        return f"unknown keys {unknown}; known: {sorted(_FIELDS)}"
    checked = {}
    for key, value in payload.items():
        name, check = _FIELDS[key]
        valid = check(value)
        if valid is None:
            return f"invalid {key}: {value!r}"
        checked[name] = valid
    for name, value in checked.items():
        setattr(settings, name, value)
    return None


async def get_mode(request: web.Request) -> web.Response:
    """GET /_simulator/mode: the current modes."""
    return web.json_response(modes(request.app[SIMULATOR].settings))


async def set_mode(request: web.Request) -> web.Response:
    """POST /_simulator/mode with a JSON object of modes to change; answers the modes now."""
    settings = request.app[SIMULATOR].settings
    try:
        payload = await request.json()
    except ValueError:
        payload = None
    problem = apply_modes(settings, payload)
    if problem is not None:
        return web.json_response({"error": problem}, status=400)
    return web.json_response(modes(settings))


def _number(value: object) -> bool:
    return type(value) in (int, float)


def _fraction(value: object) -> float | None:
    return float(value) if _number(value) and 0 <= value <= 1 else None  # type: ignore[operator]
