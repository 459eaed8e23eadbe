"""A project: its details, stage and highlight reports; and the index of its code.

A closed project refuses every command except ``reopen``, which only the PMO
head may give. ``ProjectCode`` is a separate aggregate whose id is derived from
the code, so a second project with the same code collides on save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_choice,
    check_date,
    check_optional_text,
    check_text,
    require_role,
)

STATUSES: Final = ("open", "closed")
RAG_DIMENSIONS: Final = ("time", "cost", "scope", "quality", "benefits", "risk")
RAG_COLOURS: Final = ("red", "amber", "green")
PROJECT_CODE_NAMESPACE: Final = UUID("5d0f7c1e-3a52-4b8e-9f0a-6c2d41e8b7a3")
_CODE = re.compile(r"[A-Z0-9-]{2,20}")
_PERCENT = re.compile(r"\d{1,3}(\.\d{1,2})?")


@dataclass(frozen=True)
class StatusReport:
    """One highlight report: the period it covers and what it says."""

    period_start: date
    period_end: date
    rag: dict[str, str]
    summary: str
    work_done: str
    work_next: str
    tolerance_status: str
    lessons: str


def normalise_code(code: str) -> str:
    """Return the upper-cased code, refusing one outside 2-20 of [A-Z0-9-]."""
    if not isinstance(code, str) or not _CODE.fullmatch(code.upper()):
        raise InvalidValueError("code", "must be 2-20 characters of A-Z, 0-9 or -")
    return code.upper()


def check_rag(rag: dict[str, str]) -> None:
    """Refuse a RAG that does not rate exactly the six dimensions red/amber/green."""
    if not isinstance(rag, dict) or set(rag) != set(RAG_DIMENSIONS):
        raise InvalidValueError("rag", f"must rate exactly {', '.join(RAG_DIMENSIONS)}")
    for dimension, colour in rag.items():
        check_choice(f"rag.{dimension}", colour, RAG_COLOURS)


def check_percent(field: str, value: str) -> None:
    """Refuse anything but a decimal percentage from 0 to 100 ("7.5")."""
    if (
        not isinstance(value, str)
        or not _PERCENT.fullmatch(value)
        or Decimal(value) > 100
    ):
        raise InvalidValueError(field, "must be a percentage from 0 to 100, like 7.5")


def _check_details(name: str, description: str, sponsor: str, manager: str) -> None:
    check_text("name", name, max_length=200)
    check_optional_text("description", description)
    check_text("sponsor", sponsor, max_length=200)
    check_text("manager", manager, max_length=200)


class Project(Aggregate):
    """A project in the PMO's portfolio."""

    @event("Registered")
    def __init__(
        self,
        code: str,
        name: str,
        description: str,
        sponsor: str,
        manager: str,
        meta: Meta,
    ) -> None:
        self.code = code
        self.name = name
        self.description = description
        self.sponsor = sponsor
        self.manager = manager
        self.stage = ""
        self.status = "open"
        self.last_report: StatusReport | None = None
        self.previous_rag: dict[str, str] | None = None

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        description: str,
        sponsor: str,
        manager: str,
        meta: Meta,
    ) -> Project:
        """Validate and register a new project (the code is upper-cased)."""
        code = normalise_code(code)
        _check_details(name, description, sponsor, manager)
        return cls(code, name, description, sponsor, manager, meta)

    def check_open(self, action: str) -> None:
        """Refuse the action when the project is closed."""
        if self.status != "open":
            raise TransitionError("project", action, self.status)

    def change_details(
        self, name: str, description: str, sponsor: str, manager: str, meta: Meta
    ) -> None:
        """Replace the name, description, sponsor and manager."""
        self.check_open("change the details of")
        _check_details(name, description, sponsor, manager)
        self._change_details(name, description, sponsor, manager, meta)

    @event("DetailsChanged")
    def _change_details(
        self, name: str, description: str, sponsor: str, manager: str, meta: Meta
    ) -> None:
        self.name = name
        self.description = description
        self.sponsor = sponsor
        self.manager = manager

    def change_stage(self, stage: str, meta: Meta) -> None:
        """Move the project into a named stage."""
        self.check_open("change the stage of")
        check_text("stage", stage, max_length=200)
        self._change_stage(stage, meta)

    @event("StageChanged")
    def _change_stage(self, stage: str, meta: Meta) -> None:
        self.stage = stage

    def report_status(
        self,
        period_start: date,
        period_end: date,
        rag: dict[str, str],
        summary: str,
        work_done: str,
        work_next: str,
        tolerance_status: str,
        lessons: str,
        meta: Meta,
    ) -> None:
        """Record a highlight report for a period."""
        self.check_open("report the status of")
        check_date("period_start", period_start)
        check_date("period_end", period_end)
        if period_end < period_start:
            raise InvalidValueError("period_end", "must not be before period_start")
        check_rag(rag)
        check_text("summary", summary)
        check_optional_text("work_done", work_done)
        check_optional_text("work_next", work_next)
        check_text("tolerance_status", tolerance_status, max_length=200)
        check_optional_text("lessons", lessons)
        self._report_status(
            period_start,
            period_end,
            dict(rag),
            summary,
            work_done,
            work_next,
            tolerance_status,
            lessons,
            meta,
        )

    @event("StatusReported")
    def _report_status(
        self,
        period_start: date,
        period_end: date,
        rag: dict[str, str],
        summary: str,
        work_done: str,
        work_next: str,
        tolerance_status: str,
        lessons: str,
        meta: Meta,
    ) -> None:
        if self.last_report is not None:
            self.previous_rag = self.last_report.rag
        self.last_report = StatusReport(
            period_start,
            period_end,
            dict(rag),
            summary,
            work_done,
            work_next,
            tolerance_status,
            lessons,
        )

    def close(self, meta: Meta) -> None:
        """Close the project."""
        self.check_open("close")
        self._close(meta)

    @event("Closed")
    def _close(self, meta: Meta) -> None:
        self.status = "closed"

    def reopen(self, meta: Meta) -> None:
        """Reopen a closed project (PMO head only)."""
        require_role(meta, "reopen a project", ("pmo-head",))
        if self.status != "closed":
            raise TransitionError("project", "reopen", self.status)
        self._reopen(meta)

    @event("Reopened")
    def _reopen(self, meta: Meta) -> None:
        self.status = "open"

    def set_cost_tolerance(self, percent: str, meta: Meta) -> None:
        """Set how far (percent of budget) the forecast may pass the budget."""
        self.check_open("set the cost tolerance of")
        check_percent("percent", percent)
        self._set_cost_tolerance(percent, meta)

    @event("CostToleranceSet")
    def _set_cost_tolerance(self, percent: str, meta: Meta) -> None:
        self.cost_tolerance = percent


class ProjectCode(Aggregate):
    """Reserves a project code; its id is derived from the code."""

    @staticmethod
    def create_id(code: str) -> UUID:
        """Return the id that the code's reservation always has."""
        return uuid5(PROJECT_CODE_NAMESPACE, "project-code:" + code.upper())

    @event("Reserved")
    def __init__(self, code: str, project_id: UUID, meta: Meta) -> None:
        self.code = code.upper()
        self.project_id = project_id
        self.status = "reserved"
