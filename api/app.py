"""The Flask application: the HTTP API, its documents and the web UI."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from service.config import Settings
from usecases.root import Services, build_services

API_TITLE = "pmo-ledger"


class PmoApi(Api):
    """flask-smorest's Api, documenting every error as application/problem+json."""

    def _register_responses(self) -> None:
        self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/problem+json"
        super()._register_responses()
        del self.DEFAULT_RESPONSE_CONTENT_TYPE


def build_app(
    settings: Settings | None = None, services: Services | None = None
) -> Flask:
    """Build the Flask application from settings (or ready-made services)."""
    from api import auth, errors, headers, health, idempotency, oidc, paths
    from api.resources import blueprints, operations
    from api.schemas.base import ProblemSchema
    from api.throttle import Throttle

    settings = settings or (services.settings if services else Settings.from_env())
    services = services or build_services(settings)
    app = Flask(__name__)
    app.config.update(
        PMO_SERVICES=services,
        MAX_CONTENT_LENGTH=None,
        API_TITLE=API_TITLE,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
    )
    operations.init_app(app)
    headers.init_app(app)
    api = PmoApi(
        spec_kwargs={
            "info": {"description": "The PMO's tamper-evident system of record."}
        }
    )
    api.ERROR_SCHEMA = ProblemSchema
    api.init_app(app)
    paths.init_app(app, api)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    errors.init_app(app)
    throttle = Throttle(
        services.views_engine,
        settings.auth_failures_per_address,
        settings.auth_failures_per_prefix,
    )
    oidc.init_app(app, services)
    auth.init_app(app, throttle)
    app.before_request(operations.check_body)
    app.before_request(operations.check_query)
    idempotency.init_app(app, services)
    app.register_blueprint(health.blueprint)
    for blueprint in blueprints():
        api.register_blueprint(blueprint)
    from api import ui

    ui.mount(app, services, throttle)
    return app
