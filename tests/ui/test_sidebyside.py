"""A unified diff laid out side by side keeps every line and its number."""

from __future__ import annotations

import difflib

from hypothesis import given
from hypothesis import strategies as st

from api.ui.sidebyside import side_by_side

LINES = st.lists(st.sampled_from(["a", "b", "c", "d", "", "x y"]), max_size=30)


def test_a_changed_line_sits_beside_its_replacement() -> None:
    old = ["one", "two", "three", "four"]
    new = ["one", "TWO", "three", "four", "five"]
    rows = side_by_side("\n".join(difflib.unified_diff(old, new, lineterm="")))
    assert [r.kind for r in rows] == [
        "hunk",
        "same",
        "changed",
        "same",
        "same",
        "added",
    ]
    changed = rows[2]
    assert (changed.old_number, changed.old, changed.new_number, changed.new) == (
        2,
        "two",
        2,
        "TWO",
    )
    assert (rows[-1].new_number, rows[-1].new, rows[-1].old) == (5, "five", None)


@given(LINES, LINES)
def test_each_side_reads_back_as_its_version(old: list[str], new: list[str]) -> None:
    unified = "\n".join(
        difflib.unified_diff(old, new, lineterm="", n=len(old) + len(new))
    )
    rows = [r for r in side_by_side(unified) if r.kind != "hunk"]
    if old == new:
        assert rows == []
        return
    left = [(r.old_number, r.old) for r in rows if r.old is not None]
    right = [(r.new_number, r.new) for r in rows if r.new is not None]
    assert left == list(enumerate(old, start=1))
    assert right == list(enumerate(new, start=1))
