"""The same bodies against SQLite and PostgreSQL: create, command, reload, conflict."""

from __future__ import annotations

import io
import threading
from uuid import UUID

import pytest

from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta, TransitionError
from service.domain.document import Document
from service.domain.risk import RATINGS, Risk
from service.errors import (
    ConcurrentWriteError,
    DuplicateError,
    NotFoundError,
    VersionConflictError,
)
from tests.values import risk_values
from usecases.root import build_services


def new_project(app: PmoApplication, meta: Meta, code: str = "ALPHA") -> UUID:
    return app.register_project(code, "Alpha", "A project", "Sam", "Max", meta).id


def new_risk(app: PmoApplication, meta: Meta, project_id: UUID) -> UUID:
    return app.perform(
        "identify_risk",
        project_id,
        risk_values(
            title="Late supplier",
            cause="cause",
            event="event",
            effect="effect",
            category="schedule",
            owner="Olivia",
            proximity="within-stage",
            impact=4,
        ),
        meta,
    ).id


def test_commands_return_id_version_and_increasing_positions(
    app: PmoApplication, meta: Meta
) -> None:
    project = app.register_project("ALPHA", "Alpha", "", "Sam", "Max", meta)
    risk = app.perform(
        "identify_risk",
        project.id,
        risk_values(title="Late", owner="O", probability=2, impact=2),
        meta,
    )
    assessed = app.perform(
        "assess_risk",
        risk.id,
        {
            "inherent_probability": 4,
            "inherent_impact": 5,
            "residual_probability": 2,
            "residual_impact": 3,
        },
        meta,
    )
    assert (project.version, risk.version, assessed.version) == (1, 1, 2)
    assert project.position < risk.position < assessed.position
    assert app.head_position() == assessed.position


def test_state_survives_a_fresh_application(settings: Settings, meta: Meta) -> None:
    first = build_services(settings)
    project_id = new_project(first.app, meta)
    risk_id = new_risk(first.app, meta, project_id)
    first.app.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 4,
            "inherent_impact": 5,
            "residual_probability": 2,
            "residual_impact": 2,
        },
        meta,
    )
    first.app.perform("close_risk", risk_id, {}, meta)
    first.close()
    second = build_services(settings)
    try:
        risk = second.app.load(Risk, risk_id)
        assert (risk.status, risk.version, risk.residual_score) == ("closed", 3, 4)
    finally:
        second.close()


def test_expected_version_mismatch_is_a_typed_conflict(
    app: PmoApplication, meta: Meta
) -> None:
    risk_id = new_risk(app, meta, new_project(app, meta))
    with pytest.raises(VersionConflictError) as caught:
        app.perform("close_risk", risk_id, {}, meta, 7)
    assert (caught.value.expected, caught.value.actual) == (7, 1)
    assert app.load(Risk, risk_id).version == 1


def test_concurrent_writers_never_overwrite_each_other(
    app: PmoApplication, meta: Meta
) -> None:
    risk_id = new_risk(app, meta, new_project(app, meta))
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def assess() -> None:
        barrier.wait()
        try:
            app.perform(
                "assess_risk",
                risk_id,
                {
                    "inherent_probability": 3,
                    "inherent_impact": 3,
                    "residual_probability": 2,
                    "residual_impact": 2,
                },
                meta,
            )
            outcomes.append("ok")
        except ConcurrentWriteError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=assess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 8
    assert app.load(Risk, risk_id).version == 1 + outcomes.count("ok")


def test_duplicate_project_code_refused(app: PmoApplication, meta: Meta) -> None:
    new_project(app, meta, "BETA")
    head = app.head_position()
    with pytest.raises(DuplicateError):
        new_project(app, meta, "beta")
    assert app.head_position() == head


