"""Security headers on every response of the API application, /docs included.

The UI under /ui is its own application and sets its own (api/ui/__init__.py).
"""

from __future__ import annotations

from flask import Flask, Response, request

API_CSP = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'; sandbox"
)
"""JSON and document content: nothing may load, run, frame or submit.

`sandbox` matters for document content served as its recorded media type: an
HTML or SVG version opened in the browser runs no script with our origin.
"""

SWAGGER_STYLE = "sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w="
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; "
    f"style-src 'self' '{SWAGGER_STYLE}'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
"""Swagger UI: its own scripts and styles from the package, the spec from us.

The bundle inserts one fixed <style> element; its hash allows that one only.
"""

DOCS_ENDPOINTS = frozenset({"swagger.docs", "static"})


def secure(response: Response) -> Response:
    """Add the headers every answer carries (a view's own CSP is kept)."""
    headers = response.headers
    docs = request.endpoint in DOCS_ENDPOINTS
    headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else API_CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, error pages and 404s included."""
    app.after_request(secure)
