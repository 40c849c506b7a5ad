"""Locale choice for pages: an explicit ?lang=, then the cookie, then the browser's languages."""

from flask import request

SUPPORTED_LANGUAGES = ("ko", "en")


def select_locale() -> str:
    """Pick ko or en for the current request."""
    if not request:
        return SUPPORTED_LANGUAGES[0]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or SUPPORTED_LANGUAGES[0]
