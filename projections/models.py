"""Every read model this service maintains, by name."""

from __future__ import annotations

from projections.audit import AuditTrail
from projections.changes import ChangeLog
from projections.decisions import DecisionLog
from projections.documents import DocumentsModel
from projections.issues import IssueRegister
from projections.projects import ProjectsModel
from projections.read_model import ReadModel
from projections.register import RegisterModel
from projections.risks import RiskRegister

MODELS: tuple[type[ReadModel], ...] = (
    ProjectsModel,
    RiskRegister,
    IssueRegister,
    ChangeLog,
    DecisionLog,
    DocumentsModel,
    AuditTrail,
)
BY_NAME: dict[str, type[ReadModel]] = {m.name: m for m in MODELS}
REGISTERS: dict[str, type[RegisterModel]] = {
    m.name: m for m in (RiskRegister, IssueRegister, ChangeLog, DecisionLog)
}
