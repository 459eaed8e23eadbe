"""The ledger commands and evidence packs from a real store."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from integrity import verifier
from integrity.evidence import verify_evidence_pack
from tests.ledger.store import Store
from tests.ledger.test_tamper import edit_state


def run(store: Store, *args: str) -> tuple[int, str]:
    env = {
        "PMO_LEDGER_DATA_DIR": str(store.settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": store.settings.database_url,
    }
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout


def rewrite(pack: bytes, name: str, change: Callable[[str], str]) -> io.BytesIO:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(pack)) as source,
        zipfile.ZipFile(out, "w") as dest,
    ):
        for item in source.infolist():
            data = source.read(item.filename).decode()
            dest.writestr(
                item.filename, change(data) if item.filename == name else data
            )
    out.seek(0)
    return out


def test_verify_head_and_evidence_round_trip(store: Store, tmp_path: Path) -> None:
    code, out = run(store, "ledger", "head")
    assert code == 0
    head = json.loads(out)
    assert head["tree_size"] == store.heads[-1].tree_size
    head_file = tmp_path / "head.json"
    head_file.write_text(out)

    code, out = run(store, "verify", "--head", str(head_file))
    assert code == 0, out
    assert f"verified {head['tree_size']} events up to head" in out

    pack = tmp_path / "pack.zip"
    code, out = run(store, "export", "evidence", "LED-1", "-o", str(pack))
    assert code == 0, out
    code, out = run(store, "verify-evidence", str(pack), "--head", str(head_file))
    assert code == 0, out
    assert "verified" in out and "of project LED-1" in out

    edit_state(store)
    code, out = run(store, "verify")
    assert code == 1
    assert out.startswith("FAILED at position 9:")


def test_verify_reports_the_same_with_or_without_readers(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "BATCH", 4)  # several pages to share out
    edit_state(store)
    outcomes = {readers: run(store, "verify", "--readers", readers) for readers in "02"}
    assert outcomes["0"] == outcomes["2"]
    assert outcomes["2"][0] == 1
    assert outcomes["2"][1].startswith("FAILED at position 9:")


def test_evidence_pack_from_a_store_and_its_refusals(
    store: Store, tmp_path: Path
) -> None:
    pack_file = tmp_path / "pack.zip"
    assert (
        run(store, "export", "evidence", str(store.project_id), "-o", str(pack_file))[0]
        == 0
    )
    pack = pack_file.read_bytes()
    report = verify_evidence_pack(io.BytesIO(pack))
    assert report.ok, report.summary()
    assert report.events_checked == 1 + 1 + 12 + 5 + 2 * 2  # project, code, ...

    def edit_line(text: str) -> str:
        lines = text.splitlines(keepends=True)
        lines[2] = lines[2].replace('"originator_version":1', '"originator_version":2')
        return "".join(lines)

    def drop_line(text: str) -> str:
        lines = text.splitlines(keepends=True)
        return "".join(lines[:3] + lines[4:])

    def bad_signature(text: str) -> str:
        data = json.loads(text)
        data["signature"] = data["signature"][:-4] + (
            "AAA=" if data["signature"][-4:] != "AAA=" else "BBB="
        )
        return json.dumps(data)

    for name, change, problem in (
        ("events.ndjson", edit_line, "line 3"),
        ("events.ndjson", drop_line, "events.ndjson line 4"),
        ("head.json", bad_signature, "signature does not verify"),
    ):
        refused = verify_evidence_pack(rewrite(pack, name, change))
        assert not refused.ok
        assert problem in refused.summary(), refused.summary()


def test_export_of_an_unknown_project_is_refused(store: Store, tmp_path: Path) -> None:
    env = {
        "PMO_LEDGER_DATA_DIR": str(store.settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": store.settings.database_url,
    }
    result = CliRunner().invoke(
        main, ["export", "evidence", "NOPE-9", "-o", str(tmp_path / "x.zip")], env=env
    )
    assert result.exit_code == 1
    assert "no project 'NOPE-9'" in result.stderr
