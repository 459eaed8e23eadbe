"""Back up a data directory online, and restore it verified against its checkpoint.

A backup signs a head over everything committed, keeps the C2SP checkpoint of
it, then copies the read-model database before the event store (SQLite's
backup API: consistent while writers go on), so every ledger row copied has
its events in the copy. Blobs follow the events: a blob is synced before the
event that names it commits. Key material is referred to, never copied from an
HSM; a key file only when asked. On PostgreSQL the database is the operator's
`pg_dump`; the backup keeps the checkpoint, the blobs and the key references.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrity.signing import KeyUnavailableError
from service.config import Settings
from service.errors import ApplicationError
from usecases import integrity, verification
from usecases.rebuild import Progress
from usecases.root import Services, build_services, ledger_worker

MANIFEST = "backup.json"
FORMAT = 1
PAGES_PER_STEP = 256
PG_GUIDE = "POSTGRESQL.txt"


class BackupError(ApplicationError):
    """A backup or a restore refused or failed; nothing was left half-written."""


@dataclass(frozen=True)
class BackUp:
    """Copy the store, the blobs and the key references into a new directory."""

    destination: Path
    with_signing_key: bool = False


@dataclass(frozen=True)
class Restore:
    """Put a backup into an empty data directory and verify it."""

    source: Path
    public_keys_pem: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Restored:
    """What a restore put back and how its verification ended."""

    position: int
    checkpoint_size: int | None
    report: Any


def back_up(services: Services, command: BackUp, progress: Progress) -> dict[str, Any]:
    """Write the backup into `destination` (which must not exist); its manifest."""
    destination = command.destination
    if destination.exists():
        raise BackupError(f"{destination} exists: back up into a new directory")
    partial = destination.with_name(f".{destination.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        manifest = _write(services, command, partial, progress)
        # A directory under its final name is a whole backup, after a power cut too.
        os.sync()
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _write(
    services: Services, command: BackUp, into: Path, progress: Progress
) -> dict[str, Any]:
    settings = services.settings
    checkpoint = _sign_checkpoint(services)
    (into / "checkpoint.txt").write_text(checkpoint or "", "utf-8")
    if settings.backend == "sqlite":
        # keys.db after events.db: a key is written before the event it seals,
        # so every event copied has its key (docs/privacy.md).
        for name in ("views.db", "events.db", "keys.db"):
            source = settings.sqlite_path.with_name(name)
            copy_sqlite(source, into / name, progress)
    else:
        (into / PG_GUIDE).write_text(pg_dump_guide(settings, into), "utf-8")
    if settings.blob_backend != "database":
        _copy_blobs(settings.data_dir / "blobs", into / "blobs", progress)
    keys = _key_references(services, into, command.with_signing_key)
    manifest = {
        "format": FORMAT,
        "taken_at": time.time(),
        "backend": settings.backend,
        "blob_backend": settings.blob_backend,
        "position": services.app.head_position(),
        "checkpoint_size": _tree_size(checkpoint),
        "keys": keys,
        "files": _digests(into, progress),
    }
    (into / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
    return manifest


def _sign_checkpoint(services: Services) -> str | None:
    """Sign a head over everything committed now; its checkpoint (None if empty)."""
    try:
        ledger_worker(services).sign_now()
    except KeyUnavailableError as error:
        raise BackupError(f"cannot sign the backup's checkpoint: {error}") from None
    try:
        return integrity.checkpoint(services)
    except ApplicationError:
        return None


def _tree_size(checkpoint: str | None) -> int | None:
    return int(checkpoint.splitlines()[1]) if checkpoint else None


def copy_sqlite(source: Path, target: Path, progress: Progress) -> None:
    """Copy a live SQLite database page by page with its backup API."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        pages = src.execute("PRAGMA page_count").fetchone()[0]
        progress.begin(f"copying {source.name}", pages)
        done = [0]

        def step(_status: int, remaining: int, total: int) -> None:
            progress.advance(total - remaining - done[0])
            done[0] = total - remaining

        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        finally:
            progress.end()
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()


def _copy_blobs(source: Path, target: Path, progress: Progress) -> None:
    """Copy the content-addressed blob files (not uploads still in flight)."""
    files = [p for p in source.rglob("*") if p.is_file() and p.parent != source / "tmp"]
    progress.begin("copying blobs", len(files))
    try:
        for path in files:
            copied = target / path.relative_to(source)
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copied)
            progress.advance(1)
    finally:
        progress.end()


