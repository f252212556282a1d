"""DIN assignment: per facility and year, sequences never reused, also under concurrency."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from stromalab.core.manufacturing import isbt128
from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing.models import DinCounter, Donation


def test_sequences_increase_per_fin_and_year(operator: Any, settings: Any) -> None:
    year = timezone.localdate().year % 100
    first = a.allocate_din(acting_user=operator)
    second = a.allocate_din(acting_user=operator)
    assert (first.fin, first.year, first.sequence) == ("G1234", year, 1)
    assert second.sequence == 2
    assert a.allocate_din(acting_user=operator, year=year - 1).sequence == 1  # a new year starts again at 1
    settings.STROMALAB_FIN = "W0000"
    other = a.allocate_din(acting_user=operator)
    assert (other.fin, other.sequence) == ("W0000", 1)
    assert a.allocate_din(acting_user=operator, fin="G1234").sequence == 3
    counter = DinCounter.objects.get(fin="G1234", year=year)
    events = AuditEvent.objects.filter(record_type="manufacturing.DinCounter", record_id=str(counter.pk))
    assert [(e.old, e.new) for e in events] == [("0", "1"), ("1", "2"), ("2", "3")]


def test_invalid_fin_setting_is_refused(operator: Any, settings: Any) -> None:
    settings.STROMALAB_FIN = "1234G"
    with pytest.raises(isbt128.Isbt128Error, match="FIN"):
        a.allocate_din(acting_user=operator)


def test_exhausted_sequence_is_an_error_not_a_wrap(operator: Any) -> None:
    year = timezone.localdate().year % 100
    DinCounter.objects.create(fin="G1234", year=year, last_sequence=isbt128.MAX_SEQUENCE)
    with pytest.raises(isbt128.Isbt128Error, match="sequence"):
        a.allocate_din(acting_user=operator)
    assert DinCounter.objects.get(fin="G1234", year=year).last_sequence == isbt128.MAX_SEQUENCE


def test_harvests_get_consecutive_dins_with_check_characters(enrolled_donor: Any, run_batch: Any) -> None:
    donors = [enrolled_donor() for _ in range(3)]
    batches = [run_batch(donor, until="harvest") for donor in donors]
    dins = [b.din for b in batches]
    assert [isbt128.parse_din(d).sequence for d in dins] == [1, 2, 3]
    assert [b.code for b in batches] == dins
    assert [Donation.objects.get(donor=donor).din for donor in donors] == dins


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_never_reuses_a_sequence(make_user: Any) -> None:
    operator = make_user("operator")
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                din = a.allocate_din(acting_user=operator)
                with lock:
                    results.append(din.sequence)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == list(range(1, 31))
    assert DinCounter.objects.get().last_sequence == 30
    from stromalab.web.audit.chain import verify_chain

    assert verify_chain().ok
