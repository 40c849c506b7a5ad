"""GET …/Messages.json (filtered, paged, newest first) and GET …/Messages/{Sid}.json."""

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from schoolbell import timeutil
from schoolbell.simulator.datefilter import DateBound, on, on_or_after, on_or_before, parse_bound
from schoolbell.simulator.resources import API_VERSION, error_response
from schoolbell.simulator.state import SIMULATOR, Simulator
from schoolbell.simulator.store import StoredMessage

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# Page tokens name the message a page continues after ("PA") or ends before ("PB").
_AFTER, _BEFORE = "PA", "PB"
_DATE_KEYS = {"DateSent": on, "DateSent<": on_or_before, "DateSent>": on_or_after}

Check = Callable[[datetime, DateBound], bool]


async def list_messages(request: web.Request) -> web.Response:
    """The account's messages matching To, From and DateSent filters, one page of them."""
    simulator = request.app[SIMULATOR]
    refused = _refuse(request, simulator)
    if refused is not None:
        return refused
    query = request.query
    filters = {key: query[key] for key in ("To", "From") if query.get(key)}
    dates: list[tuple[Check, DateBound]] = []
    for key, value in _date_params(query):
        check, text = _DATE_KEYS[key], value
        if key == "DateSent" and value[:2] in ("<=", ">="):  # the old `DateSent=>=YYYY-MM-DD`
            check, text = _DATE_KEYS["DateSent" + value[0]], value[2:]
        bound = parse_bound(text)
        if bound is None:
            return error_response(400, 20001, f"Invalid value for {key}: {value}")
        filters[key] = value
        dates.append((check, bound))
    try:
        page_size = min(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
        page = int(query.get("Page", 0))
    except ValueError:
        return error_response(400, 20001, "PageSize and Page must be integers")
    if page_size < 1 or page < 0:
        return error_response(400, 20001, "PageSize must be at least 1 and Page at least 0")

    now = timeutil.utcnow()
    matching = [
        message for message in simulator.store.newest_first()
        if _matches(message, filters, dates, now)
    ]
    token = query.get("PageToken", "")
    window = _window(matching, token, page, page_size)
    if window is None:
        return error_response(400, 20001, f"Invalid PageToken {token}")
    start, items = window
    path = f"/{API_VERSION}/Accounts/{simulator.settings.account_sid}/Messages.json"

    def uri(number: int, page_token: str | None = None) -> str:
        params = [*filters.items(), ("PageSize", page_size), ("Page", number)]
        if page_token:
            params.append(("PageToken", page_token))
        return f"{path}?{urlencode(params)}"

    more_after = start + len(items) < len(matching)
    return web.json_response({
        "end": max(page * page_size + len(items) - 1, 0),
        "first_page_uri": uri(0),
        "messages": [message.resource(now) for message in items],
        "next_page_uri": uri(page + 1, _AFTER + items[-1].sid) if items and more_after else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": (
            uri(page - 1, _BEFORE + items[0].sid) if items and start > 0 and page > 0 else None
        ),
        "start": page * page_size,
        "uri": uri(page, token or None),
    })


async def fetch_message(request: web.Request) -> web.Response:
    """One message by SID, as it reads now."""
    simulator = request.app[SIMULATOR]
    refused = _refuse(request, simulator)
    if refused is not None:
        return refused
    message = simulator.store.get(request.match_info["sid"])
    if message is None or message.account_sid != simulator.settings.account_sid:
        return error_response(404, 20404, f"The requested resource {request.path} was not found")
    return web.json_response(message.resource(timeutil.utcnow()))


def _refuse(request: web.Request, simulator: Simulator) -> web.Response | None:
    if not simulator.authorized(request.headers.get("Authorization")):
        return error_response(
            401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'}
        )
    if request.match_info["account_sid"] != simulator.settings.account_sid:
        return error_response(404, 20404, f"The requested resource {request.path} was not found")
    return None


def _date_params(query) -> list[tuple[str, str]]:
    # A client writing `DateSent<=X` unencoded sends the key "DateSent<" too.
    return [(key, value) for key, value in query.items() if key in _DATE_KEYS and value]


def _matches(
    message: StoredMessage,
    filters: dict[str, str],
    dates: list[tuple[Check, DateBound]],
    now: datetime,
) -> bool:
    if "To" in filters and message.to != filters["To"]:
        return False
    if "From" in filters and message.sender != filters["From"]:
        return False
    if not dates:
        return True
    sent = message.date_sent(now)
    return sent is not None and all(check(sent, bound) for check, bound in dates)


def _window(
    matching: list[StoredMessage], token: str, page: int, page_size: int
) -> tuple[int, list[StoredMessage]] | None:
    """Where the page starts in `matching` and its messages; None for an unknown token."""
    if not token:
        start = page * page_size
        return start, matching[start:start + page_size]
    sids = [message.sid for message in matching]
    sid = token[2:]
    if token[:2] not in (_AFTER, _BEFORE) or sid not in sids:
        return None
    position = sids.index(sid)
    if token[:2] == _AFTER:
        return position + 1, matching[position + 1:position + 1 + page_size]
    start = max(position - page_size, 0)
    return start, matching[start:position]
