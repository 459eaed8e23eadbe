"""The /api/v1 resources: one flask-smorest Blueprint each, registered by create_app."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.resources import (
    audit,
    changes,
    content,
    custody,
    decisions,
    documents,
    issues,
    ledger,
    projects,
    register_exports,
    risks,
    tokens,
)

BLUEPRINTS: list[Blueprint] = [
    projects.blp,
    risks.blp,
    issues.blp,
    changes.blp,
    decisions.blp,
    documents.blp,
    content.blp,
    tokens.blp,
    custody.blp,
    ledger.blp,
    audit.blp,
    register_exports.blp,
]
