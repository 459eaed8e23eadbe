"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.context import services
from usecases.operations import readiness

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The event store answers; reports each read model's lag behind it."""
    try:
        ready = readiness(services())
    except Exception as error:
        return jsonify(status="unavailable", detail=type(error).__name__), 503
    return jsonify(
        status="ok", position=ready.position, read_models=ready.read_models
    ), 200
