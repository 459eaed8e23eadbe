"""Forms for every register command, built from the register's declaration.

A register page carries the form that creates an entry; an entry page carries
one form per command the entry's status allows. Each is shown only to the
roles the API lets run the command and refused (403) to anyone else who posts
it. A form carries the entry's version (a stale form is shown the change that
overtook it, not allowed to overwrite it) and a key of its own, so a second
submission of the same form records nothing more.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import abort, current_app, g, request
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from api.auth import allowed_roles
from api.errors import ApiError
from api.idempotency import Keys, fingerprint
from api.schemas.registers import body_schema
from api.ui.common import principal, services
from service.domain.base import DomainError, InvalidValueError, Meta
from service.domain.register import Command, Field, RegisterKind
from service.errors import ApplicationError, VersionConflictError
from service.importer import importable
from usecases.registers import command_class, execute

KEYS = "pmo_ui_form_keys"
IMPORTERS = frozenset({"pmo-head"})
INTEGER = re.compile(r"-?\d{1,12}")
IN_FLIGHT_WAIT = 10.0  # seconds a repeated submission waits for the first
READ_YOUR_WRITE_WAIT = 10.0  # seconds the answer waits for the read models


def new_key() -> str:
    """A fresh form key: a second submission of the same form records nothing."""
    return secrets.token_urlsafe(16)


@dataclass
class Form:
    """A command's form as a page shows it: its fields, what was typed, errors."""

    kind: RegisterKind
    command: Command
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    key: str = field(default_factory=new_key)

    @property
    def fields(self) -> list[Field]:
        """The parameters a person types (values the domain composes are not)."""
        return [p for p in self.command.params if p.kind != "json"]

    @property
    def is_open(self) -> bool:
        """Whether the page shows it unfolded (it came back with errors)."""
        return bool(self.errors or self.problem)

    @property
    def title(self) -> str:
        """The form's heading: the command's summary, else its name."""
        return self.command.summary or self.command.method.replace("_", " ")

    @property
    def button(self) -> str:
        """The submit button's words."""
        return self.command.method.replace("_", " ").capitalize()


def may_run(kind: RegisterKind, command: Command) -> bool:
    """Whether the signed-in person's role may run this command."""
    endpoint = f"{kind.name}.{command.endpoint_name}"
    return principal().role in allowed_roles(endpoint, "POST")


def may_import(kind: RegisterKind) -> bool:
    """Whether the signed-in person may import this register from a CSV file (the
    PMO head, as on the command line: the importer records that role)."""
    return principal().role in IMPORTERS and kind.name in importable()


def offered(kind: RegisterKind, status: str | None) -> list[Form]:
    """The forms a person may use on an entry in this status (None: the create)."""
    if status is None:
        return [Form(kind, kind.create)] if may_run(kind, kind.create) else []
    return [
        Form(kind, c)
        for c in kind.commands
        if (not c.allowed or status in c.allowed) and may_run(kind, c)
    ]


def _given(param: Field, raw: str) -> Any:
    """A typed form value as the request body would carry it (None: not given)."""
    text = raw.strip()
    if param.kind in ("texts", "entries"):
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if param.kind == "integer":
        return int(text) if INTEGER.fullmatch(text) else (text or None)
    if param.kind == "text" and not param.nullable:
        return raw if raw.strip() or not param.required else None
    return text or None


def submitted(command: Command) -> tuple[dict[str, str], dict[str, Any]]:
    """What the form sent: as typed, and as a request body (unset values left out)."""
    typed = {p.name: request.form.get(p.name, "") for p in command.params}
    typed["reason"] = request.form.get("reason", "")
    body: dict[str, Any] = {}
    for param in command.params:
        if param.kind == "json":
            continue
        value = _given(param, typed[param.name])
        if value is not None:
            body[param.name] = value
    if typed["reason"].strip():
        body["reason"] = typed["reason"].strip()
    return typed, body


