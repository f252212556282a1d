"""The audit trail: chained, append-only at the database level, tampering detected."""

from __future__ import annotations

import argparse
import itertools
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from stromalab.commands import audit as audit_command
from stromalab.web.audit import triggers
from stromalab.web.audit.actions import ReasonRequired, record_changes, record_event
from stromalab.web.audit.chain import GENESIS_HASH, verify_chain
from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int, user: Any = None) -> list[AuditEvent]:
    out = []
    with transaction.atomic():
        for i in range(n):
            out.append(record_event(acting_user=user, action=EventKind.UPDATE,
                                    record=("tests.Thing", i, "D-1"),
                                    field="weight_kg", old=i, new=i + 1, reason="typo"))
    return out


def test_record_event_outside_a_transaction_is_refused() -> None:
    # pytest-django's TestCase wraps the test in atomic; leave it to simulate autocommit code
    with pytest.raises(RuntimeError):
        from stromalab.web.audit import actions

        saved = connection.in_atomic_block
        connection.in_atomic_block = False
        try:
            actions.record_event(acting_user=None, action=EventKind.CREATE, record=("a", 1))
        finally:
            connection.in_atomic_block = saved


def test_events_are_chained_and_verify(make_user: Any) -> None:
    user = make_user("coordinator")
    events = _events(5, user)
    assert events[0].prev_hash == GENESIS_HASH or AuditEvent.objects.filter(id__lt=events[0].id).exists()
    for a, b in itertools.pairwise(events):
        assert b.prev_hash == a.hash and b.id == a.id + 1
    stored = AuditEvent.objects.get(id=events[2].id)
    assert stored.username == user.username and stored.subject == "D-1"
    assert stored.old == "2" and stored.new == "3" and stored.at.endswith("Z")
    result = verify_chain()
    assert result.ok and result.count == AuditEvent.objects.count()


def test_reason_required_for_changing_entered_values() -> None:
    with transaction.atomic(), pytest.raises(ReasonRequired) as refused:
        record_changes(acting_user=None, record=("t", 1), changes={"weight_kg": (60, 61)},
                       labels={"weight_kg": "Weight (kg)"})
    # field-keyed on the reason, naming the changed field by its label: a plain ValidationError
    assert isinstance(refused.value, ValidationError)
    assert refused.value.message_dict == {"reason": ["a reason is required to change Weight (kg)"]}
    with transaction.atomic():
        first = record_changes(acting_user=None, record=("t", 1), changes={"w": (None, 61), "h": (1, 1)})
    assert [e.field for e in first] == ["w"]  # unchanged field skipped, first entry needs no reason


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET reason = 'edited' WHERE id = %s",
    "DELETE FROM audit_auditevent WHERE id = %s",
])
def test_database_refuses_update_and_delete(sql: str) -> None:
    event = _events(2)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql, [event.id])
    assert AuditEvent.objects.get(id=event.id).reason == "typo"


def test_orm_update_refused_too() -> None:
    event = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(id=event.id).update(new="999")


def _tamper(sql: str, params: list[Any]) -> None:
    """Edit the trail behind the application's back: disable the trigger, edit, restore."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER TABLE
            c.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
            c.execute(sql, params)
            c.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_no_update")
        else:
            triggers.drop_triggers(connection)
            c.execute(sql, params)
            triggers.create_triggers(connection)


def _verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = audit_command.run(argparse.Namespace(action="verify", quiet=False))
    return code, capsys.readouterr().out


def test_edit_with_trigger_disabled_is_named_by_audit_verify(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(6)
    code, out = _verify_cli(capsys)
    assert code == 0 and "intact" in out
    _tamper("UPDATE audit_auditevent SET new = %s WHERE id = %s", ['"70"', events[3].id])
    code, out = _verify_cli(capsys)
    assert code == 1
    assert f"event {events[3].id}:" in out and "edited" in out
    # the triggers are back
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].id])


def test_removed_events_are_detected(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(5)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].id])
    code, out = _verify_cli(capsys)
    assert code == 1 and f"event {events[2].id} is missing" in out


def test_truncation_at_the_end_is_detected(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    code, out = _verify_cli(capsys)
    assert code == 1 and "chain head" in out


def test_reordered_hash_link_is_detected() -> None:
    events = _events(4)
    _tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, events[1].id])
    result = verify_chain()
    assert not result.ok and result.broken_id == events[1].id
