"""Idempotency-Key on POST: a repeat within 24 hours gets the first answer, and nothing is made twice."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from schoolbell import timeutil
from schoolbell.api.auth import current_key
from schoolbell.api.models import IdempotencyRecord
from schoolbell.api.problems import ApiProblem
from schoolbell.extensions import db

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
REPLAYED = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "SchoolBell-Test-Mode")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string,
                 request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _find(key_id: int, value: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.api_key_id == key_id, IdempotencyRecord.idempotency_key == value))


def begin() -> Response | None:
    """Before a POST: replay a finished answer, refuse a different request under the same key, or
    hold the key for this request."""
    value = request.headers.get(HEADER)
    if request.method != "POST" or value is None:
        return None
    if not value.strip() or len(value) > 255 or not value.isprintable():
        raise ApiProblem(422, "Idempotency-Key must be 1 to 255 printable characters",
                         [{"field": f"header.{HEADER}", "message": "1 to 255 printable characters"}])
    key = current_key()
    now = timeutil.utcnow()
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.api_key_id == key.id,
                                                        IdempotencyRecord.created_at < now - KEPT_FOR))
    fingerprint = _fingerprint()
    record = IdempotencyRecord(api_key_id=key.id, idempotency_key=value, method=request.method,
                               path=request.path[:300], request_hash=fingerprint)
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = _find(key.id, value)
        if earlier is None:  # it expired in between: treat as new
            return begin()
        return _replay(earlier, fingerprint)
    g.idempotency_record_id = record.id
    return None


def _replay(earlier: IdempotencyRecord, fingerprint: str) -> Response:
    if earlier.request_hash != fingerprint:
        raise ApiProblem(422, "this Idempotency-Key was used for a different request in the last 24 hours",
                         [{"field": f"header.{HEADER}",
                           "message": f"first used for {earlier.method} {earlier.path} with another body"}])
    if earlier.status_code is None:
        g.retry_after = "1"
        raise ApiProblem(409, "the first request with this Idempotency-Key is still being answered; "
                              "try again in a moment", headers={"Retry-After": "1"})
    response = Response(earlier.response_body, status=earlier.status_code)
    for name, header_value in (earlier.response_headers or {}).items():
        response.headers[name] = header_value
    response.headers[REPLAYED] = "true"
    return response


def finish(response: Response) -> Response:
    """After the first answer: keep it for replays; a server error frees the key to try again."""
    record_id = g.pop("idempotency_record_id", None)
    if record_id is None:
        return response
    db.session.rollback()  # whatever the view left open is not ours to commit
    record = db.session.get(IdempotencyRecord, record_id)
    if record is None:
        return response
    if response.status_code >= 500 or response.status_code == 429:
        db.session.delete(record)
    else:
        record.status_code = response.status_code
        record.response_body = response.get_data(as_text=True)
        record.response_headers = {name: response.headers[name] for name in KEPT_HEADERS
                                   if name in response.headers}
    db.session.commit()
    return response
