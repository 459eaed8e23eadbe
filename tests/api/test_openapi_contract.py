"""The served OpenAPI document only adds to the one release 0.1 served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fixtures.record_openapi import served_openapi

FIXTURE = Path(__file__).parent.parent / "fixtures" / "openapi-v1.json"


def removals(old: Any, new: Any, where: str = "") -> list[str]:
    """Where new drops or changes something old had (added keys are fine).

    The tags only group operations in a viewer: a new tag may be added to the
    list, every old one must stay as it was.
    """
    if where == "/tags" and isinstance(old, list) and isinstance(new, list):
        return removals(_by_name(old), _by_name(new), where)
    found: list[str] = []
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key not in new:
                found.append(f"{where}/{key}: removed")
            else:
                found.extend(removals(value, new[key], f"{where}/{key}"))
        return found
    if where.endswith("/parameters") and isinstance(new, list):
        # Parameters are named: a new optional one is an addition, as a key is.
        named = {(p["in"], p["name"]): p for p in new}
        for parameter in old:
            found_one = named.get((parameter["in"], parameter["name"]))
            label = f"{where}/{parameter['in']}:{parameter['name']}"
            if found_one is None:
                found.append(f"{label}: removed")
            else:
                found.extend(removals(parameter, found_one, label))
        return found
    return [] if old == new else [f"{where}: {old!r} -> {new!r}"]


def _by_name(tags: list[Any]) -> dict[str, Any]:
    return {tag["name"]: tag for tag in tags}


def test_openapi_only_grows(tmp_path: Path) -> None:
    """Every path, operation, schema and field of 0.1 is served unchanged."""
    before = json.loads(FIXTURE.read_text())
    assert removals(before, served_openapi(tmp_path)) == []


def test_removals_sees_a_change_and_a_removal() -> None:
    """The comparison itself notices what a client would break on."""
    old = {"a": {"b": 1, "c": [1, 2]}}
    assert removals(old, {"a": {"b": 1, "c": [1, 2], "d": 3}}) == []
    assert removals(old, {"a": {"b": 2, "c": [1, 2]}}) == ["/a/b: 1 -> 2"]
    assert removals(old, {"a": {"c": [1]}}) == [
        "/a/b: removed",
        "/a/c: [1, 2] -> [1]",
    ]
    tags = {"tags": [{"name": "x", "description": "X"}]}
    grown = {"tags": [{"name": "y"}, {"name": "x", "description": "X"}]}
    assert removals(tags, grown) == []
    assert removals(tags, {"tags": [{"name": "x", "description": "Z"}]}) == [
        "/tags/x/description: 'X' -> 'Z'"
    ]
    assert removals(tags, {"tags": [{"name": "y"}]}) == ["/tags/x: removed"]
    query = {"in": "query", "name": "q", "schema": {"type": "string"}}
    spec = {"parameters": [query]}
    extra = {"in": "query", "name": "new", "required": False}
    assert removals(spec, {"parameters": [extra, query]}) == []
    assert removals(spec, {"parameters": [extra]}) == ["/parameters/query:q: removed"]
    retyped = {**query, "schema": {"type": "integer"}}
    assert removals(spec, {"parameters": [retyped]}) == [
        "/parameters/query:q/schema/type: 'string' -> 'integer'"
    ]
