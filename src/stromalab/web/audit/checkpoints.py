"""Checkpoints of the audit chain's head, kept outside the database and signed with a key the
database does not hold.

The hash chain proves that the trail was not edited by the application, but whoever can write the
database (drop the triggers, or ``SET session_replication_role = replica`` on PostgreSQL) could
change an event, delete the last ones, recompute every later hash and the head, and the chain
would verify. A checkpoint records, after every ``STROMALAB_AUDIT_CHECKPOINT_EVERY`` events (when
their transaction commits) and whenever ``stromalab audit checkpoint`` runs (schedule it), the id
and hash of the last event, with an HMAC under ``STROMALAB_AUDIT_KEY``, as one line appended to
``STROMALAB_AUDIT_CHECKPOINTS``. Rewriting history then also needs that file and that key: an
event that no longer has its checkpointed hash, or a trail shorter than a checkpoint, is reported
by :func:`verify_trail`, naming the event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from .canonical import utc_now_text
from .chain import VerifyResult, verify_chain

log = logging.getLogger(__name__)


class CheckpointError(ValueError):
    """The checkpoint file cannot be trusted (a line altered, or unreadable)."""


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    hash: str
    at: str


def _mac(event_id: int, event_hash: str, at: str) -> str:
    message = f"{event_id}:{event_hash}:{at}".encode()
    return hmac.new(str(settings.STROMALAB_AUDIT_KEY).encode(), message, hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.STROMALAB_AUDIT_CHECKPOINTS)


def append(event_id: int, event_hash: str, path: Path | None = None) -> Checkpoint:
    """Append a signed checkpoint line (created 0600, written and synced before returning)."""
    path = path or checkpoint_path()
    at = utc_now_text()
    line = json.dumps({"id": event_id, "hash": event_hash, "at": at, "mac": _mac(event_id, event_hash, at)})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return Checkpoint(event_id, event_hash, at)


def read(path: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint of the file, its signature checked; none when there is no file."""
    path = path or checkpoint_path()
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            checkpoint = Checkpoint(int(item["id"]), str(item["hash"]), str(item["at"]))
            mac = str(item["mac"])
        except (ValueError, KeyError, TypeError):
            raise CheckpointError(f"{path}:{number}: unreadable checkpoint") from None
        if not hmac.compare_digest(mac, _mac(checkpoint.event_id, checkpoint.hash, checkpoint.at)):
            raise CheckpointError(f"{path}:{number}: signature does not match (the line was altered, "
                                  "or STROMALAB_AUDIT_KEY is not the key that signed it)")
        found.append(checkpoint)
    return found


def checkpoint_now(connection: Any = None) -> Checkpoint | None:
    """Checkpoint the current head (``stromalab audit checkpoint``); None for an empty trail or
    when the last checkpoint already holds this head."""
    if connection is None:
        from django.db import connection as default_connection

        connection = default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_id, last_hash FROM audit_chainhead WHERE id = 1")
        head = cursor.fetchone()
    if not head or not head[0]:
        return None
    existing = read()
    if existing and existing[-1].event_id == head[0]:
        return None
    return append(int(head[0]), str(head[1]))


def after_append(previous_last_id: int, last_id: int, last_hash: str) -> None:
    """Called by the appender: checkpoint once the transaction commits, when it crossed a
    multiple of ``STROMALAB_AUDIT_CHECKPOINT_EVERY`` events. A checkpoint that cannot be written
    is logged, never turned into a failure of the committed change."""
    every = max(1, int(settings.STROMALAB_AUDIT_CHECKPOINT_EVERY))
    if last_id // every > previous_last_id // every:
        transaction.on_commit(lambda: append(last_id, last_hash), robust=True)


def verify_trail(connection: Any = None, checkpoints: Sequence[Checkpoint] | None = None) -> VerifyResult:
    """The chain verified (:func:`~.chain.verify_chain`) and held against the checkpoints (those
    of the configured file unless given): the first event that no longer matches is named."""
    marks = read() if checkpoints is None else list(checkpoints)
    return verify_chain(connection, checkpoints={c.event_id: c for c in marks})
