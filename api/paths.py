"""A project's code accepted wherever its id is in a path (decision 101).

`<project:project_id>` matches an id or a code; a code stays a `ProjectCode`
until the request is scoped, when it becomes the project's id, before the
caller's reach is checked and before any view sees it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Flask, request
from flask_smorest import Api
from werkzeug.routing import BaseConverter, UUIDConverter

from usecases.projects import project_id_in_path
from usecases.root import Services

CODE = r"[A-Za-z0-9-]{2,20}"


class ProjectCode(str):
    """A project code named in a path, not yet resolved to the project's id."""


class ProjectConverter(BaseConverter):
    """A project's id, or its code (2-20 of A-Z, 0-9 and -, any case)."""

    regex = f"(?:{UUIDConverter.regex}|{CODE})"

    def to_python(self, value: str) -> UUID | ProjectCode:
        """An id as a UUID; anything else the regex let through is a code."""
        try:
            return UUID(value)
        except ValueError:
            return ProjectCode(value)

    def to_url(self, value: Any) -> str:
        """An id or a code as it goes in a URL."""
        return str(value)


def parameter_schema(converter: ProjectConverter) -> dict[str, Any]:
    """0.1's schema for the parameter (a uuid), saying a code is accepted too."""
    return {
        "type": "string",
        "format": "uuid",
        "description": "The project's id, or its code (e.g. ALPHA)",
    }


def resolve_codes(services: Services) -> None:
    """Replace a code in the request's path by its project's id."""
    for key, value in (request.view_args or {}).items():
        if isinstance(value, ProjectCode):
            request.view_args[key] = project_id_in_path(services, value)  # type: ignore[index]


def init_app(app: Flask, api: Api | None = None) -> None:
    """Register the converter (before any route that names it is added)."""
    app.url_map.converters["project"] = ProjectConverter
    if api is not None:
        api.register_converter(ProjectConverter, parameter_schema)