def _reserve(keys: Keys, holder: str, key: str, request_id: str) -> Response | None:
    """Reserve the form's key, or the first submission's answer once it has one.

    A browser that sends a form twice (a double click) shows the answer to the
    second request: it waits for the first to finish and shows its outcome.
    """
    deadline = time.monotonic() + IN_FLIGHT_WAIT
    while True:
        try:
            return keys.reserve(holder, key, fingerprint(), request_id)
        except ApiError as error:
            if error.status != 409 or time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def field_messages(error: ValidationError) -> dict[str, str]:
    found = error.messages if isinstance(error.messages, dict) else {}
    shown = {}
    for name, messages in found.items():
        text = messages[0] if isinstance(messages, list) and messages else messages
        if text == "Missing data for required field.":
            text = "Required."
        shown[str(name)] = str(text)
    return shown


def run_form(
    kind: RegisterKind,
    command: Command,
    subject: UUID,
    done: Callable[[UUID], Response],
    shown_again: Callable[[Form], tuple[str, int]],
) -> Response | tuple[str, int]:
    """Check, record and answer one posted form, at most once per form key.

    `done` answers a recorded command (a redirect to the entry); `shown_again`
    renders the page with the form again, its values kept and its errors beside
    their fields.
    """
    if not may_run(kind, command):
        verb = command.method.replace("_", " ")
        abort(403, f"your role may not {verb} a {kind.noun}")
    return at_most_once(lambda: _record(kind, command, subject, done, shown_again))


def at_most_once(
    answer: Callable[[], Response | tuple[str, int]],
    replay: Callable[[Any], Any] = lambda _: None,
) -> Response:
    """Answer a posted form once per form key; a repeat gets the first outcome.

    `replay` may give what a repeat answers instead of the first answer (the
    first answer then is never kept: a token's secret is shown only once).
    """
    key = request.form.get("form_key", "")
    keys: Keys = current_app.extensions[KEYS]
    holder = f"ui:{principal().token_id}"
    if not 0 < len(key) <= 64 or not key.isprintable():
        abort(400, "the form carries no valid form key; reload the page")
    request_id = g.get("request_id") or secrets.token_hex(16)
    g.request_id = request_id
    repeated = _reserve(keys, holder, key, request_id)
    if repeated is not None:
        return repeated
    try:
        response = current_app.make_response(answer())
        keys.complete(holder, key, response, replay(response))
        return response
    finally:
        keys.owners.ended(request_id)


def _record(
    kind: RegisterKind,
    command: Command,
    subject: UUID,
    done: Callable[[UUID], Response],
    shown_again: Callable[[Form], tuple[str, int]],
) -> Response | tuple[str, int]:
    typed, body = submitted(command)
    form = Form(kind, command, typed, key=secrets.token_urlsafe(16))
    try:
        loaded = body_schema(command)().load(body)
    except ValidationError as error:
        form.errors = field_messages(error)
        return shown_again(form)
    creates = command is kind.create
    version = request.form.get("version", "")
    expected = int(version) if not creates and version.isdigit() else None
    given = command_class(kind, command.use_case)(  # type: ignore[call-arg]
        subject,
        *(loaded.get(p.name) for p in command.params),
        expected_version=expected,
    )
    caller = principal()
    # A command that needs a reason needs the person's own, not the UI's default.
    default = None if command.needs_reason else "via the web UI"
    reason = loaded.get("reason") or default
    meta = Meta(caller.name, caller.role, reason, g.get("request_id"))
    try:
        result = execute(services(), given, meta)
    except InvalidValueError as error:
        form.errors = {error.field: error.message}
        return shown_again(form)
    except VersionConflictError:
        # Show the change that overtook the form: the read models must have it.
        head = services().app.head_position()
        services().views.wait_for(head, READ_YOUR_WRITE_WAIT)
        form.problem = "stale"
        return shown_again(form)
    except (DomainError, ApplicationError) as error:
        form.problem = str(error)
        return shown_again(form)
    # Read-your-writes: the page the person is sent to shows what they recorded.
    services().views.wait_for(result.position, READ_YOUR_WRITE_WAIT)
    return done(result.id if creates else subject)
