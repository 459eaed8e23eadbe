"""Interrupted processing never doubles or loses a row; a failing event stops it."""

from __future__ import annotations

from typing import ClassVar

import pytest
from sqlalchemy import Connection

from projections.models import registers
from projections.processing import ProcessingError
from projections.read_model import Item
from tests.projections.conftest import dump, processor, workload
from tests.projections.workload import driven_models
from usecases.root import Services

RiskRegister = registers()["risks"]


class FailingRisks(RiskRegister):
    """The risk register, failing on the Nth event it applies (once armed)."""

    fail_at: ClassVar[int | None] = None
    applied: ClassVar[int] = 0

    def apply(self, conn: Connection, item: Item) -> None:
        """Count, and raise on the armed event."""
        type(self).applied += 1
        if type(self).applied == self.fail_at:
            raise RuntimeError("simulated crash inside the transaction")
        super().apply(conn, item)


def test_restart_between_batches_resumes_exactly(services: Services) -> None:
    workload(services.app, 500)
    for cls in driven_models():
        first = processor(services, cls, batch=40)
        assert first.run_batch() and first.run_batch()
        stopped_at = first.tracking().position
        restarted = processor(services, cls, batch=40)  # a fresh process
        assert restarted.tracking().position == stopped_at
        restarted.catch_up()
        clean = processor(services, cls, generation=2)
        clean.catch_up()
        engine = services.views_engine
        assert dump(engine, restarted.model) == dump(engine, clean.model)


def test_crash_inside_a_transaction_keeps_rows_and_position_together(
    services: Services,
) -> None:
    workload(services.app, 400)
    FailingRisks.fail_at, FailingRisks.applied = 25, 0
    faulty = processor(services, FailingRisks, batch=1000)
    with pytest.raises(ProcessingError) as caught:
        faulty.run_batch()
    row = faulty.tracking()
    assert row.error_position == caught.value.position
    assert row.position == row.error_position - 1  # the prefix was committed
    assert "simulated crash" in (row.error or "")
    rows_before = dump(services.views_engine, faulty.model)[""]
    assert len(rows_before) == 24
    assert max(r[-5] for r in rows_before) <= row.position  # position column
    FailingRisks.fail_at = None
    fixed = processor(services, FailingRisks, batch=1000)
    fixed.catch_up()
    assert fixed.tracking().error is None
    clean = processor(services, RiskRegister, generation=2)
    clean.catch_up()
    assert dump(services.views_engine, fixed.model) == dump(
        services.views_engine, clean.model
    )