def _key_references(services: Services, into: Path, with_key: bool) -> dict[str, Any]:
    """Where the signing key lives and the public keys that signed; no HSM secret."""
    settings = services.settings
    public = [k["public_key_pem"] for k in integrity.signing_keys(services)]
    if settings.pkcs11 is not None:
        hsm = settings.pkcs11
        return {
            "kind": "pkcs11",
            "module": hsm.module,
            "token_label": hsm.token_label,
            "key_label": hsm.key_label,
            "public": public,
        }
    copied = with_key and settings.key_path.exists()
    if copied:
        shutil.copy2(settings.key_path, into / "signing-key.pem")
        (into / "signing-key.pem").chmod(0o600)
    return {
        "kind": "file",
        "path": str(settings.key_path),
        "copied": copied,
        "public": public,
    }


def _digests(root: Path, progress: Progress) -> dict[str, str]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    progress.begin("checksums", len(files))
    try:
        digests = {}
        for path in files:
            digests[str(path.relative_to(root))] = _sha256(path)
            progress.advance(1)
        return digests
    finally:
        progress.end()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pg_dump_guide(settings: Settings, into: Path) -> str:
    """How to dump (and later restore) the PostgreSQL side of this backup."""
    schema = settings.postgres_schema
    return (
        "The event store and read models live in PostgreSQL: dump them now\n"
        "(the checkpoint in checkpoint.txt was signed before the dump, and the\n"
        "log only grows, so the dump covers it):\n\n"
        f"  pg_dump --format=custom --schema={schema} \\\n"
        f"    --file={into.name}/pmo-ledger.dump DATABASE\n\n"
        "Restore into an empty database, then verify with pmo-ledger restore:\n\n"
        "  pg_restore --dbname=DATABASE --no-owner pmo-ledger.dump\n"
        f"  pmo-ledger restore {into.name}\n"
    )


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of a backup directory (BackupError if absent or unreadable)."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source}: not a backup ({error})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')!r}")
    return manifest


def restore(settings: Settings, command: Restore, progress: Progress) -> Restored:
    """Check the backup's files, put them in place, verify against its checkpoint."""
    source = command.source
    manifest = read_manifest(source)
    if manifest["backend"] != settings.backend:
        raise BackupError(
            f"the backup is of a {manifest['backend']} store; "
            f"this configuration is {settings.backend}"
        )
    _check_digests(source, manifest["files"], progress)
    placed = _place(source, settings, progress)
    try:
        return _verify(settings, command, manifest, source, progress)
    except BaseException:
        _remove(placed)
        raise


def _check_digests(source: Path, files: dict[str, str], progress: Progress) -> None:
    progress.begin("checking the backup", len(files))
    try:
        for name, expected in files.items():
            path = source / name
            if not path.is_file() or _sha256(path) != expected:
                raise BackupError(f"{path}: missing or changed since the backup")
            progress.advance(1)
    finally:
        progress.end()


def _place(source: Path, settings: Settings, progress: Progress) -> list[Path]:
    """Copy the backup's files into the data directory; what was placed."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    wanted: list[tuple[Path, Path]] = []
    if settings.backend == "sqlite":
        for name in ("events.db", "views.db", "keys.db"):
            if name != "keys.db" or (source / name).is_file():  # older backups
                wanted.append((source / name, settings.sqlite_path.with_name(name)))
    if (source / "blobs").is_dir():
        wanted.append((source / "blobs", data_dir / "blobs"))
    if (source / "signing-key.pem").is_file():
        wanted.append((source / "signing-key.pem", settings.key_path))
    present = [str(target) for _, target in wanted if target.exists()]
    if present:
        raise BackupError(f"already present, restore into an empty data dir: {present}")
    placed: list[Path] = []
    try:
        for origin, target in wanted:
            placed.append(target)
            if origin.suffix == ".db":
                copy_sqlite(origin, target, progress)
            elif origin.is_dir():
                shutil.copytree(origin, target)
            else:
                shutil.copy2(origin, target)
    except BaseException:
        _remove(placed)
        raise
    return placed


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _verify(
    settings: Settings,
    command: Restore,
    manifest: dict[str, Any],
    source: Path,
    progress: Progress,
) -> Restored:
    checkpoint = (source / "checkpoint.txt").read_text("utf-8")
    pems = command.public_keys_pem or tuple(
        pem.encode("ascii") for pem in manifest["keys"]["public"]
    )
    services = build_services(settings)
    try:
        position = services.app.head_position()
        progress.begin("verifying", position)
        try:
            report = verification.verify_store(
                services,
                verification.VerifyStore(
                    public_keys_pem=pems,
                    progress=progress.advance,
                    checkpoints=(checkpoint,) if checkpoint else (),
                    as_of=manifest["taken_at"],
                ),
            )
        finally:
            progress.end()
    finally:
        services.close()
    if not report.ok:
        raise BackupError(f"the restored store failed verification: {report.summary()}")
    return Restored(position, manifest["checkpoint_size"], report)
