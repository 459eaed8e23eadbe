"""docs/api.md shows the role matrix exactly as api/auth.py enforces it.

Regenerate the table with `python -m tests.api.test_docs`.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask_smorest import Api

from api import paths
from api.auth import allowed_roles
from api.resources import blueprints

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
COLUMNS = ("pmo-head", "project-officer", "custodian", "contributor", "auditor")
HEADER = (
    "| method | path | head | officer | custodian | contrib. | auditor |\n"
    "|---|---|---|---|---|---|---|\n"
)


def matrix() -> str:
    """The role x endpoint table in markdown, one row per route and method."""
    rows = []
    for rule in route_app().url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        path = path.removeprefix("/api/v1").replace("{fmt}", "{format}")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            allowed = allowed_roles(rule.endpoint, method)
            marks = " | ".join("✔" if role in allowed else " " for role in COLUMNS)
            rows.append(f"| {method} | `{path}` | {marks} |")
    return HEADER + "\n".join(sorted(rows, key=_by_path)) + "\n"


def _by_path(row: str) -> tuple[str, str]:
    _, method, path, *_ = row.split("|")
    return path.strip(" `"), method


def route_app() -> Flask:
    """An app with the real blueprints and no database (routes only)."""
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    paths.init_app(app, api)
    for blueprint in blueprints():
        api.register_blueprint(blueprint)
    return app


def test_docs_show_the_enforced_matrix() -> None:
    assert matrix() in DOC.read_text("utf-8")


if __name__ == "__main__":
    print(matrix(), end="")