def test_nothing_recorded_against_a_closed_project(
    app: PmoApplication, meta: Meta
) -> None:
    project_id = new_project(app, meta)
    risk_id = new_risk(app, meta, project_id)
    app.close_project(project_id, meta)
    head = app.head_position()
    with pytest.raises(TransitionError, match="closed"):
        new_risk(app, meta, project_id)
    with pytest.raises(TransitionError, match="closed"):
        app.perform("close_risk", risk_id, {}, meta)
    response = {"response": "reduce", "actions": "a", "actionee": "b"}
    refusals = {  # the words release 0.1 used
        "assess a risk in": ("assess_risk", dict.fromkeys(RATINGS, 2)),
        "plan a risk response in": ("plan_risk_response", response),
        "close a risk in": ("close_risk", {}),
    }
    for action, (use_case, values) in refusals.items():
        with pytest.raises(TransitionError) as refused:
            app.perform(use_case, risk_id, values, meta)
        assert str(refused.value) == f"cannot {action} a project that is closed"
    assert app.head_position() == head
    app.reopen_project(project_id, Meta("pat", "pmo-head"))
    app.perform("close_risk", risk_id, {}, meta)


def test_unknown_and_wrong_type_ids_are_not_found(
    app: PmoApplication, meta: Meta
) -> None:
    project_id = new_project(app, meta)
    with pytest.raises(NotFoundError):
        app.perform("close_risk", project_id, {}, meta)
    with pytest.raises(NotFoundError):
        app.load(Risk, UUID(int=1))


def fresh_get(settings: Settings, entity_id: UUID) -> object:
    other = build_services(settings)
    try:
        return other.app.repository.get(entity_id)
    finally:
        other.close()


def test_snapshot_and_replay_give_the_same_state(
    settings: Settings, app: PmoApplication, meta: Meta
) -> None:
    project_id = new_project(app, meta)
    risk_id = new_risk(app, meta, project_id)
    for i in range(120):
        app.perform(
            "assess_risk",
            risk_id,
            {
                "inherent_probability": 1 + i % 5,
                "inherent_impact": 2,
                "residual_probability": 1,
                "residual_impact": 1 + i % 3,
            },
            meta,
        )
    assert app.snapshots is not None
    assert list(app.snapshots.get(risk_id))
    from_snapshot = fresh_get(settings, risk_id)
    events = list(app.events.get(risk_id))
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert vars(from_snapshot) == vars(replayed)


def test_document_snapshot_round_trips_dataclasses(
    settings: Settings, app: PmoApplication, meta: Meta
) -> None:
    project_id = new_project(app, meta)
    custodian = Meta("cara", "custodian")
    doc_id = app.register_document(
        project_id, "PID", "plan", "internal", "project-record", "Cara", custodian
    ).id
    for i in range(30):
        app.submit_version(
            doc_id, io.BytesIO(b"v%d" % i), "text/plain", "pid.txt", "", custodian
        )
        app.send_version_for_review(doc_id, i + 1, custodian)
    app.approve_version(doc_id, 30, custodian)
    reloaded = fresh_get(settings, doc_id)
    assert isinstance(reloaded, Document)
    assert app.snapshots is not None and list(app.snapshots.get(doc_id))
    assert reloaded.authoritative is not None
    assert reloaded.authoritative.number == 30
    assert [v.status for v in reloaded.versions[-2:]] == ["in-review", "approved"]


def test_a_retried_insert_of_our_own_committed_events_is_a_success(
    app: PmoApplication, meta: Meta
) -> None:
    """The store may retry an insert whose first attempt committed (lost reply)."""
    project_id = new_project(app, meta)
    risk = Risk.identify(
        project_id, "Late", "c", "e", "f", "cost", "threat", "O", "imminent", 2, 2, meta
    )
    # The first attempt landed, but its answer never reached us.
    pending = risk.collect_events()
    app.recorder.insert_events([app.mapper.to_stored_event(e) for e in pending])
    for event in pending:
        risk.pending_events.append(event)
    written = app.create(risk)
    assert (written.id, written.version) == (risk.id, 1)
    assert written.position == app.head_position()
    assert len(list(app.events.get(risk.id))) == 1


def test_someone_elses_event_at_our_version_is_still_a_conflict(
    app: PmoApplication, meta: Meta
) -> None:
    risk_id = new_risk(app, meta, new_project(app, meta))
    mine = app.load(Risk, risk_id)
    app.perform("close_risk", risk_id, {}, Meta("other", "project-officer"))
    mine.close(meta)
    with pytest.raises(ConcurrentWriteError):
        app.commit(mine)
