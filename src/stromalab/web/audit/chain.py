"""Hash chain: the content hash of an event and the verification walk.

Event hash = SHA-256 of the canonical JSON array of :attr:`AuditEvent.HASHED_FIELDS` values
(id, at, user_id, username, action, record_type, record_id, subject, field, old, new, reason,
prev_hash). Each event's ``prev_hash`` is the previous event's ``hash`` (64 zeros for the first),
ids run 1, 2, 3, ... without gaps, and the chain head stores the last id and hash, so that an
edited, inserted, removed or truncated event is detected.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_sha256 = hashlib.sha256

_COLUMNS = (
    "id, at, user_id, username, action, record_type, record_id, subject, field, old, new, "
    "reason, prev_hash, hash"
)


def content_hash(values: list[Any]) -> str:
    return _sha256(_dumps(values).encode("utf-8")).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    count: int
    seconds: float
    last_id: int
    last_hash: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else float("inf")


def verify_chain(connection: Any = None, batch: int = 50_000,
                 checkpoints: Mapping[int, Any] | None = None) -> VerifyResult:
    """Walk the whole trail in id order and re-compute every hash.

    Returns at the first broken event with its id and what is wrong. Streams the table in
    keyset-paginated batches through a raw cursor (bounded memory, no ORM overhead).
    ``checkpoints`` (event id → an object with ``hash`` and ``at``, see :mod:`.checkpoints`) are
    hashes recorded outside the database: an event that no longer has its checkpointed hash, or
    a trail that ends before a checkpoint, is broken even when the chain itself is consistent.
    """
    marks = checkpoints or {}
    matched = 0
    if connection is None:
        from django.db import connection as default_connection

        connection = default_connection
    start = time.perf_counter()
    expected_id = 1
    prev = GENESIS_HASH
    count = 0
    sha = _sha256
    dumps = _dumps
    sql = f"SELECT {_COLUMNS} FROM audit_auditevent WHERE id > %s ORDER BY id LIMIT {int(batch)}"
    with connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(sql, [last])
            rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                event_id = row[0]
                if event_id != expected_id:
                    problem = (
                        f"event {expected_id} is missing (next stored id is {event_id})"
                        if event_id > expected_id else f"unexpected id {event_id}"
                    )
                    return VerifyResult(False, count, time.perf_counter() - start, last, prev,
                                        expected_id, problem)
                if row[12] != prev:
                    return VerifyResult(False, count, time.perf_counter() - start, last, prev,
                                        event_id, "prev_hash does not match the previous event's hash")
                computed = sha(dumps(list(row[:13])).encode("utf-8")).hexdigest()
                if computed != row[13]:
                    return VerifyResult(False, count, time.perf_counter() - start, last, prev,
                                        event_id, "content does not match its hash (edited)")
                if event_id in marks:
                    mark = marks[event_id]
                    if mark.hash != row[13]:
                        return VerifyResult(
                            False, count, time.perf_counter() - start, last, prev, event_id,
                            f"no longer has the hash checkpointed outside the database at {mark.at}: "
                            f"the trail was rewritten after event {matched} and at or before this one")
                    matched = event_id
                prev = row[13]
                expected_id += 1
                count += 1
            last = rows[-1][0]
        cursor.execute("SELECT last_id, last_hash FROM audit_chainhead WHERE id = 1")
        head = cursor.fetchone()
    elapsed = time.perf_counter() - start
    head_id, head_hash = head if head else (0, GENESIS_HASH)
    beyond = [mark for event_id, mark in marks.items() if event_id > count]
    if beyond:
        last_mark = max(beyond, key=lambda mark: mark.event_id)
        return VerifyResult(False, count, elapsed, count, prev, count + 1,
                            f"event {count + 1} is missing: a checkpoint outside the database recorded "
                            f"event {last_mark.event_id} at {last_mark.at} (events removed from the end)")
    if (head_id, head_hash) != (count, prev):
        return VerifyResult(False, count, elapsed, count, prev, count + 1 if head_id > count else head_id,
                            f"chain head says last event is {head_id} but the trail ends at {count} "
                            "(events removed from the end?)")
    return VerifyResult(True, count, elapsed, count, prev)
