"""Events recorded before sealing: erasure redacts every derived copy, and the
plaintext stays only in the events themselves (docs/privacy.md)."""

from __future__ import annotations

from service.domain.erasure import ERASED
from service.privacy.sealing import personal_specs
from tests.privacy.conftest import STAKEHOLDER, Office
from tests.privacy.test_erasure import EMAIL, NAME, created, found


def test_plaintext_of_old_events_is_redacted_in_every_derived_copy(
    office: Office,
) -> None:
    project = office.project()
    mapper = office.services.app.mapper
    # A store written before sealing: the same mapper with nothing declared.
    mapper.specs = {}  # type: ignore[attr-defined]
    person = STAKEHOLDER | {"name": NAME, "email": EMAIL}
    entry = created(office.post(f"/projects/{project}/stakeholders", person))
    mapper.specs = personal_specs()  # type: ignore[attr-defined]
    wait = {"min_position": office.head()}
    listed = office.get(f"/projects/{project}/stakeholders", query_string=wait).json
    assert [i["name"] for i in listed["items"]] == [NAME]
    before = {hit.split(":")[0] for hit in found(office.settings)}

    erasure = office.post(
        "/privacy/erasures",
        {"name": NAME, "legal_basis": "objection", "reason": "asked"},
    )
    assert erasure.status_code == 201, erasure.json
    assert erasure.json["subjects"] == []  # no key ever sealed anything of theirs

    shown = office.get(f"/stakeholders/{entry}").json
    assert (shown["name"], shown["email"]) == (ERASED, ERASED)
    wait = {"min_position": office.head()}
    listed = office.get(f"/projects/{project}/stakeholders", query_string=wait).json
    assert [(i["name"], i["email"]) for i in listed["items"]] == [(ERASED, ERASED)]
    # The events keep the plaintext (their leaves cover it); nothing derived does.
    events = "events.db" if office.settings.backend == "sqlite" else "pmoledger_events"
    assert len(before) > 1  # the read models had it too
    after = {hit.split(":")[0] for hit in found(office.settings)}
    assert after and after <= {events, events + "-wal"}
