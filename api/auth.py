"""Bearer authentication and the one role x endpoint table that authorizes requests."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from functools import cache, partial

from flask import Flask, g, request

from api import oidc
from api.access import scope_request
from api.context import services
from api.errors import ApiError
from api.throttle import Throttle, ThrottledError
from service.application import Principal
from service.domain import catalogue
from service.domain.base import ROLES, Meta
from service.domain.register import RegisterKind
from service.errors import AuthenticationError
from usecases.access import Authenticate, authenticate

EVERYONE = frozenset(ROLES)
HEAD = frozenset({"pmo-head"})
REGISTERS = HEAD | {"project-officer"}
CUSTODY = HEAD | {"custodian"}
SUBMITTERS = CUSTODY | {"contributor"}

PUBLIC_ENDPOINTS = frozenset(
    {
        "health.healthz",
        "health.readyz",
        "api-docs.openapi_json",
        "swagger.docs",
        "swagger.static",
        "static",
        "home",
    }
)
"""Endpoints that need no token: probes, the spec and its viewer, / (to /ui/)."""

OTHER_WRITES: Mapping[str, frozenset[str]] = {
    "projects.register_project": REGISTERS,
    "projects.change_details": REGISTERS,
    "projects.change_stage": REGISTERS,
    "projects.report_status": REGISTERS,
    "projects.close_project": REGISTERS,
    "projects.reopen_project": HEAD,
    "documents.register_document": CUSTODY,
    "documents.submit_version": SUBMITTERS,
    "documents.review_version": CUSTODY,
    "documents.approve_version": CUSTODY,
    "documents.withdraw_version": CUSTODY,
    "documents.issue_copy": CUSTODY,
    "documents.place_hold": CUSTODY,
    "documents.release_hold": CUSTODY,
    "custody.extend_retention": CUSTODY,
    "custody.dispose_document": CUSTODY,
    "records.add_record_class": CUSTODY,
    "records.reclassify_document": CUSTODY,
    "records.place_matter_hold": CUSTODY,
    "records.release_matter_hold": CUSTODY,
    "dispositions.propose_disposition": CUSTODY,
    "dispositions.review_disposition": CUSTODY,
    "dispositions.approve_disposition": CUSTODY,
    "dispositions.reject_disposition": CUSTODY,
    "dispositions.execute_disposition": CUSTODY,
    "tokens.issue_token": HEAD,
    "tokens.revoke_token": HEAD,
    "privacy.erase_subject": HEAD,
    "privacy.erase_account": HEAD,
    "privacy.subject_access": HEAD,
    "memberships.grant_membership": HEAD,
    "memberships.revoke_membership": HEAD,
    "memberships.set_clearance": HEAD,
    "subscriptions.create_subscription": HEAD,
    "subscriptions.pause_subscription": HEAD,
    "subscriptions.resume_subscription": HEAD,
    "subscriptions.replay_subscription": HEAD,
    # A witness's cosignature: ledger bookkeeping checked by its signature, no event.
    "ledger.add_cosignature": frozenset({"auditor", "pmo-head"}),
    "value.set_cost_tolerance": HEAD,
    "reports.issue_report": REGISTERS,
    "control.set_quality_rule": HEAD,
    "library.register_library_document": CUSTODY,
    "library.start_from_template": CUSTODY,
    "library.nominate_version": CUSTODY | REGISTERS,
}
"""Who may call each writing endpoint outside the declared registers."""


def write_access() -> dict[str, frozenset[str]]:
    """Who may call each writing endpoint (a register's rows from its declaration).

    Any endpoint not listed here is a read.
    """
    return _write_access(catalogue.kinds())


@cache
def _write_access(kinds: tuple[RegisterKind, ...]) -> dict[str, frozenset[str]]:
    rows = dict(OTHER_WRITES)
    for kind in kinds:
        for command in (kind.create, *kind.commands):
            rows[f"{kind.name}.{command.endpoint_name}"] = frozenset(command.roles)
    return rows


AUDIT = frozenset({"auditor", "pmo-head"})
RECORDS = AUDIT | CUSTODY

READ_ACCESS: Mapping[str, frozenset[str]] = {
    "tokens.list_tokens": HEAD,
    "privacy.list_erasures": HEAD,
    "subscriptions.list_subscriptions": HEAD,
    "subscriptions.get_subscription": HEAD,
    "ledger.head": AUDIT,
    "ledger.heads": AUDIT,
    "ledger.inclusion_proof": AUDIT,
    "ledger.consistency_proof": AUDIT,
    "ledger.public_key": AUDIT,
    "ledger.checkpoint": AUDIT,
    "ledger.checkpoint_at": AUDIT,
    "ledger.verifier_key": AUDIT,
    "ledger.project_evidence": AUDIT,
    "audit.audit_events": AUDIT,
    "audit.export_audit": AUDIT,
    "memberships.people": AUDIT,
    "memberships.project_readers": AUDIT,
    "memberships.document_readers": AUDIT,
    "stream.event_stream": AUDIT,
    **{
        endpoint: RECORDS
        for endpoint in (
            "records.list_matter_holds",
            "records.matter_hold",
            "records.records_report",
            "records.export_records_report",
            "dispositions.worklist",
            "dispositions.list_reviews",
            "dispositions.get_review",
            "dispositions.disposition_certificate",
            "dispositions.disposition_package",
            "dispositions.verify_certificate",
        )
    },
}
"""Reads narrower than everyone; every other read is open to every role."""

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def allowed_roles(endpoint: str, method: str) -> frozenset[str]:
    """The roles that may call an endpoint with a method (unlisted writes: head)."""
    if method in READ_METHODS:
        return READ_ACCESS.get(endpoint, EVERYONE)
    return write_access().get(endpoint, HEAD)


def principal() -> Principal:
    """The authenticated caller of the current request."""
    value: Principal = g.principal
    return value


def request_meta(reason: str | None = None) -> Meta:
    """Who, in which role, why and under which request: for the events written."""
    caller = principal()
    reason = reason or request.headers.get("X-Reason") or None
    return Meta(caller.name, caller.role, reason, g.get("request_id"))


def _bearer_secret() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationError("a bearer token is required")
    return secret.strip()


def _authenticate(throttle: Throttle) -> None:
    from api.resources.operations import RAW_BODY_ENDPOINTS  # a cycle at import

    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return  # unknown URLs fall through to the 404/405 handlers
    found = services()
    # One head check for the token and the command it authorises: the token is
    # read after the check, so any revocation committed before it is seen, and
    # the command decides on the store as of that same check (as it would with
    # its own). An upload may stream for minutes: its command checks afresh.
    scope = ExitStack()
    g.head_check = scope
    scope.enter_context(found.app.one_check())
    if endpoint in RAW_BODY_ENDPOINTS:
        scope.close()
    secret = _bearer_secret()
    # Membership and clearance before the role: a project's outsider learns
    # nothing (404), a member in the wrong role is told which role (403).
    g.principal = scope_request(checked(throttle, secret))
    roles = allowed_roles(endpoint, request.method)
    if g.principal.role not in roles:
        needed = sorted(roles)
        raise ApiError(
            403,
            f"this needs the role {' or '.join(needed)}; "
            f"the token has the role {g.principal.role}",
            roles=needed,
        )


def checked(throttle: Throttle, secret: str) -> Principal:
    """The principal of a presented secret (one of our tokens, or the identity
    provider's JWT access token where configured), counting a failure against
    the caller's address and the secret's prefix (429 once either is spent)."""
    address = request.remote_addr
    sso = oidc.current()
    if (
        sso is None
        or not sso.accepts_access_tokens()
        or not oidc.looks_like_jwt(secret)
    ):
        sso = None
    # Every JWT starts alike: its signature stands in for the token's prefix.
    counted = secret if sso is None else secret.rpartition(".")[2]
    try:
        throttle.check(address, counted)
    except ThrottledError as error:
        raise ApiError(
            429, str(error), headers={"Retry-After": str(error.retry_after)}
        ) from None
    try:
        if sso is not None:
            return sso.principal(services(), secret)
        return authenticate(services(), Authenticate(secret))
    except AuthenticationError:
        throttle.failed(address, counted)
        raise


def _end_head_check(_: BaseException | None) -> None:
    scope = g.pop("head_check", None)
    if scope is not None:
        scope.close()


def init_app(app: Flask, throttle: Throttle) -> None:
    """Check the token and the role before every request."""
    app.before_request(partial(_authenticate, throttle))
    app.teardown_request(_end_head_check)
