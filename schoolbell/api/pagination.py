"""Cursor pagination: a cursor holding the last id seen (hex); pages of at most 100."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schoolbell.api.problems import ApiProblem

MAX_PAGE = 100
# Row ids are 32-bit integers: a cursor beyond the largest is past the end (PostgreSQL would refuse
# to compare an integer column with it: a 500 schemathesis found on PostgreSQL only).
LARGEST_ID = 2**31 - 1
CURSOR_PATTERN = r"^[0-9a-f]{1,15}$"


class PageArgs(Schema):
    """The query of every list: where to start and how many."""

    # Every string the pattern allows is a cursor that works (a cursor past the end gives an empty page),
    # so a client written from the document cannot send a "valid" cursor that we refuse.
    cursor = fields.String(load_default=None, validate=validate.Regexp(CURSOR_PATTERN),
                           metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))


def encode_cursor(last_id: int) -> str:
    """The cursor after the row with this id."""
    return format(last_id, "x")


def decode_cursor(cursor: str | None) -> int:
    """The id the page starts after; 0 for the first page; a 422 problem for a cursor we did not make."""
    if not cursor:
        return 0
    try:
        number = int(cursor, 16)
        if number < 0 or len(cursor) > 15:
            raise ValueError
    except ValueError as error:
        raise ApiProblem(422, "the cursor is not one this API gave out",
                         [{"field": "query.cursor", "message": "use next_cursor from the previous page"}]
                         ) from error
    return min(number, LARGEST_ID)


def page(query, id_column, args: dict) -> tuple[list, str | None]:
    """Run a keyset-paged query ordered by id: (rows, next cursor or None)."""
    from schoolbell.extensions import db

    after = decode_cursor(args.get("cursor"))
    limit = args.get("limit") or 50
    rows = list(db.session.scalars(query.where(id_column > after).order_by(id_column).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].id) if more and rows else None
