"""The API's frame: flask-smorest answering in problem+json, and what every API blueprint shares
(the Bearer key, Idempotency-Key, the per-key rate limit with RateLimit-* headers, the test-mode mark)."""

from __future__ import annotations

import http
import math

from flask import Response, g, json, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from schoolbell import timeutil
from schoolbell.api import idempotency
from schoolbell.api.auth import TEST_HEADER, authenticate, is_test, rate_limit, rate_limit_key
from schoolbell.api.problems import (
    PROBLEM_TYPE,
    ApiProblem,
    ProblemSchema,
    handle_api_problem,
    handle_http_exception,
    handle_unexpected,
    problem_response,
)
from schoolbell.extensions import limiter

API_PREFIX = "/api/"


class ProblemApi(Api):
    """flask-smorest whose documented errors are problem+json and whose handlers stay inside /api."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Errors are handled per API blueprint (see api_blueprint), never for the console's pages."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as application/problem+json", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str,
                  public: bool = False) -> Blueprint:
    """A blueprint of /api/v1 with authentication, idempotency, rate limit and problem errors."""
    blp = Blueprint(name, import_name, url_prefix=url_prefix, description=description)
    if not public:
        blp.before_request(authenticate)
        blp.before_request(idempotency.begin)
        blp.after_request(idempotency.finish)
    blp.after_request(mark_response)
    blp.register_error_handler(ApiProblem, handle_api_problem)
    blp.register_error_handler(HTTPException, handle_http_exception)
    blp.register_error_handler(Exception, handle_unexpected)
    limiter.shared_limit(rate_limit, scope="api-v1", key_func=rate_limit_key)(blp)
    return blp


def rate_limit_headers() -> dict:
    """RateLimit-Limit/Remaining/Reset/Policy of the request's bucket (IETF draft names)."""
    current = limiter.current_limit
    if current is None:
        return {}
    reset = max(0, math.ceil(current.reset_at - timeutil.utcnow().timestamp()))
    seconds = current.limit.get_expiry()
    return {"RateLimit-Limit": str(current.limit.amount),
            "RateLimit-Remaining": str(max(0, current.remaining)),
            "RateLimit-Reset": str(reset), "RateLimit-Policy": f"{current.limit.amount};w={seconds}"}


def mark_response(response: Response) -> Response:
    """Every API answer: rate-limit headers, Retry-After on 429, and the test-mode mark."""
    headers = rate_limit_headers()
    for name, value in headers.items():
        response.headers[name] = value
    if response.status_code == 429:
        response.headers["Retry-After"] = headers.get("RateLimit-Reset", "60") or "1"
    response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")
    if is_test():
        response.headers[TEST_HEADER] = "true; nothing is sent with a test key"
        _mark_body(response)
    return response


def _mark_body(response: Response) -> None:
    if response.mimetype not in ("application/json", PROBLEM_TYPE) or response.direct_passthrough:
        return
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return
    if isinstance(body, dict) and "test_mode" not in body:
        body["test_mode"] = True
        response.set_data(json.dumps(body))


def convert_stray_errors(response: Response) -> Response:
    """An error under /api/ that no API view answered (no such path or method) as a problem."""
    if (request.path.startswith(API_PREFIX) and response.status_code >= 400
            and response.mimetype == "text/html"):
        converted = problem_response(response.status_code, _stray_detail(response.status_code))
        for name in ("Allow", "Retry-After"):
            if name in response.headers:
                converted.headers[name] = response.headers[name]
        for name, value in response.headers.items():
            if name.lower().startswith(("content-security", "x-", "referrer", "strict-", "ratelimit")):
                converted.headers[name] = value
        return converted
    return response


def settle_retry_after(response: Response) -> Response:
    """The last word on Retry-After under /api/ (registered to run after Flask-Limiter, which puts its
    window's reset on every answer): kept on 429 and 503, ours on a 409 that says "in a moment", and
    dropped elsewhere, where it would tell a client to wait for nothing."""
    if not request.path.startswith(API_PREFIX):
        return response
    ours = g.get("retry_after")
    if ours is not None:
        response.headers["Retry-After"] = ours
    elif response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def _stray_detail(code: int) -> str:
    return {404: "there is no such resource; see /api/openapi.json",
            405: "this resource does not take that method; see the Allow header"}.get(code, "")


def current_office_id() -> int:
    """The office of the calling key."""
    return g.api_key.office_id
