"""Fuzzing the live server: schemathesis over its OpenAPI, Hypothesis on uploads
and on the CSV import. Zero 5xx, responses in the spec, refusals write nothing."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import uuid
from pathlib import Path

import pytest
import schemathesis
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.cli import main
from service.domain.base import Meta
from tests.conftest import settings_for
from tests.reliability.conftest import (
    FULL,
    TOKEN,
    Server,
    new_document,
    new_project,
    raw_post,
)
from tests.reliability.extremes import push_to_extreme, refused_as_problem
from usecases.root import build_services

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25 if FULL else 3
UPLOADS = 300 if FULL else 30
IMPORTS = 200 if FULL else 20
EXTREME_EXAMPLES = 10 if FULL else 2


def fuzz(examples: int) -> settings:
    """Bounded Hypothesis settings: derandomized in CI, random when FULL."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=not FULL,
    )


def test_schemathesis_against_the_live_server(shared: Server) -> None:
    client = shared.client
    new_project(client, "FUZZ")
    schema = schemathesis.openapi.from_url(
        f"http://127.0.0.1:{shared.port}/openapi.json"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    headers = {"Authorization": f"Bearer {TOKEN}"}
    sent = 0

    for operation in operations:

        @given(case=operation.as_strategy())
        @fuzz(EXAMPLES)
        def check(case: schemathesis.Case) -> None:
            nonlocal sent
            sent += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
    assert "unexpected error" not in shared.log()
    print(f"\n{shared.backend}: {sent} fuzzed requests on {len(operations)} operations")


def test_extreme_values_against_the_live_server(shared: Server) -> None:
    """Each case pushed to an extreme: no 5xx, every refusal problem+json."""
    schema = schemathesis.openapi.from_url(
        f"http://127.0.0.1:{shared.port}/openapi.json"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    pushed = 0

    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @fuzz(EXTREME_EXAMPLES)
        def check(case: schemathesis.Case, data: st.DataObject) -> None:
            nonlocal pushed
            pushed += push_to_extreme(case, data)
            case.call_and_validate(
                headers=headers,
                checks=[not_a_server_error, refused_as_problem],
                timeout=60,
            )

        check()
    assert pushed > len(operations)
    assert "unexpected error" not in shared.log()


def document(shared: Server) -> str:
    """A fresh document in a fresh project; its id."""
    project = new_project(shared.client, f"UP{uuid.uuid4().hex[:8]}")
    return new_document(shared.client, project)


def digest_header(data: bytes, mode: str) -> str | None:
    """A Content-Digest header: right, wrong, malformed or absent."""
    if mode == "none":
        return None
    if mode == "malformed":
        return "sha-256=not base64 at all"
    value = data if mode == "right" else data + b"x"
    encoded = base64.b64encode(hashlib.sha256(value).digest()).decode()
    return f"sha-256=:{encoded}:"


def test_upload_path_fuzzed(shared: Server) -> None:
    doc = document(shared)
    path = f"/api/v1/documents/{doc}/versions"
    outcomes: dict[str, int] = {}

    @given(
        data=st.binary(max_size=4096),
        mode=st.sampled_from(["right", "wrong", "malformed", "none"]),
        cut=st.one_of(st.none(), st.integers(min_value=0, max_value=4095)),
        content_type=st.sampled_from(["application/pdf", "text/plain", ""]),
    )
    @fuzz(UPLOADS)
    def check(data: bytes, mode: str, cut: int | None, content_type: str) -> None:
        truncated = cut is not None and cut < len(data)
        before = versions(shared, doc)
        headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Content-Length": str(len(data)),
            "X-Filename": "fuzz.bin",
        }
        if content_type:
            headers["Content-Type"] = content_type
        if (digest := digest_header(data, mode)) is not None:
            headers["Content-Digest"] = digest
        answer = raw_post(
            shared.port, path, data, headers, send=cut if truncated else None
        )
        status = 0 if answer is None else answer[0]
        outcomes[str(status)] = outcomes.get(str(status), 0) + 1
        assert status < 500, answer
        expect_ok = mode in ("right", "none") and not truncated and content_type
        if expect_ok:
            assert status == 201, answer
            assert answer is not None
            assert json.loads(answer[2])["sha256"] == hashlib.sha256(data).hexdigest()
            assert versions(shared, doc) == before + 1
        else:
            assert status != 201 and status in (0, 400, 415, 422), answer
            assert versions(shared, doc) == before  # a refusal writes nothing

    check()
    assert not list((shared.data_dir / "blobs" / "tmp").iterdir())  # no partial blob
    assert "unexpected error" not in shared.log()
    print(f"\n{shared.backend}: {sum(outcomes.values())} uploads fuzzed: {outcomes}")


def versions(shared: Server, doc: str) -> int:
    """How many versions the document has, from its events."""
    return len(shared.client.ok("GET", f"/documents/{doc}")["versions"])


RISK_COLUMNS = (
    "title", "cause", "event", "effect", "category", "kind", "owner", "proximity",
    "probability", "impact", "residual_probability", "residual_impact", "response",
    "actions", "actionee", "status",
)  # fmt: skip
GOOD = {
    "title": "Late", "cause": "c", "event": "e", "effect": "f",
    "category": "schedule", "kind": "threat", "owner": "O",
    "proximity": "imminent", "probability": "3", "impact": "4",
    "residual_probability": "2", "residual_impact": "2", "response": "reduce",
    "actions": "a", "actionee": "L", "status": "open",
}  # fmt: skip
cell = st.one_of(
    st.sampled_from(
        ["", "0", "6", "-1", "3.5", "closed", "open", "weather", "x" * 600]
    ),
    st.text(max_size=40),
)
row = st.fixed_dictionaries({}, optional={column: cell for column in RISK_COLUMNS}).map(
    lambda changes: {**GOOD, **changes}
)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_csv_import_fuzzed(backend: str, tmp_path: Path) -> None:
    with settings_for(backend, tmp_path / "data") as config:
        services = build_services(config)
        try:
            services.app.register_project(
                "IMP", "Imp", "", "S", "M", Meta("t", "pmo-head")
            )
        finally:
            services.close()
        env = {
            "PMO_LEDGER_DATA_DIR": str(config.data_dir),
            "PMO_LEDGER_DATABASE_URL": config.database_url,
        }
        file = tmp_path / "risks.csv"
        outcomes = {"imported": 0, "refused": 0}

        @given(
            rows=st.lists(row, min_size=0, max_size=6),
            columns=st.one_of(
                st.just(list(RISK_COLUMNS)),
                st.lists(st.sampled_from(RISK_COLUMNS), unique=True, min_size=1),
            ),
            garbage=st.one_of(st.none(), st.binary(max_size=200)),
        )
        @fuzz(IMPORTS)
        def check(
            rows: list[dict[str, str]], columns: list[str], garbage: bytes | None
        ) -> None:
            if garbage is not None:
                file.write_bytes(garbage)
            else:
                out = io.StringIO()
                writer = csv.DictWriter(out, columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
                file.write_text(out.getvalue())
            before = head(config)
            result = CliRunner().invoke(
                main, ["import", "risks", str(file), "--project", "IMP"], env=env
            )
            assert result.exception is None or isinstance(
                result.exception, SystemExit
            ), result.output
            if result.exit_code == 0:
                outcomes["imported"] += 1
                assert head(config) > before or not rows
            else:
                outcomes["refused"] += 1
                assert result.exit_code == 1 and "Traceback" not in result.output
                assert head(config) == before  # a refused file writes nothing

        check()
    print(f"\ncsv import: {outcomes}")


def head(config: object) -> int:
    """The event store's head position."""
    services = build_services(config, create_tables=False)  # type: ignore[arg-type]
    try:
        return services.app.head_position()
    finally:
        services.close()
