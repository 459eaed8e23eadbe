"""docs/api.md's walk-through, run as written against `pmo-ledger serve`.

The shell blocks under "Try it against `make run`" are run by bash with
`set -euo pipefail` and curl failing on any HTTP error, on a live server, so
the walk-through cannot drift from what the server does.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from tests.e2e.test_server import TOKEN, serving

DOC = Path(__file__).parent.parent.parent / "docs" / "api.md"
DOCUMENTED = "http://127.0.0.1:8000"
# Every curl fails on an HTTP error (showing the problem), as a reader would notice.
PRELUDE = 'curl() { command curl --fail-with-body "$@"; }\n'


def walkthrough() -> str:
    """The section's shell blocks, without the line that starts the server."""
    section = DOC.read_text().split("## Try it against `make run`", 1)[1]
    section = section.split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 2, "the walk-through and its documents"
    lines = "".join(blocks).splitlines()
    assert lines[0].startswith("make run")
    return "\n".join(lines[1:]) + "\n"


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    """Every step answers 2xx and every check it shows holds."""
    assert shutil.which("jq") and shutil.which("curl")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "bootstrap-token").write_text(TOKEN)
    brief = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    (tmp_path / "brief.pdf").write_bytes(brief)
    with serving("sqlite", tmp_path) as server:
        script = walkthrough().replace(DOCUMENTED, f"http://127.0.0.1:{server.port}")
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", PRELUDE + script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split() == [
        "true",
        "true",
        "Risk.Identified",
        "Risk.Closed",
        "true",
        hashlib.sha256(brief).hexdigest(),
        "3",
        "4",
        "100",
    ]
