"""The content store: re-hash every stored version, remove unreferenced content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from service.custody_reads import VerificationReport
from usecases.root import Services


@dataclass(frozen=True)
class VerifyContent:
    """Re-hash every live version's content against its event."""

    grace: timedelta = timedelta(seconds=60)
    """Unreferenced content this recent may be an upload in flight."""
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)
    """Told (contents re-hashed so far, contents to re-hash) after each one."""


@dataclass(frozen=True)
class CollectGarbage:
    """Remove content no live document version references."""

    grace: timedelta = timedelta(hours=1)
    """Unreferenced content stored this recently is kept."""


def verify_content(services: Services, command: VerifyContent) -> VerificationReport:
    """Missing, corrupt and unexpected content, found by re-hashing the store."""
    app = services.app
    inventory = app.content_inventory()
    total, done = len(inventory.live), 0

    def advance(_sha256: str) -> None:
        nonlocal done
        done += 1
        command.progress(done, total)

    return app.verify_content(inventory, grace=command.grace, progress=advance)


def collect_garbage(services: Services, command: CollectGarbage) -> list[str]:
    """The digests of the content removed."""
    return services.app.collect_blob_garbage(command.grace)
