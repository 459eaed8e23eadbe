"""Every route x role x membership x clearance answers as the access model says.

The operations come from the served OpenAPI document and the ids from the
declared registers, so a new route or register is covered without editing
this file. The model, stated here on its own:

- an operation naming an entity of a project (a uuid in its path) is refused
  with a 404, and the refusal recorded as exactly one event, when the caller
  is not a member of that project (the PMO head and auditors always are) or
  the entity's classification is above the caller's clearance;
- otherwise the caller acts in the role it holds in that project (its token's
  role where no project is named) and is refused with a 403 writing nothing
  when the role matrix (api.auth) does not give that role the operation;
- otherwise it is allowed: no 401/403, no refusal recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from api.auth import allowed_roles
from service.domain import catalogue
from service.domain.base import Meta
from service.domain.membership import PORTFOLIO_ROLES, PROJECT_ROLES, Refusal
from tests.api.conftest import Api
from tests.records.conftest import records_ids
from tests.security.test_clearance import document

REFUSED: type = Refusal.Recorded  # type: ignore[attr-defined]
SETUP = Meta("setup", "pmo-head")
CLASSIFIED = ("internal", "confidential")  # at and above the default clearance


@dataclass(frozen=True)
class Caller:
    """A token in a role, a member of the project or not (clearance: default)."""

    key: str
    role: str
    member: bool


@dataclass(frozen=True)
class Case:
    """One concrete request of one OpenAPI operation."""

    method: str
    path: str
    endpoint: str
    scoped: bool
    classification: str | None


def callers(api: Api, project: str) -> list[Caller]:
    """The PMO head and an auditor; each project role as a member and not."""
    found = []
    for role in (*PORTFOLIO_ROLES, *PROJECT_ROLES):
        for member in (True, False) if role in PROJECT_ROLES else (True,):
            issued = api.services.app.issue_token(f"{role} {member}", role, SETUP)
            key = f"matrix-{role}-{member}"
            api.tokens[key] = issued.secret
            if member and role in PROJECT_ROLES:
                subject = f"token:{issued.token_id}"
                api.services.app.grant_membership(subject, UUID(project), role, SETUP)
            found.append(Caller(key, role, member))
    return found


def project_ids(api: Api, project: str) -> dict[str, str]:
    """An id of each declared register's entries in the project (path names)."""
    ids = {"project_id": project}
    for kind in catalogue.kinds():
        path = f"/{kind.name}" if kind.portfolio else f"/projects/{project}/{kind.name}"
        items = api.get(path, role="pmo-head").json
        if items["items"]:
            ids[f"{kind.name.removesuffix('s')}_id"] = items["items"][0]["id"]
    return ids


UNSCOPED = {
    "token_id",
    "subscription_id",
    "hold_id",  # a hold over a matter and a disposition review are the office's
    "review_id",
    *(f"{k.name.removesuffix('s')}_id" for k in catalogue.kinds() if k.portfolio),
}
"""Ids of what belongs to no project: only roles decide who may touch them."""


def cases(api: Api, ids: dict[str, str], docs: dict[str, str]) -> Iterator[Case]:
    """Every operation of the OpenAPI document, once per document classification."""
    spec = api.client.get("/openapi.json").json
    adapter = api.app.url_map.bind("localhost")
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post"):
                continue
            parameters = {
                p["name"]: p.get("schema", {})
                for p in operations.get("parameters", [])
                + operation.get("parameters", [])
                if p["in"] == "path"
            }
            for classification in (
                CLASSIFIED if "{document_id}" in template else (None,)
            ):
                values = dict(ids)
                if classification is not None:
                    values["document_id"] = docs[classification]
                path = concrete(template, parameters, values)
                try:
                    endpoint, _ = adapter.match(path, method.upper())
                except Exception as error:
                    raise AssertionError(f"{method} {path}") from error
                scoped = any(
                    f"{{{name}}}" in template for name in values if name not in UNSCOPED
                )
                yield Case(method.upper(), path, endpoint, scoped, classification)


