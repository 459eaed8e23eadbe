"""Every register's CSV export imports back, on each backend: a project holding
an entry in each status the register can reach is exported, the file imported
into a fresh project (the portfolio's registers: into the portfolio again),
and that project's export gives the same rows, apart from the ids and instants
another project's entries cannot share.

A register, or one of its statuses, whose export is not imported back on
purpose is listed in `NOT_IMPORTED_BACK` with the reason; the test checks it
is indeed refused, so a new register or status is either imported back or
listed here."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from uuid import UUID

import pytest

from service.domain import catalogue
from service.domain.base import InvalidValueError
from service.domain.register import PORTFOLIO_ID
from service.importer import (
    ImportRefusedError,
    check_importable,
    import_register,
    importable,
)
from tests.usecases.register_walks import WALKER, reach, record
from tests.usecases.test_value_import import caught_up, project, write
from usecases.exports import ExportRegister, export_register
from usecases.root import Services

ELSEWHERE = ("id", "created_at", "recorded_at", "position", "valid_from", "valid_to")
"""Export columns another project's entries cannot share: ids and instants."""
BY_ID = "names another entry of its project by id, which another project lacks"
KEPT = "the export keeps the latest result and a count of open actions, "
NOT_IMPORTED_BACK: dict[tuple[str, str], str] = {
    ("baselines", "approved"): "an approval nobody gave (decision 123)",
    ("decisions", "superseded"): f"superseded_by {BY_ID}",
    ("dependencies", "active"): f"successor_id {BY_ID}",
    ("dependencies", "resolved"): f"successor_id {BY_ID}",
    ("dependencies", "withdrawn"): f"successor_id {BY_ID}",
    ("links", "active"): f"from_id and to_id {BY_ID}",
    ("links", "removed"): f"from_id and to_id {BY_ID}",
    ("benefits", "realising"): "the export keeps the latest measurement only",
    ("benefits", "realised"): "the export keeps the latest measurement only",
    ("benefits", "not-realised"): "the export keeps the latest measurement only",
    ("reviews", "held"): KEPT + "not the sign-off",
    ("reviews", "actions-open"): KEPT + "not the actions",
    ("reviews", "failed"): KEPT + "not the results before",
    ("reviews", "signed-off"): KEPT + "not the sign-off note",
    ("reviews", "re-planned"): KEPT + "not the failed result before",
}
"""(register, status): why an exported entry in that status is not imported."""
KINDS = [
    kind.name
    for kind in catalogue.kinds()
    if any((kind.name, status) not in NOT_IMPORTED_BACK for status in reach(kind))
]
"""The registers with a status that imports back; every status of the others
is listed in NOT_IMPORTED_BACK, and its refusal tested below."""


def exported(services: Services, owner: UUID, kind: str) -> str:
    """The owner's register as its CSV export."""
    caught_up(services)
    command = ExportRegister(owner, kind, "csv", None)
    return "".join(export_register(services, command, WALKER).chunks)  # type: ignore[arg-type]


def rows(text: str) -> Counter[tuple[tuple[str, str], ...]]:
    """An export's rows without ids and instants, counted."""
    kept = csv.DictReader(io.StringIO(text))
    return Counter(
        tuple((c, v) for c, v in row.items() if c not in ELSEWHERE) for row in kept
    )


def owners(services: Services, kind: str) -> tuple[UUID, UUID]:
    """Where the entries are exported from and imported to: two projects, or
    the portfolio twice."""
    if catalogue.entry_class_of(kind).register_kind.portfolio:
        return PORTFOLIO_ID, PORTFOLIO_ID
    return project(services, "SOURCE"), project(services, "TARGET")


def walked(services: Services, owner: UUID, kind: str, statuses: list[str]) -> str:
    """The export of the owner's register holding an entry in each status."""
    ways = reach(catalogue.entry_class_of(kind).register_kind)
    for status in statuses:
        record(services, owner, kind, ways[status])
    return exported(services, owner, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_an_export_in_every_status_imports_back(
    services: Services, tmp_path: Path, kind: str
) -> None:
    statuses = [
        s
        for s in reach(catalogue.entry_class_of(kind).register_kind)
        if (kind, s) not in NOT_IMPORTED_BACK
    ]
    source, target = owners(services, kind)
    before = walked(services, source, kind, statuses)
    import_register(services.app, kind, write(tmp_path, "r.csv", before), "TARGET", "i")
    after = rows(exported(services, target, kind))
    assert after == (rows(before) + rows(before) if source == target else rows(before))
    assert sum(rows(before).values()) >= len(statuses)


def test_every_status_a_register_reaches_is_walked() -> None:
    """The walk reaches every declared status (else the round trip misses one)."""
    for kind in catalogue.kinds():
        assert set(reach(kind)) == set(kind.statuses), kind.name


@pytest.mark.parametrize(("kind", "status"), list(NOT_IMPORTED_BACK))
def test_what_is_not_imported_back_is_refused(
    services: Services, tmp_path: Path, kind: str, status: str
) -> None:
    """Each listed status is refused indeed, writing nothing (else unlist it)."""
    if kind not in importable():
        with pytest.raises(InvalidValueError, match="not imported from CSV"):
            check_importable(kind)
        return
    source, _ = owners(services, kind)
    path = write(tmp_path, "r.csv", walked(services, source, kind, [status]))
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError):
        import_register(services.app, kind, path, "TARGET", "importer")
    assert services.app.head_position() == head
