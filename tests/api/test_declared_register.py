"""A register declared in this file alone gets everything a register has.

Commands and events, API routes and their OpenAPI, the role matrix, a
temporal register with as-of reads, CSV export and CSV import all follow from
the one `RegisterKind` below; no other file knows about widgets.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api import create_app
from api.auth import allowed_roles
from service.config import Settings
from service.domain import catalogue
from service.domain.base import Meta
from service.domain.entry import RegisterEntry, entry_class
from service.domain.register import (
    Command,
    ImportStep,
    RegisterKind,
    choice,
    optional_text,
    scale,
    text,
)
from service.importer import import_register
from tests.api.conftest import Api, issue_tokens
from tests.ui.conftest import Ui
from usecases.registers import command, execute
from usecases.root import build_services

COLOURS = ("red", "blue")
WIDGET = RegisterKind(
    name="widgets",
    noun="widget",
    aggregate="Widget",
    module=__name__,
    description="A widget with a colour and a size.",
    blueprint_description="Widget register",
    list_summary="A project's widgets, a page at a time.",
    statuses=("open", "retired"),
    fields=(
        text("title", 200),
        choice("colour", COLOURS),
        scale("size"),
        optional_text("note"),
        choice("status", ("open", "retired")),
    ),
    create=Command(
        "add_widget",
        "add",
        "Added",
        (text("title", 200), choice("colour", COLOURS), scale("size")),
        schema="WidgetAddition",
        summary="Add a widget to an open project.",
        action="add a widget in",
        status="open",
    ),
    commands=(
        Command(
            "retire_widget",
            "retire",
            "Retired",
            path="retire",
            summary="Retire a widget.",
            action="retire",
            allowed=("open",),
            status="retired",
            created=False,
            body_required=False,
        ),
    ),
    filters={"status": ("status", "eq"), "colour": ("colour", "eq")},
    list_filters=("status", "colour"),
    ui_filters=("status", "colour"),
    export_columns=("id", "title", "colour", "size"),
    import_steps=(ImportStep("retire_widget", statuses=("retired",)),),
)


@pytest.fixture
def widgets() -> Iterator[type[RegisterEntry]]:
    """The widget register, declared for one test and forgotten afterwards.

    Its class is made once (stored topics resolve to one class per process).
    """
    module: Any = sys.modules[__name__]
    if not hasattr(module, "Widget"):
        module.Widget = entry_class(WIDGET)
    catalogue.declare(module.Widget)
    yield module.Widget
    catalogue.forget("widgets")


@pytest.fixture
def api(widgets: type[RegisterEntry], settings: Settings) -> Iterator[Api]:
    """An app on each backend, built with the widget register declared."""
    services = build_services(settings)
    services.runner.start()
    yield Api(create_app(services=services), issue_tokens(services))
    services.close()


def test_a_declared_register_is_recorded_listed_as_of_and_exported(
    api: Api, widgets: type[RegisterEntry]
) -> None:
    """Routes, events, temporal list, refusals, export: all from the declaration."""
    project = api.project()
    added = api.post(
        f"/projects/{project}/widgets",
        {"title": "Cog", "colour": "red", "size": 3},
        role="project-officer",
    )
    assert added.status_code == 201, added.json
    widget_id = added.json["id"]
    assert added.headers["Location"].endswith(f"/widgets/{widget_id}")
    before_retirement = datetime.now(UTC)
    bad = api.post(f"/projects/{project}/widgets", {"title": "X", "colour": "red"})
    assert bad.status_code == 422 and "size" in bad.json["errors"]
    head = api.head()
    retired = api.post(f"/widgets/{widget_id}/retire", headers={"If-Match": '"1"'})
    assert retired.status_code == 200 and retired.json["version"] == 2
    again = api.post(f"/widgets/{widget_id}/retire")
    assert again.status_code == 409
    assert "cannot retire a widget that is retired" in again.json["detail"]
    assert api.head() == head + 1

    events = api.services.app.events.get(UUID(widget_id))
    assert [type(e).__qualname__ for e in events] == ["Widget.Added", "Widget.Retired"]

    now = api.get(
        f"/projects/{project}/widgets",
        query_string={"min_position": retired.json["position"], "colour": "red"},
    )
    assert [(w["title"], w["status"]) for w in now.json["items"]] == [
        ("Cog", "retired")
    ]
    then = api.get(
        f"/projects/{project}/widgets",
        query_string={"as_of": before_retirement.isoformat()},
    )
    assert [w["status"] for w in then.json["items"]] == ["open"]
    wrong = api.get(f"/projects/{project}/widgets", query_string={"colour": "green"})
    assert wrong.status_code == 422

    exported = api.get(f"/projects/{project}/widgets.csv")
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert table[0][:4] == ["id", "title", "colour", "size"]
    assert table[1][:4] == [widget_id, "Cog", "red", "3"]

    spec = api.client.get("/openapi.json").json
    assert "/api/v1/projects/{project_id}/widgets" in spec["paths"]
    assert "/api/v1/widgets/{widget_id}/retire" in spec["paths"]
    assert spec["components"]["schemas"]["WidgetAddition"]["required"] == [
        "colour",
        "size",
        "title",
    ]
    assert allowed_roles("widgets.add_widget", "POST") == {
        "pmo-head",
        "project-officer",
    }
    refused = api.post(
        f"/projects/{project}/widgets",
        {"title": "Cog", "colour": "red", "size": 3},
        role="contributor",
    )
    assert refused.status_code == 403


def test_a_declared_register_takes_commands_and_imports(
    api: Api, widgets: type[RegisterEntry], tmp_path: Path
) -> None:
    """Its command dataclasses run through the one use case; CSV rows import."""
    project = api.project("WIDGETS")
    meta = Meta("tester", "pmo-head")
    add = command("add_widget")
    written = execute(api.services, add(UUID(project), "Gear", "blue", 2), meta)
    widget = api.services.app.load(widgets, written.id)
    assert (widget.title, widget.colour, widget.size, widget.note) == (
        "Gear",
        "blue",
        2,
        "",
    )
    path = tmp_path / "widgets.csv"
    path.write_text("title,colour,size,status\nA,red,1,\nB,blue,5,retired\n")
    done = import_register(api.services.app, "widgets", path, "WIDGETS", "tester")
    assert (done.entries, done.events) == (2, 3)
    path.write_text("title,colour,size\nC,green,1\n")
    with pytest.raises(Exception, match="line 2: colour: must be one of red, blue"):
        import_register(api.services.app, "widgets", path, "WIDGETS", "tester")


def test_a_declared_register_is_in_the_ui(
    api: Api, widgets: type[RegisterEntry]
) -> None:
    """The project menu, the register page, its filters and the entry page."""
    project = api.project("SHOWN")
    added = api.post(
        f"/projects/{project}/widgets",
        {"title": "Sprocket <b>", "colour": "blue", "size": 4},
        role="project-officer",
    )
    assert added.status_code == 201, added.json
    widget_id = added.json["id"]
    api.get(
        f"/projects/{project}/widgets",
        query_string={"min_position": added.json["position"]},
    )
    ui = Ui(api.services)
    ui.sign_in("auditor")
    overview = ui.client.get(f"/ui/projects/{project}")
    assert f'/ui/projects/{project}/widgets">Widgets</a>' in overview.text
    page = ui.client.get(
        f"/ui/projects/{project}/widgets", query_string={"colour": "blue"}
    )
    assert page.status_code == 200
    assert "Widget register" in page.text
    assert "Sprocket &lt;b&gt;" in page.text and "Sprocket <b>" not in page.text
    assert '<option value="red"' in page.text  # the colour menu from the choices
    other = ui.client.get(
        f"/ui/projects/{project}/widgets", query_string={"colour": "red"}
    )
    assert "Sprocket" not in other.text
    entry = ui.client.get(f"/ui/widgets/{widget_id}")
    assert entry.status_code == 200 and "Sprocket &lt;b&gt;" in entry.text
    assert ui.client.get(f"/ui/gadgets/{widget_id}").status_code == 404
