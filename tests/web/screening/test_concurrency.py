"""20 simultaneous enrollment attempts for the last slot, on real threads and connections:
exactly one wins (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE + slot rows)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from stromalab.web.audit.chain import verify_chain
from stromalab.web.donors import actions as donor_actions
from stromalab.web.screening import actions
from stromalab.web.screening import models as m


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_enrollments_for_the_last_slot(eligible_donor: Any, study: Any) -> None:
    inv = eligible_donor.investigator
    for _ in range(5):
        actions.enroll(donor=eligible_donor(sign=True), acting_user=inv)
    candidates = [eligible_donor(sign=True) for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(donor: Any) -> None:
        try:
            barrier.wait()
            actions.enroll(donor=donor, acting_user=inv)
            result = "enrolled"
        except actions.EnrollmentFull:
            result = "full"
        except ValidationError as e:  # pragma: no cover - reported below
            result = f"error: {e}"
        except Exception as e:  # pragma: no cover
            result = f"crash: {type(e).__name__}: {e}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(d,)) for d in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(outcomes) == ["enrolled"] + ["full"] * 19, (connection.vendor, outcomes)
    assert m.EnrollmentSlot.objects.filter(study=study, donor__isnull=False).count() == 6
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_pseudonyms(study: Any, make_user: Any) -> None:
    coord = make_user("coordinator")
    barrier = threading.Barrier(10)
    names: list[str] = []
    lock = threading.Lock()

    def register(i: int) -> None:
        try:
            barrier.wait()
            d = donor_actions.register_donor(study=study, identity={"last_name": f"N{i}", "first_name": "F"},
                                             acting_user=coord)
            with lock:
                names.append(d.pseudonym)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(names) == [f"NCT05947682-{i:03d}" for i in range(1, 11)]
    assert verify_chain().ok
