"""Erasure with the proofs intact: a person recorded across registers and
documents is erased; no byte the service wrote still holds them, every proof
and evidence pack (taken before and after) verifies, reads and a rebuild show
the personal fields erased (docs/privacy.md)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from service.domain.erasure import ERASED
from tests.conftest import PG_DSN
from tests.privacy.conftest import STAKEHOLDER, Office
from usecases.rebuild import RebuildReadModels, rebuild_read_models
from usecases.root import ledger_worker

NAME = "Quentavius Marlowe-Zybrinski"
EMAIL = "q.zybrinski.7f3a@example.org"
NEEDLES = (NAME, EMAIL, "Zybrinski")


def created(response: Any) -> str:
    assert response.status_code in (200, 201), response.json
    return str(response.json["id"])


def record_the_person(office: Office, project: str) -> dict[str, str]:
    """The person as a stakeholder, a named resource, a document's owner and a
    copy's recipient; returns the ids."""
    person = STAKEHOLDER | {"name": NAME, "email": EMAIL}
    stakeholder = created(office.post(f"/projects/{project}/stakeholders", person))
    demand = created(
        office.post(
            f"/projects/{project}/demands",
            {"role": "Analyst", "skill": "", "person": None, "notes": ""},
        )
    )
    assert office.post(f"/demands/{demand}/person", {"person": NAME}).status_code == 200
    document = created(
        office.post(
            f"/projects/{project}/documents",
            {
                "title": "Stakeholder map",
                "doc_type": "plan",
                "classification": "internal",
                "retention_class": "project-record",
                "owner": NAME.upper(),
            },
        )
    )
    version = office.post(
        f"/documents/{document}/versions",
        data=b"%PDF-1.4 a stakeholder map",
        headers={"Content-Type": "application/pdf", "X-Filename": "map.pdf"},
    )
    assert version.status_code == 201, version.json
    copy = {"number": 1, "recipient": NAME, "purpose": "review"}
    assert office.post(f"/documents/{document}/copies", copy).status_code == 201
    return {"stakeholder": stakeholder, "demand": demand, "document": document}


def reads(office: Office, project: str, ids: dict[str, str]) -> dict[str, Any]:
    """What a reader sees of the person, from the read models and the entities."""
    wait = {"min_position": office.head()}
    listed = office.get(f"/projects/{project}/stakeholders", query_string=wait).json
    stakeholder = office.get(f"/stakeholders/{ids['stakeholder']}").json
    demand = office.get(f"/demands/{ids['demand']}").json
    document = office.get(f"/documents/{ids['document']}").json
    return {
        "listed": [(i["name"], i["email"]) for i in listed["items"]],
        "stakeholder": (stakeholder["name"], stakeholder["email"]),
        "person": demand["person"],
        "owner": document["owner"],
        "recipients": [c["recipient"] for c in document["copies"]],
    }


def evidence_pack(office: Office, code: str, path: Path) -> Path:
    ledger_worker(office.services).sign_now()
    office.cli("export", "evidence", code, "-o", str(path))
    return path


def found_in_files(data_dir: Path) -> list[str]:
    """Every file under the data dir holding a needle, in any case."""
    hits = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        raw = path.read_bytes().lower()
        hits += [f"{path.name}: {n}" for n in NEEDLES if n.lower().encode() in raw]
    return hits


def holding(data_dir: Path, raw: bytes) -> list[str]:
    """The files under the data dir holding these bytes."""
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    return [p.name for p in files if raw in p.read_bytes()]


def found_in_tables(schema: str) -> list[str]:
    """Every table of the schema with a row holding a needle, after VACUUM."""
    hits = []
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            )
        ]
        for table in tables:
            name = sql.Identifier(schema, table)
            conn.execute(sql.SQL("VACUUM {}").format(name))
            for row in conn.execute(sql.SQL("SELECT * FROM {}").format(name)):
                text = " ".join(map(as_text, row)).lower()
                hits += [f"{table}: {n}" for n in NEEDLES if n.lower() in text]
    return hits


def found(settings: Any) -> list[str]:
    """The needles in every file the service wrote, and on PostgreSQL its tables."""
    hits = found_in_files(settings.data_dir)
    if settings.backend == "postgres":
        hits += found_in_tables(settings.postgres_schema)
    return hits