def concrete(template: str, parameters: dict[str, Any], ids: dict[str, str]) -> str:
    """The template with a value for each path parameter."""
    return re.sub(r"{(\w+)}", lambda m: _value(m.group(1), parameters, ids), template)


def _value(name: str, parameters: dict[str, Any], ids: dict[str, str]) -> str:
    schema = parameters.get(name, {})
    if name in ids:
        return ids[name]
    assert schema.get("format") != "uuid", f"no entity for {{{name}}}: declare one"
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return "1"
    return "0" * 64 if name == "sha256" else "no-such-hold"


def expected(case: Case, caller: Caller) -> str:
    """The model's answer: 'hidden' (404 and a refusal), 'forbidden' (403), or
    'allowed'."""
    outsider = not caller.member or case.classification == "confidential"
    if case.scoped and caller.role in PROJECT_ROLES and outsider:
        return "hidden"
    roles = allowed_roles(case.endpoint, "GET" if case.method == "GET" else "POST")
    return "allowed" if caller.role in roles else "forbidden"


def refusals(api: Api) -> int:
    return sum(1 for _ in api.services.app.iter_events_of(REFUSED))


def issued_report(api: Api, project: str) -> str:
    """A report issued for the project (the demo issues none)."""
    end = datetime.now(UTC).date() - timedelta(days=1)
    body = {
        "report_type": "checkpoint",
        "period_start": (end - timedelta(days=6)).isoformat(),
        "period_end": end.isoformat(),
        "narrative": {
            "summary": "On plan",
            "work_done": "Design",
            "work_next": "Build",
        },
    }
    answer = api.post(f"/projects/{project}/reports", body, role="pmo-head")
    assert answer.status_code == 201, answer.json
    return str(answer.json["id"])


def paused_subscription(api: Api) -> str:
    """A webhook subscription to a public address, paused so nothing is sent."""
    body = {"name": "matrix", "url": "https://93.184.215.14/hook"}
    answer = api.post("/subscriptions", body, role="pmo-head")
    assert answer.status_code == 201, answer.json
    subscription = str(answer.json["id"])
    paused = api.post(f"/subscriptions/{subscription}/pause", role="pmo-head")
    assert paused.status_code == 200, paused.json
    return subscription


def test_every_operation_answers_as_the_model_says(demo: Api) -> None:
    api = demo
    project = api.get("/projects", role="pmo-head").json["items"][0]["id"]
    ids = project_ids(api, project)
    docs = {c: document(api, project, c) for c in CLASSIFIED}
    ids["document_id"] = docs["internal"]
    spare = api.services.app.issue_token("spare", "contributor", SETUP)
    ids["token_id"] = str(spare.token_id)
    ids["report_id"] = issued_report(api, project)
    ids["subscription_id"] = paused_subscription(api)
    ids["entry_id"] = ids["risk_id"]  # any register entry has links
    ids.update(records_ids(api, docs["internal"]))
    everyone = callers(api, project)
    wrong = []
    seen = 0
    for case in cases(api, ids, docs):
        seen += 1
        for caller in everyone:
            want = expected(case, caller)
            head, refused = api.head(), refusals(api)
            response = api.client.open(
                case.path,
                method=case.method,
                headers=api.headers(caller.key, None),
                json=None if case.method == "GET" else {},
            )
            response.get_data()
            got = _outcome(api, response.status_code, head, refused)
            if got != want or response.status_code >= 500:
                wrong.append(
                    f"{case.method} {case.path} as {caller.role} "
                    f"(member: {caller.member}): wanted {want}, "
                    f"got {response.status_code} ({got})"
                )
    assert seen > 90
    assert not wrong, "\n".join(wrong)


def _outcome(api: Api, status: int, head: int, refused: int) -> str:
    if refusals(api) > refused:
        ok = status == 404 and api.head() == head + 1 and refusals(api) == refused + 1
        return "hidden" if ok else f"refusal recorded with {status}"
    if status == 403:
        return "forbidden" if api.head() == head else "403 that wrote"
    if status == 401:
        return "unauthenticated"
    return "allowed"
