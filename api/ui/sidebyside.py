"""A unified diff laid out side by side: old lines left, new right, numbered."""

from __future__ import annotations

import re
from dataclasses import dataclass

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class Row:
    """One row: a line of the old version, of the new one, or both; or a hunk."""

    old_number: int | None
    old: str | None
    new_number: int | None
    new: str | None
    hunk: str = ""

    @property
    def kind(self) -> str:
        """same, changed (both sides differ), removed, added or hunk."""
        if self.hunk:
            return "hunk"
        if self.old is not None and self.new is not None:
            return "same" if self.old == self.new else "changed"
        return "removed" if self.old is not None else "added"


def side_by_side(unified: str) -> list[Row]:
    """The rows of a unified diff; removed and added runs are paired line by line."""
    rows: list[Row] = []
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    old_no = new_no = 0

    def flush() -> None:
        for i in range(max(len(removed), len(added))):
            left = removed[i] if i < len(removed) else (None, None)
            right = added[i] if i < len(added) else (None, None)
            rows.append(Row(left[0], left[1], right[0], right[1]))
        removed.clear()
        added.clear()

    for line in unified.splitlines():
        if line.startswith(("---", "+++")):
            continue
        found = HUNK.match(line)
        if found:
            flush()
            old_no, new_no = int(found.group(1)), int(found.group(2))
            rows.append(Row(None, None, None, None, hunk=line))
        elif line.startswith("-"):
            removed.append((old_no, line[1:]))
            old_no += 1
        elif line.startswith("+"):
            added.append((new_no, line[1:]))
            new_no += 1
        elif line.startswith(" ") or line == "":
            flush()
            rows.append(Row(old_no, line[1:], new_no, line[1:]))
            old_no += 1
            new_no += 1
    flush()
    return rows
