"""The /api/v1 resources: one flask-smorest Blueprint each, registered by create_app."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.resources import (
    audit,
    content,
    custody,
    documents,
    ledger,
    projects,
    register_exports,
    tokens,
    value,
)
from api.resources.registers import register_blueprint
from service.domain import catalogue


def blueprints() -> list[Blueprint]:
    """Every resource's blueprint, a declared register's each built from it."""
    later = [cls for cls in catalogue.entries() if cls not in catalogue.BUILT_IN]
    return [
        projects.blp,
        *(register_blueprint(cls) for cls in catalogue.BUILT_IN),
        documents.blp,
        content.blp,
        tokens.blp,
        custody.blp,
        ledger.blp,
        audit.blp,
        register_exports.export_blueprint(),
        # Registers declared since 0.1 come last, so the OpenAPI tags 0.1
        # listed keep their order and the new ones follow them.
        *(register_blueprint(cls) for cls in later),
        value.blp,
    ]