def as_text(value: Any) -> str:
    """A column's value as text; bytes (an event's state) as they are stored."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def test_an_erased_person_is_nowhere_and_the_proofs_hold(
    office: Office, tmp_path: Path
) -> None:
    code = "ERA-" + uuid.uuid4().hex[:6].upper()
    project = office.project(code)
    ids = record_the_person(office, project)
    before = reads(office, project, ids)
    assert before["stakeholder"] == (NAME, EMAIL) and before["person"] == NAME
    pack_before = evidence_pack(office, code, tmp_path / "before.zip")

    kept = {"Idempotency-Key": "access-1"}
    access = office.post("/privacy/subject-access", {"email": EMAIL}, headers=kept)
    assert access.status_code == 200, access.json
    held = {
        (i["event"], tuple(sorted(i["values"].items()))) for i in access.json["items"]
    }
    # What the grep below must no longer find is there now (read models, the
    # kept response of the access request), so the grep can fail.
    settings = office.settings
    assert any(EMAIL in hit for hit in found(settings))
    assert held == {
        ("Identified", (("email", EMAIL), ("name", NAME))),
        ("PersonNamed", (("person", NAME),)),
        ("Registered", (("owner", NAME.upper()),)),
        ("CopyIssued", (("recipient", NAME),)),
    }

    keys = office.services.app.keys
    (subject,) = access.json["subjects"]
    key = keys.key(uuid.UUID(subject))
    assert key is not None and len(key) == 32
    if settings.backend == "sqlite":
        assert holding(settings.data_dir, key) != []

    erasure = office.post(
        "/privacy/erasures",
        {"name": NAME, "email": EMAIL, "legal_basis": "objection", "reason": "asked"},
    )
    assert erasure.status_code == 201, erasure.json
    assert len(erasure.json["subjects"]) == 1
    assert erasure.json["pending_rebuild"] == [] and erasure.json["compacted"]
    assert sorted(erasure.json["rebuilt"]) == [
        "audit",
        "demands",
        "documents",
        "stakeholders",
    ]

    after = reads(office, project, ids)
    assert after == {
        "listed": [(ERASED, ERASED)],
        "stakeholder": (ERASED, ERASED),
        "person": ERASED,
        "owner": ERASED,
        "recipients": [ERASED],
    }
    again = office.post("/privacy/subject-access", {"email": EMAIL})
    assert again.json["items"] == [] and again.json["subjects"] == []

    assert keys.key(uuid.UUID(subject)) is None
    if settings.backend == "sqlite":  # the destroyed key is in no page of any file
        assert holding(settings.data_dir, key) == []
    assert (settings.data_dir / "service.log").stat().st_size > 0
    assert found(settings) == []

    pack_after = evidence_pack(office, code, tmp_path / "after.zip")
    office.cli("verify")
    for pack in (pack_before, pack_after):
        office.cli("verify-evidence", str(pack))

    rebuild_read_models(office.services, RebuildReadModels(workers=1), Quiet())
    assert reads(office, project, ids) == after
    listed = office.get("/privacy/erasures", role="pmo-head").json["items"]
    assert [(e["legal_basis"], e["reason"], e["subjects"]) for e in listed] == [
        ("objection", "asked", 1)
    ]


REFUSED = [
    ({"legal_basis": "objection", "reason": "asked"}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "whim", "reason": "asked"}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "objection"}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "objection", "reason": " "}, "pmo-head", 422),
    ({"name": "X", "legal_basis": "objection", "reason": "a"}, "custodian", 403),
    ({"name": "X", "legal_basis": "objection", "reason": "a", "x": 1}, "pmo-head", 422),
    ({"email": "x" * 300, "legal_basis": "objection", "reason": "a"}, "pmo-head", 422),
]


def test_a_refused_erasure_or_access_writes_nothing(office: Office) -> None:
    head = office.head()
    for body, role, status in REFUSED:
        response = office.post("/privacy/erasures", body, role=role)
        assert response.status_code == status, (body, response.json)
        assert response.content_type == "application/problem+json"
    for body, role in (({}, "pmo-head"), ({"name": "X"}, "auditor")):
        response = office.post("/privacy/subject-access", body, role=role)
        assert response.status_code in (403, 422), response.json
    assert office.head() == head


class Quiet:
    def begin(self, label: str, length: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def end(self) -> None:
        pass
