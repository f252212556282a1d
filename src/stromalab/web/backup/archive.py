"""``stromalab backup DIR`` and ``stromalab restore DIR``.

A backup folder holds the database copy (``database.py``), ``media/`` (the uploaded files, as
stored) and ``manifest.json``: the engine, when and from which version it was taken, the audit
chain's head at that moment, and the SHA-256 and size of every file. The manifest is written
last, under its final name only once complete, so a folder without one is an interrupted backup
and is never restored.

Order matters while the application keeps writing: the database is copied first, the files
after. Files are only ever added (nothing is deleted), so every file that the copied database
refers to already exists when the files are copied; a file newer than the copy is harmless.

A restore checks every file against the manifest before it writes anything, refuses a database
that holds any table, and afterwards verifies the restored audit chain and every stored FCS file
against the SHA-256 recorded in the database: an operator gets "restored and verified" or the
first thing that does not match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import database as db
from .database import BackupError

MANIFEST = "manifest.json"
CHECKPOINTS = "audit-checkpoints.jsonl"
FORMAT = 1
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Outcome:
    """What a backup or restore did, for the operator's one-line summary."""

    folder: Path
    engine: str
    files: int
    bytes: int
    audit_events: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _audit_head() -> dict[str, Any]:
    from stromalab.web.audit.models import ChainHead

    head = ChainHead.objects.filter(pk=1).first()
    return {"last_id": head.last_id if head else 0, "last_hash": head.last_hash if head else ""}


def _copy_media(media_root: Path, target: Path) -> None:
    if not media_root.is_dir():
        return
    for source in sorted(media_root.rglob("*")):
        # staging names hold uploads that never committed (quality/storage.py)
        if source.is_file() and ".staging" not in source.relative_to(media_root).parts:
            destination = target / source.relative_to(media_root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


def backup(folder: Path, *, database: Mapping[str, Any], media_root: Path) -> Outcome:
    """Write a complete backup into ``folder`` (new or empty)."""
    from stromalab import __version__

    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder}: not empty; back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    engine = db.engine_of(database)
    taken_at = dt.datetime.now(dt.UTC)
    head = _audit_head()  # read before the copy: the copy holds at least these events
    # the checkpoints before the database: each one then names an event the copy holds
    from stromalab.web.audit.checkpoints import checkpoint_path

    if checkpoint_path().is_file():
        shutil.copyfile(checkpoint_path(), folder / CHECKPOINTS)
    db.dump(database, folder)
    _copy_media(media_root, folder / "media")
    files: dict[str, dict[str, Any]] = {
        str(path.relative_to(folder)): {"sha256": _sha256(path), "size": path.stat().st_size}
        for path in sorted(folder.rglob("*")) if path.is_file()}
    manifest = {"format": FORMAT, "engine": engine, "stromalab": __version__,
                "taken_at": taken_at.isoformat().replace("+00:00", "Z"), "audit_head": head,
                "files": files}
    partial = folder / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, folder / MANIFEST)
    return Outcome(folder, engine, len(files), sum(f["size"] for f in files.values()), head["last_id"])


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, after checking every file it lists; BackupError names the first mismatch."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder}: no {MANIFEST}; not a backup, or an interrupted one")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        engine = manifest["engine"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{path}: unreadable manifest ({error})") from None
    if manifest.get("format") != FORMAT or engine not in ("sqlite", "postgresql"):
        raise BackupError(f"{path}: unknown backup format or engine")
    for name, expected in sorted(files.items()):
        file = (folder / name).resolve()
        if folder.resolve() not in file.parents:
            raise BackupError(f"{path}: {name} lies outside the backup folder")
        if not file.is_file():
            raise BackupError(f"{name}: missing from the backup")
        if _sha256(file) != expected["sha256"]:
            raise BackupError(f"{name}: content does not match the manifest's SHA-256")
    return manifest


def _verify_restored(folder: Path) -> int:
    """Check the restored trail (against the checkpoints taken with the backup) and every stored
    FCS file; returns the number of audit events."""
    from stromalab.web.audit import checkpoints
    from stromalab.web.quality import storage
    from stromalab.web.quality.models import FcsFile

    try:
        marks = checkpoints.read(folder / CHECKPOINTS)
    except checkpoints.CheckpointError as error:
        raise BackupError(f"{error} (restore with the STROMALAB_AUDIT_KEY of the backed-up instance)") from None
    result = checkpoints.verify_trail(checkpoints=marks)
    if not result.ok:
        raise BackupError(f"restored audit trail broken at event {result.broken_id}: {result.problem}")
    for stored in FcsFile.objects.order_by("pk").only("stored_path", "sha256"):
        try:
            storage.read(stored.stored_path, stored.sha256)
        except FileNotFoundError:
            raise BackupError(f"{stored.stored_path}: recorded in the database, missing from the files") from None
        except ValueError as error:
            raise BackupError(str(error)) from None
    return result.count


def restore(folder: Path, *, database: Mapping[str, Any], media_root: Path) -> Outcome:
    """Restore ``folder`` into the configured empty database and media folder, then verify."""
    folder = folder.resolve()
    manifest = read_manifest(folder)
    engine = db.engine_of(database)
    if manifest["engine"] != engine:
        raise BackupError(f"this backup was taken from {manifest['engine']}; the configured "
                          f"database is {engine}")
    if not db.is_empty(database):
        raise BackupError("the configured database already holds tables; restore only into an empty one")
    if media_root.exists() and any(media_root.rglob("*")):
        raise BackupError(f"{media_root}: the media folder is not empty")
    copy = folder / (db.SQLITE_FILE if engine == "sqlite" else db.POSTGRES_FILE)
    db.load(database, copy)
    if (folder / "media").is_dir():
        shutil.copytree(folder / "media", media_root, dirs_exist_ok=True)
    from django.db import connections

    connections.close_all()  # a connection opened before the restore must not see the old file
    events = _verify_restored(folder)
    from stromalab.web.audit.checkpoints import checkpoint_path

    if (folder / CHECKPOINTS).is_file() and not checkpoint_path().exists():
        checkpoint_path().parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / CHECKPOINTS, checkpoint_path())
    files = manifest["files"]
    return Outcome(folder, engine, len(files), sum(f["size"] for f in files.values()), events)


def run_for_operator(command: str, folder: Path) -> int:
    """``stromalab backup|restore DIR`` on the configured database and media folder: the summary
    on standard output (exit 0), or one line saying why not on standard error (exit 2)."""
    import sys

    from django.conf import settings

    operation = backup if command == "backup" else restore
    try:
        done = operation(folder, database=settings.DATABASES["default"],
                         media_root=Path(settings.STROMALAB_MEDIA_DIR))
    except BackupError as error:
        print(f"stromalab {command}: error: {error}", file=sys.stderr)
        return 2
    if command == "backup":
        print(f"backup written to {done.folder}: {done.engine} database, {done.files} files, "
              f"{done.bytes:,} bytes, audit trail up to event {done.audit_events}")
    else:
        print(f"restored {done.folder} into the {done.engine} database: {done.files} files verified, "
              f"audit trail intact ({done.audit_events} events), every stored FCS file matches its SHA-256")
    return 0
