"""Every read model this service maintains, by name."""

from __future__ import annotations

from projections.audit import AuditTrail
from projections.documents import DocumentsModel
from projections.projects import ProjectsModel
from projections.read_model import ReadModel
from projections.register import RegisterModel, register_model
from service.domain import catalogue


def registers() -> dict[str, type[RegisterModel]]:
    """Each declared register's read model, by register name."""
    return {cls.register_kind.name: register_model(cls) for cls in catalogue.entries()}


def models() -> tuple[type[ReadModel], ...]:
    """Every read model, registers included."""
    return (ProjectsModel, *registers().values(), DocumentsModel, AuditTrail)


def by_name() -> dict[str, type[ReadModel]]:
    """Every read model by name."""
    return {m.name: m for m in models()}
