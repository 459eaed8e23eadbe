"""A disposition review: a batch of records proposed for destruction or transfer.

proposed -> reviewed -> approved -> executing -> executed; a custodian or
the PMO head may reject it until its execution starts. The approver must be a
second person: neither who proposed nor who reviewed. Starting the execution
records the transfer package's digest (written before any record goes);
executing records the digest of the certificate written to the blob store.
An execution interrupted after it started is finished by executing again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_choice,
    check_sha256,
    check_text,
    require_role,
)
from service.domain.document import CUSTODY_ROLES

ACTIONS: Final = ("destroy", "transfer")
MAX_RECORDS: Final = 5_000


class DispositionReview(Aggregate):
    """The steps a batch of records goes through before it is disposed of."""

    started_by: str | None = None
    started_at: datetime | None = None
    """Who started the execution, and when (class defaults for old reviews)."""

    @event("Proposed")
    def __init__(
        self,
        action: str,
        document_ids: list[str],
        note: str,
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        self.action = action
        self.document_ids = list(document_ids)
        self.note = note
        self.proposed_by = meta.actor
        self.proposed_at = timestamp
        self.reviewed_by: str | None = None
        self.reviewed_at: datetime | None = None
        self.approved_by: str | None = None
        self.approved_at: datetime | None = None
        self.executed_by: str | None = None
        self.executed_at: datetime | None = None
        self.certificate_sha256: str | None = None
        self.package_sha256: str | None = None
        self.status = "proposed"

    @classmethod
    def propose(
        cls, action: str, document_ids: list[UUID], note: str, meta: Meta
    ) -> DispositionReview:
        """Propose records (each once) for one action."""
        require_role(meta, "propose a disposition", CUSTODY_ROLES)
        check_choice("action", action, ACTIONS)
        check_text("note", note)
        ids = sorted({str(d) for d in document_ids})
        if not ids:
            raise InvalidValueError("document_ids", "propose at least one record")
        if len(ids) > MAX_RECORDS:
            raise InvalidValueError("document_ids", f"at most {MAX_RECORDS} records")
        return cls(action, ids, note, meta)

    def _check(self, action: str, *allowed: str) -> None:
        if self.status not in allowed:
            raise TransitionError("disposition review", action, self.status)

    def review(self, meta: Meta) -> None:
        """Record that the proposal was reviewed (the reason: the outcome)."""
        require_role(meta, "review a disposition", CUSTODY_ROLES)
        self._check("review", "proposed")
        check_text("reason", meta.reason or "", max_length=2000)
        self._review(meta)

    @event("Reviewed")
    def _review(self, meta: Meta, timestamp: datetime | None = None) -> None:
        self.reviewed_by = meta.actor
        self.reviewed_at = timestamp
        self.status = "reviewed"

    def approve(self, meta: Meta) -> None:
        """Approve a reviewed proposal, as a person other than both before."""
        require_role(meta, "approve a disposition", CUSTODY_ROLES)
        self._check("approve", "reviewed")
        if meta.actor in (self.proposed_by, self.reviewed_by):
            raise TransitionError(
                "disposition review",
                "approve",
                f"proposed or reviewed by {meta.actor} (a second person approves)",
            )
        self._approve(meta)

    @event("Approved")
    def _approve(self, meta: Meta, timestamp: datetime | None = None) -> None:
        self.approved_by = meta.actor
        self.approved_at = timestamp
        self.status = "approved"

    def reject(self, meta: Meta) -> None:
        """Stop the review before execution; the reason is required."""
        require_role(meta, "reject a disposition", CUSTODY_ROLES)
        self._check("reject", "proposed", "reviewed", "approved")
        check_text("reason", meta.reason or "", max_length=2000)
        self._reject(meta)

    @event("Rejected")
    def _reject(self, meta: Meta) -> None:
        self.status = "rejected"

    def check_executable(self) -> None:
        """Refuse execution unless approved (or started and not finished)."""
        self._check("execute", "approved", "executing")

    def start(self, package_sha256: str | None, meta: Meta) -> None:
        """Record that execution starts, with the transfer package written first."""
        require_role(meta, "execute a disposition", CUSTODY_ROLES)
        self._check("start executing", "approved")
        if package_sha256 is not None:
            check_sha256("package_sha256", package_sha256)
        self._start(package_sha256, meta)

    @event("ExecutionStarted")
    def _start(
        self,
        package_sha256: str | None,
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        self.package_sha256 = package_sha256
        self.started_by = meta.actor
        self.started_at = timestamp
        self.status = "executing"

    def execute(
        self, certificate_sha256: str, package_sha256: str | None, meta: Meta
    ) -> None:
        """Record the execution and the digest of its certificate (and package).

        Once started, the package is the one recorded when it started.
        """
        require_role(meta, "execute a disposition", CUSTODY_ROLES)
        self.check_executable()
        check_sha256("certificate_sha256", certificate_sha256)
        if package_sha256 is not None:
            check_sha256("package_sha256", package_sha256)
        if self.status == "executing" and package_sha256 != self.package_sha256:
            raise InvalidValueError(
                "package_sha256", "is not the package recorded when execution started"
            )
        self._execute(certificate_sha256, package_sha256, meta)

    @event("Executed")
    def _execute(
        self,
        certificate_sha256: str,
        package_sha256: str | None,
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        self.certificate_sha256 = certificate_sha256
        self.package_sha256 = package_sha256
        self.executed_by = meta.actor
        self.executed_at = timestamp
        self.status = "executed"
