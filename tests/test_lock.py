"""The lock files pin what pyproject.toml asks for, and every install uses them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent
PIN = re.compile(
    r"^([A-Za-z0-9._-]+)==(\S+)(?: \\\n\s+--hash=sha256:[0-9a-f]{64})+", re.MULTILINE
)


def pins(name: str) -> dict[str, str]:
    """A lock file's pins by canonical name; each must carry its hashes."""
    text = (ROOT / name).read_text()
    entries = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    found = {
        canonicalize_name(match.group(1)): match.group(2)
        for match in PIN.finditer(text)
    }
    assert len(found) == len(entries), f"{name}: a pin without hashes"
    return found


def declared() -> tuple[list[Requirement], list[Requirement]]:
    """pyproject.toml's dependencies and its dev extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return (
        [Requirement(r) for r in project["dependencies"]],
        [Requirement(r) for r in project["optional-dependencies"]["dev"]],
    )


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    """A dependency added or narrowed in pyproject.toml without `make lock` fails."""
    runtime, dev = declared()
    locked, dev_locked = pins("requirements.lock"), pins("requirements-dev.lock")
    for requirements, lock in ((runtime, locked), (runtime + dev, dev_locked)):
        for requirement in requirements:
            version = lock.get(canonicalize_name(requirement.name))
            assert version is not None, f"{requirement} is not locked"
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{requirement.name}=={version} is outside {requirement.specifier}"
            )


def test_the_runtime_lock_is_the_dev_lock_less_the_dev_tools() -> None:
    """The image runs exactly the versions CI tested."""
    locked, dev_locked = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {n: v for n, v in dev_locked.items() if n in locked} == locked


def test_make_and_the_image_install_from_the_locks_with_hashes() -> None:
    """Both install the pins checked against their hashes, then the project alone."""
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --require-hashes -r $(DEV_LOCK)" in makefile
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "COPY pyproject.toml README.md requirements.lock ./" in dockerfile
    assert len(re.findall(r"pip install (?:--quiet )?--no-deps", makefile)) == 2
    assert "pip install --no-deps ." in dockerfile
