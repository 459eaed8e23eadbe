"""The /api/v1 resources: one flask-smorest Blueprint each, registered by create_app."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.resources import (
    audit,
    content,
    control,
    custody,
    dispositions,
    documents,
    ledger,
    library,
    memberships,
    planning,
    portfolio,
    privacy,
    projects,
    records,
    register_exports,
    reports,
    stream,
    subscriptions,
    tokens,
    value,
)
from api.resources.registers import register_blueprint
from service.domain import catalogue


def blueprints() -> list[Blueprint]:
    """Every resource's blueprint, a declared register's each built from it."""
    return [
        projects.blp,
        *(register_blueprint(cls) for cls in catalogue.entries()),
        documents.blp,
        content.blp,
        tokens.blp,
        privacy.blp,
        memberships.blp,
        custody.blp,
        ledger.blp,
        audit.blp,
        register_exports.export_blueprint(),
        planning.blp,
        value.blp,
        reports.blp,
        subscriptions.blp,
        stream.blp,
        control.blp,
        portfolio.blp,
        library.blp,
        records.blp,
        dispositions.blp,
    ]
