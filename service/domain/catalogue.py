"""The register catalogue: every declared register kind, by name.

The built-in registers are imported here so that they are declared; a new
register is one more module declaring its kind (and its name in the import
here): the application snapshots it and every adapter serves it from then on.
"""

from __future__ import annotations

from service.domain import (
    action,
    baseline,
    benefit,
    budget,
    change,
    contract,
    course,
    decision,
    dependency,
    issue,
    lesson,
    link,
    milestone,
    quality,
    resource,
    risk,
    stakeholder,
)
from service.domain.entry import DECLARED, RegisterEntry
from service.domain.register import RegisterKind

BUILT_IN = (risk.Risk, issue.Issue, change.ChangeRequest, decision.Decision)
PLANNING = (milestone.Milestone, baseline.Baseline, dependency.Dependency)
VALUE = (benefit.Benefit, budget.BudgetLine, resource.ResourceDemand, resource.Capacity)
"""The registers of benefits, finance and resources (issue 14)."""
CONTROL = (
    quality.QualityReview,
    stakeholder.Stakeholder,
    stakeholder.Communication,
    stakeholder.CommunicationSent,
    lesson.Lesson,
    action.Action,
    action.DiaryEntry,
    contract.Contract,
    link.Link,
)
"""Quality, stakeholders and communications, lessons, actions, the daily log,
contracts and the links between entries (issue 15)."""
OFFICE = (course.TrainingCourse,)
"""The office's own registers (issue 16)."""


def entries() -> tuple[type[RegisterEntry], ...]:
    """Every declared register's aggregate class: the built-in ones first."""
    known = (*BUILT_IN, *PLANNING, *VALUE, *CONTROL, *OFFICE)
    others = (cls for cls in DECLARED.values() if cls not in known)
    return (*known, *others)


def kinds() -> tuple[RegisterKind, ...]:
    """Every declared register kind."""
    return tuple(cls.register_kind for cls in entries())


def project_kinds() -> tuple[RegisterKind, ...]:
    """The declared register kinds whose entries belong to a project."""
    return tuple(kind for kind in kinds() if not kind.portfolio)


def portfolio_kinds() -> tuple[RegisterKind, ...]:
    """The declared register kinds whose entries belong to the whole portfolio."""
    return tuple(kind for kind in kinds() if kind.portfolio)


def entry_class_of(name: str) -> type[RegisterEntry]:
    """The aggregate class of a register by its name (KeyError if undeclared)."""
    return DECLARED[name]


def declare(cls: type[RegisterEntry]) -> None:
    """Declare (again) a register's aggregate class made by `entry_class`."""
    DECLARED[cls.register_kind.name] = cls


def forget(name: str) -> None:
    """Remove a declared register (a test's own throwaway kind)."""
    DECLARED.pop(name, None)


def entry_class_for(use_case: str) -> type[RegisterEntry]:
    """The aggregate class of the register a command belongs to."""
    for cls in entries():
        kind = cls.register_kind
        if any(c.use_case == use_case for c in (kind.create, *kind.commands)):
            return cls
    raise KeyError(use_case)
