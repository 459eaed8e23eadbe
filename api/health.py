"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from api.bootstrap import Services

blueprint = Blueprint("health", __name__)


def services() -> Services:
    """The services of the running application."""
    value: Services = current_app.config["PMO_SERVICES"]
    return value


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The event store answers."""
    try:
        position = services().ledger.head_position()
    except Exception as error:
        return jsonify(status="unavailable", detail=type(error).__name__), 503
    return jsonify(status="ok", position=position), 200
