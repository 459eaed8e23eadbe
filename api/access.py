"""Membership and clearance for every request of the API and the UI alike.

The ids in a request's path name what it touches; whatever kind of entity an
id turns out to be, its project and classification decide (usecases.membership).
"""

from __future__ import annotations

from uuid import UUID

from flask import g, request

from api.context import services
from api.paths import resolve_codes
from service.application import Principal
from service.domain.base import Meta
from usecases.membership import Authorize, Reach, authorize, reach_of


def scope_request(caller: Principal) -> Principal:
    """The caller in their role for the request's project, or a 404 refusal
    recorded as an event; the caller's reach is kept for the lists."""
    g.reach = reach_of(services(), caller)
    resolve_codes(services())
    ids = {
        key: value
        for key, value in (request.view_args or {}).items()
        if isinstance(value, UUID)
    }
    if not ids:
        return caller
    meta = Meta(caller.name, caller.role, None, g.get("request_id"))
    action = f"{request.method} {request.path}"
    return authorize(services(), Authorize(caller, ids, action), meta)


def reach() -> Reach:
    """What the current caller may reach (set when the request was scoped)."""
    value: Reach = g.reach
    return value
