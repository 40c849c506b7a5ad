"""Locale choice for pages: an explicit ?lang=, then the cookie, then the browser's languages."""

from flask import Response, request

SUPPORTED_LANGUAGES = ("ko", "en")
LANG_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def select_locale() -> str:
    """Pick ko or en for the current request."""
    if not request:
        return SUPPORTED_LANGUAGES[0]
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or SUPPORTED_LANGUAGES[0]


def remember_locale(response: Response) -> Response:
    """Keep an explicit ?lang= choice in a cookie, so the next page (or a redirect) keeps it too."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LANGUAGES and request.cookies.get("lang") != chosen:
        response.set_cookie("lang", chosen, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    response.vary.update(("Cookie", "Accept-Language"))
    return response
