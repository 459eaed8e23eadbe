"""Answering a posted form that is not a register command's: custody steps,
registering a project or a document. The form's own values are checked and
recorded by `record`; a refusal renders the page again with the form open,
its values kept and its errors beside their fields (422), the change that
overtook a stale form (409) or the rule that refused it (409)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from api.ui.common import services
from api.ui.forms import READ_YOUR_WRITE_WAIT, field_messages
from api.ui.highlight import ui_meta_because
from service.application import Written
from service.blobs import BlobTooLargeError
from service.domain.base import DomainError, InvalidValueError, Meta
from service.errors import ApplicationError, VersionConflictError

HIDDEN = frozenset({"csrf_token", "form_key", "version"})
Record = Callable[[int | None, Meta], Written]
"""Records a form's command (the version it expects, who and why)."""


@dataclass
class Posted:
    """A form that came back: which, what was typed, why it was not recorded."""

    name: str
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def typed(names: tuple[str, ...], meta: Meta) -> dict[str, str | None]:
    """The form's values of these names, as typed, and its reason: a body to load."""
    return {n: request.form.get(n, "") for n in names} | {"reason": meta.reason}


def answer(
    name: str,
    record: Record,
    again: Callable[[Posted], str],
    done: Callable[[Written], Response],
) -> Response | tuple[str, int]:
    """Record the posted form `name`, or show its page `again` saying why not."""
    typed = {k: v for k, v in request.form.items() if k not in HIDDEN}
    version = request.form.get("version", "")
    expected = int(version) if version.isascii() and version.isdigit() else None
    posted = Posted(name, typed)
    meta = ui_meta_because(typed.get("reason", "").strip())
    try:
        written = record(expected, meta)
    except ValidationError as error:
        posted.errors = field_messages(error)
        return again(posted), 422
    except InvalidValueError as error:
        posted.errors = {error.field: error.message}
        return again(posted), 422
    except BlobTooLargeError as error:
        posted.errors = {"file": str(error)}
        return again(posted), 413
    except VersionConflictError:
        # Show the change that overtook the form: the read models must have it.
        services().views.wait_for(services().app.head_position(), READ_YOUR_WRITE_WAIT)
        posted.problem = "stale"
        return again(posted), 409
    except (DomainError, ApplicationError) as error:
        posted.problem = str(error)
        return again(posted), 409
    # Read-your-writes: the page the person is sent to shows what they recorded.
    services().views.wait_for(written.position, READ_YOUR_WRITE_WAIT)
    return done(written)
