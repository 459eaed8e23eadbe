"""HTTP API and web UI for pmo-ledger."""

from __future__ import annotations

from flask import Flask

from api.bootstrap import Services, build_services
from service.config import Settings


def create_app(
    settings: Settings | None = None, services: Services | None = None
) -> Flask:
    """Build the Flask application from settings (or ready-made services)."""
    from api import health

    settings = settings or (services.settings if services else Settings.from_env())
    services = services or build_services(settings)
    app = Flask(__name__)
    app.config["PMO_SERVICES"] = services
    app.config["MAX_CONTENT_LENGTH"] = None
    app.register_blueprint(health.blueprint)
    return app
