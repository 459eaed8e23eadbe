"""Erasing an account: someone who recorded events has left. Their tokens are
revoked, and their name, wherever it says who recorded something (every event's
actor, a token's holder), is sealed under their account's key: destroying it
leaves no byte of the name in any file or table, while every proof and evidence
pack still verifies (docs/privacy.md)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from service.domain.erasure import ERASED
from tests.api.conftest import DOCUMENT, PROJECT, RISK
from tests.privacy import test_erasure
from tests.privacy.conftest import Office
from tests.privacy.test_erasure import Quiet, evidence_pack
from usecases.rebuild import RebuildReadModels, rebuild_read_models

LEAVER = "Yevgenia Thornquist-Ollivander"
NEEDLES = (LEAVER, "Thornquist")
STAYS = "pmo-head-user"


@pytest.fixture
def needles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The erasure test's file and table greps, looking for the leaver."""
    monkeypatch.setattr(test_erasure, "NEEDLES", NEEDLES)


def the_leaver_works(office: Office, code: str) -> dict[str, str]:
    """A project, a risk changed, a document with a version, an idempotent
    write and an export, all recorded by the leaver's account."""
    issued = office.post("/tokens", {"name": LEAVER, "role": "pmo-head"})
    assert issued.status_code == 201, issued.json
    office.tokens["leaver"] = issued.json["secret"]
    as_leaver: dict[str, Any] = {"role": "leaver"}
    project = office.post("/projects", PROJECT | {"code": code}, **as_leaver)
    assert project.status_code == 201, project.json
    pid = project.json["id"]
    risk = office.post(
        f"/projects/{pid}/risks",
        RISK,
        headers={"Idempotency-Key": "leaver-risk-1"},
        **as_leaver,
    )
    assert risk.status_code == 201, risk.json
    assessed = office.post(
        f"/risks/{risk.json['id']}/assessments",
        {
            "inherent_probability": 4,
            "inherent_impact": 4,
            "residual_probability": 2,
            "residual_impact": 2,
        },
        headers={"If-Match": risk.headers["ETag"]},
        **as_leaver,
    )
    assert assessed.status_code == 201, assessed.json
    document = office.post(f"/projects/{pid}/documents", DOCUMENT, **as_leaver)
    assert document.status_code == 201, document.json
    version = office.post(
        f"/documents/{document.json['id']}/versions",
        data=b"%PDF-1.4 a brief",
        headers={"Content-Type": "application/pdf", "X-Filename": "brief.pdf"},
        **as_leaver,
    )
    assert version.status_code == 201, version.json
    exported = office.get(f"/projects/{pid}/risks.csv", role="leaver")
    assert exported.status_code == 200
    # Someone who stays records on the same entities.
    closed = office.post(f"/risks/{risk.json['id']}/close", {"reason": "gone"})
    assert closed.status_code == 200, closed.json
    return {"project": pid, "risk": risk.json["id"], "token": issued.json["id"]}


def actors(office: Office, ids: dict[str, str]) -> dict[str, Any]:
    """Who recorded what, as every read shows it."""
    wait = {"min_position": office.head()}
    history = office.get(f"/risks/{ids['risk']}/history").json
    trail = office.get(
        "/audit/events", query_string=wait | {"project_id": ids["project"]}
    ).json
    tokens = office.get("/tokens", role="pmo-head").json["items"]
    return {
        "risk": [e["actor"] for e in history["events"]],
        "trail": sorted({e["actor"] for e in trail["items"]}),
        "token": [(t["name"], t["status"]) for t in tokens if t["id"] == ids["token"]],
    }


def test_an_erased_account_is_nowhere_and_the_proofs_hold(
    office: Office, tmp_path: Path, needles: None
) -> None:
    code = "ACC-" + uuid.uuid4().hex[:6].upper()
    ids = the_leaver_works(office, code)
    assert actors(office, ids) == {
        "risk": [LEAVER, LEAVER, STAYS],
        "trail": sorted([LEAVER, STAYS]),
        "token": [(LEAVER, "active")],
    }
    settings = office.settings
    # The name is in the read models now, so the grep below can fail.
    assert any(LEAVER.lower() in hit.lower() for hit in test_erasure.found(settings))
    pack_before = evidence_pack(office, code, tmp_path / "before.zip")

    erasure = office.post(
        "/privacy/account-erasures",
        {
            "name": LEAVER.upper(),
            "legal_basis": "no-longer-necessary",
            "reason": "left",
        },
    )
    assert erasure.status_code == 201, erasure.json
    assert len(erasure.json["subjects"]) == 1
    assert erasure.json["pending_rebuild"] == [] and erasure.json["compacted"]

    erased = {
        "risk": [ERASED, ERASED, STAYS],
        "trail": sorted([ERASED, STAYS]),
        "token": [(ERASED, "revoked")],
    }
    assert actors(office, ids) == erased
    assert office.get("/projects", role="leaver").status_code == 401
    assert (settings.data_dir / "service.log").stat().st_size > 0
    assert test_erasure.found(settings) == []

    pack_after = evidence_pack(office, code, tmp_path / "after.zip")
    office.cli("verify")
    for pack in (pack_before, pack_after):
        office.cli("verify-evidence", str(pack))
    rebuild_read_models(office.services, RebuildReadModels(workers=1), Quiet())
    assert actors(office, ids) == erased
    listed = office.get("/privacy/erasures", role="pmo-head").json["items"]
    assert [(e["legal_basis"], e["reason"]) for e in listed] == [
        ("no-longer-necessary", "left")
    ]


REFUSED = [
    ({"legal_basis": "objection", "reason": "left"}, "pmo-head", 422),
    ({"name": " ", "legal_basis": "objection", "reason": "left"}, "pmo-head", 422),
    ({"name": "system", "legal_basis": "objection", "reason": "left"}, "pmo-head", 422),
    ({"name": STAYS, "legal_basis": "objection", "reason": "left"}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "whim", "reason": "left"}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "objection", "reason": " "}, "pmo-head", 422),
    ({"name": "X" * 201, "legal_basis": "objection", "reason": "a"}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "objection", "reason": "a", "x": 1}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "objection", "reason": "a"}, "custodian", 403),
]


def test_a_refused_account_erasure_writes_nothing(office: Office) -> None:
    head = office.head()
    for body, role, status in REFUSED:
        response = office.post("/privacy/account-erasures", body, role=role)
        assert response.status_code == status, (body, response.json)
        assert response.content_type == "application/problem+json"
    assert office.head() == head
    # The one who asked to erase their own account still works.
    assert office.get("/projects", role="pmo-head").status_code == 200
