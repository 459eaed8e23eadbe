"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, jsonify

from api.context import services
from service.errors import StoreUnavailableError
from usecases.integrity import signing_status
from usecases.operations import readiness

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The event store answers; reports read-model lag and whether heads are signed.

    A paused signer (its HSM unreachable) leaves the service ready: writes
    go on and are signed when the key is back, so the status is "degraded"
    with the reason rather than a 503 that would take every host out of
    service for one shared HSM.
    """
    try:
        ready = readiness(services())
        signing = signing_status(services())
    except StoreUnavailableError as error:
        return jsonify(status="unavailable", detail=str(error)), 503
    except Exception as error:
        return jsonify(status="unavailable", detail=type(error).__name__), 503
    return jsonify(
        status="degraded" if signing.state == "paused" else "ok",
        position=ready.position,
        read_models=ready.read_models,
        signing=dataclasses.asdict(signing),
    ), 200
