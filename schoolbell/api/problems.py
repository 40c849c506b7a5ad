"""Errors as RFC 9457 problem details (application/problem+json), with the fields at fault named."""

from __future__ import annotations

from flask import Response, g, json
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"
# Where each problem's kind is explained (the documentation's anchor per status).
TYPE_BASE = "/api/docs#problem-"


class FieldError(Schema):
    """One field at fault: where it is and what is wrong with it."""

    field = fields.String(required=True, metadata={"description": "e.g. body.title_ko or query.cursor"})
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """An RFC 9457 problem: type, title, status, detail, and the fields at fault."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldError))
    test_mode = fields.Boolean(metadata={"description": "present and true when a test key was used"})


class ApiProblem(Exception):
    """An error a view raises to answer with a problem."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None, title: str | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.title = status, detail, errors or [], title
        self.headers = headers or {}


def problem_response(status: int, detail: str = "", errors: list[dict] | None = None,
                     title: str | None = None, headers: dict | None = None) -> Response:
    """A problem+json response."""
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = {"type": f"{TYPE_BASE}{status}", "title": title or phrase, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages, prefix: str = "") -> list[dict]:
    """Flatten marshmallow/webargs messages ({"json": {"title": ["…"]}}) into [{field, message}]."""
    found: list[dict] = []
    if isinstance(messages, dict):
        for name, inner in messages.items():
            location = {"json": "body", "querystring": "query", "headers": "header"}.get(str(name), str(name))
            found += field_errors(inner, f"{prefix}.{location}" if prefix else location)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, dict | list):
                found += field_errors(item, prefix)
            else:
                found.append({"field": prefix or "body", "message": str(item)})
    else:
        found.append({"field": prefix or "body", "message": str(messages)})
    return found


def handle_http_exception(error: HTTPException) -> Response:
    """Any HTTP error inside the API as a problem; webargs' 422 carries its field messages."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = field_errors(data["messages"]) if "messages" in data else None
    detail = "the request has invalid fields" if errors else (error.description or "")
    headers = dict(error.get_headers()) if code in (405, 429) else {}
    headers.pop("Content-Type", None)
    if code == 429:
        headers.update(getattr(g, "rate_limit_headers", {}))
    return problem_response(code, detail, errors, headers=headers)


def handle_api_problem(error: ApiProblem) -> Response:
    """A problem a view raised on purpose."""
    return problem_response(error.status, error.detail, error.errors, error.title, error.headers)


def handle_unexpected(error: Exception) -> Response:
    """Never a stack trace or an HTML page: a 500 problem (the error itself is logged by Flask)."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    return problem_response(500, "something went wrong on our side; the request was not completed")
