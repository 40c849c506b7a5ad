"""Security headers on every response (no inline script, framing, sniffing or leaked tokens); no NULs in."""

from __future__ import annotations

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'")
# Pages opened from a personal link carry its token in their URL: never send it on to another site.
PERSONAL_PREFIXES = ("/m/", "/unsubscribe", "/lessons", "/preferences")
PRIVATE_PREFIXES = ("/console", "/login", *PERSONAL_PREFIXES)
HSTS = "max-age=31536000; includeSubDomains"


def is_personal(path: str) -> bool:
    """A page reached through a recipient's signed link (its URL holds the token)."""
    if path.startswith("/lessons"):
        return "t" in request.args
    return path.startswith(PERSONAL_PREFIXES)


def add_security_headers(response: Response) -> Response:
    """Set the headers every page gets; personal and console pages are never cached or referred."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"  # for browsers that ignore frame-ancestors
    headers["Referrer-Policy"] = "no-referrer" if is_personal(request.path) else "same-origin"
    if request.path.startswith(PRIVATE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def refuse_nul_bytes():
    """400 for a request carrying a NUL character anywhere: no text of ours holds one, and
    PostgreSQL refuses to store it (a 500 otherwise)."""
    values = [request.path, *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded",
                                                         "multipart/form-data"):
        values += [value for _name, value in request.form.items(multi=True)]
    if any("\x00" in value for value in values):
        abort(400, description="a request value holds a NUL character")


def init_app(app: Flask) -> None:
    """Add the headers to every response of the app, and turn away NUL bytes before any view."""
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
