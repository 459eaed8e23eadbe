"""The /api/v1 resources: one flask-smorest Blueprint each, registered by create_app."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.resources import (
    changes,
    content,
    decisions,
    documents,
    issues,
    projects,
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
]

from api.resources import custody  # noqa: E402

BLUEPRINTS.append(custody.blp)
