"""Whoever can write the database can rewrite the chain and its head consistently; the signed
checkpoints kept outside the database still name the first event that no longer matches."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from stromalab.commands import audit as audit_command
from stromalab.web.audit import checkpoints, triggers
from stromalab.web.audit.chain import GENESIS_HASH, content_hash, verify_chain
from stromalab.web.audit.models import AuditEvent

from .test_chain import _events

pytestmark = pytest.mark.django_db

COLUMNS = [name for name in AuditEvent.HASHED_FIELDS]


def _rewrite(sql: str, params: list[Any]) -> None:
    """What an attacker with the database does: triggers off, change, recompute every hash from
    the first event and the head, triggers on. The chain alone then verifies."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
        else:
            triggers.drop_triggers(connection)
        c.execute(sql, params)
        c.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_auditevent ORDER BY id")
        rows = c.fetchall()
        prev = GENESIS_HASH
        for row in rows:
            values = [*row[:-1], prev]  # prev_hash is the last hashed field
            new_hash = content_hash(values)
            c.execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                      [prev, "x" + new_hash[1:], row[0]])  # two steps: hash is unique
            c.execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", [new_hash, row[0]])
            prev = new_hash
        c.execute("UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE id = 1",
                  [rows[-1][0] if rows else 0, prev])
        if connection.vendor == "postgresql":
            c.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_no_update")
        else:
            triggers.create_triggers(connection)


def _verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = audit_command.run(argparse.Namespace(action="verify", quiet=False))
    return code, capsys.readouterr().out


def test_a_rewritten_chain_verifies_alone_but_not_against_its_checkpoints(
        capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(8)
    first = checkpoints.append(events[3].id, events[3].hash)
    last = checkpoints.append(events[7].id, events[7].hash)
    assert _verify_cli(capsys)[0] == 0
    _rewrite("UPDATE audit_auditevent SET new = %s WHERE id = %s", ['"70"', events[5].id])
    assert verify_chain().ok  # consistent: the hash chain alone cannot tell
    code, out = _verify_cli(capsys)
    assert code == 1
    assert f"BROKEN at event {last.event_id}:" in out and f"after event {first.event_id}" in out


def test_events_removed_from_the_end_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(6)
    checkpoints.append(events[5].id, events[5].hash)
    _rewrite("DELETE FROM audit_auditevent WHERE id >= %s", [events[4].id])
    assert verify_chain().ok
    code, out = _verify_cli(capsys)
    assert code == 1 and f"event {events[4].id} is missing" in out and "removed from the end" in out


def test_an_altered_checkpoint_line_is_refused(capsys: pytest.CaptureFixture[str], settings: Any) -> None:
    events = _events(3)
    checkpoints.append(events[2].id, events[2].hash)
    path = Path(settings.STROMALAB_AUDIT_CHECKPOINTS)
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "hash": "0" * 64}) + "\n")
    code, out = _verify_cli(capsys)
    assert code == 1 and "checkpoints BROKEN" in out and ":1: signature does not match" in out


def test_checkpoint_command_records_the_head_once(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(2)
    assert audit_command.run(argparse.Namespace(action="checkpoint")) == 0
    assert audit_command.run(argparse.Namespace(action="checkpoint")) == 0
    out = capsys.readouterr().out
    assert f"checkpoint: event {events[1].id}" in out and "nothing new" in out
    assert [c.event_id for c in checkpoints.read()] == [events[1].id]


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_is_written_when_every_n_events_commit(settings: Any) -> None:
    settings.STROMALAB_AUDIT_CHECKPOINT_EVERY = 3
    _events(2)
    assert checkpoints.read() == []
    events = _events(2)  # the third event crosses 3: checkpointed once its transaction commits
    assert [(c.event_id, c.hash) for c in checkpoints.read()] == [(events[0].id, events[0].hash)]
    with pytest.raises(RuntimeError), transaction.atomic():
        _events_inside = _events(5)
        assert _events_inside
        raise RuntimeError("rolled back")
    assert len(checkpoints.read()) == 1  # nothing checkpointed for a rolled-back transaction
