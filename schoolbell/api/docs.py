"""/api/docs: interactive documentation from vendored Swagger UI, no CDN and no inline script."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs_page", __name__)


@bp.route("/api/docs")
def docs_page():
    """The interactive documentation of /api/openapi.json."""
    return render_template("api/docs.html")
