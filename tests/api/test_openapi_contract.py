"""The served OpenAPI document only adds to the one release 0.1 served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fixtures.record_openapi import served_openapi

FIXTURE = Path(__file__).parent.parent / "fixtures" / "openapi-v1.json"


def removals(old: Any, new: Any, where: str = "") -> list[str]:
    """Where new drops or changes something old had (added keys are fine).

    The list of tags may also grow at its end (a new resource's group).
    """
    if where == "/tags" and isinstance(new, list) and new[: len(old)] == old:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key, value in old.items():
            if key not in new:
                found.append(f"{where}/{key}: removed")
            else:
                found.extend(removals(value, new[key], f"{where}/{key}"))
        return found
    return [] if old == new else [f"{where}: {old!r} -> {new!r}"]


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
    tags = {"tags": [{"name": "a"}, {"name": "b"}]}
    grown = {"tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    assert removals(tags, grown) == []
    assert removals(tags, {"tags": [{"name": "b"}, {"name": "a"}, {"name": "c"}]})
    assert removals(tags, {"tags": [{"name": "a"}]})
    assert removals(old, {"a": {"b": 1, "c": [1, 2, 3]}}) == [
        "/a/c: [1, 2] -> [1, 2, 3]"
    ]
