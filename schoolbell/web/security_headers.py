"""Security headers on every response: no inline script, no framing, no sniffing, no leaked tokens."""

from __future__ import annotations

from flask import Flask, Response, request

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


def init_app(app: Flask) -> None:
    """Add the headers to every response of the app."""
    app.after_request(add_security_headers)
