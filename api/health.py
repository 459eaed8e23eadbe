"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from usecases.root import Services

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
    """The event store answers; reports each read model's lag behind it."""
    try:
        position = services().ledger.head_position()
        views = getattr(services(), "views", None)
        read_models = views.status() if views is not None else []
    except Exception as error:
        return jsonify(status="unavailable", detail=type(error).__name__), 503
    lag = [
        {"name": row["name"], "lag": row["lag"], "state": row["state"]}
        for row in read_models
    ]
    return jsonify(status="ok", position=position, read_models=lag), 200
