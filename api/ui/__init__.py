"""The web UI: server-rendered pages under /ui, signed in with a session cookie.

The UI is its own small Flask application mounted beside the JSON API, so its
cookie sessions, CSRF checks, HTML error pages and security headers never mix
with the API's bearer tokens and problem+json answers.
"""

from __future__ import annotations

import logging

from flask import Flask, redirect, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from api import paths
from api.errors import ApiError, status_for
from api.idempotency import Keys
from api.throttle import Throttle
from api.ui import (  # noqa: F401  (each module adds its routes to the blueprint)
    access,
    audit,
    control,
    custody,
    custody_forms,
    dashboard,
    forms,
    highlight,
    imports,
    integrity,
    library,
    portfolio,
    portfolio_registers,
    privacy,
    project,
    project_forms,
    quality_policy,
    records,
    registers,
    registration,
    session,
    subscriptions,
    tokens,
    value,
)
from api.ui.common import blueprint, page
from api.ui.filters import register_filters
from usecases.root import Services

__all__ = ["blueprint", "create_ui", "mount"]

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ERROR_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found"}
log = logging.getLogger("pmo_ledger.ui")


def create_ui(services: Services, throttle: Throttle) -> Flask:
    """The UI application over the same services (and throttle) as the API."""
    app = Flask(__name__, static_folder=None)
    app.config.update(PMO_SERVICES=services, MAX_CONTENT_LENGTH=64 * 1024)
    session.init_app(app, services, throttle)
    app.extensions[forms.KEYS] = Keys(services.views_engine, services.app)
    app.jinja_env.globals["form_key"] = forms.new_key
    register_filters(app)
    paths.init_app(app)
    app.register_blueprint(blueprint)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ApiError, lambda e: _error_page(e.status, e.detail))
    app.register_error_handler(Exception, _error)
    return app


def mount(app: Flask, services: Services, throttle: Throttle) -> None:
    """Serve the UI under /ui of the API application (and send / there)."""
    ui = create_ui(services, throttle)
    app.add_url_rule("/", "home", lambda: redirect("/ui/"))
    app.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {"/ui": ui.wsgi_app}
    )


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "ui.static":
        headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    if status >= 500:
        return _error(error)
    return _error_page(status, error.description or "")


def _error(error: Exception) -> tuple[str, int]:
    status = status_for(error)
    if status is None:
        log.error("unexpected error in the UI", exc_info=error)
        return _error_page(500, "an unexpected error occurred; it has been logged")
    return _error_page(status, str(error))


def _error_page(status: int, detail: str) -> tuple[str, int]:
    title = ERROR_TITLES.get(status, "Something went wrong")
    return page("error.html", status=status, title=title, detail=detail), status
