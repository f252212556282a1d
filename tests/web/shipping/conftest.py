"""Fixtures for the shipping tests: batches filled into containers (tests/web/quality/conftest.py's
``make_batch``: the manufacturing steps are the manufacturing tests' business), put into a box
by the operator's movements, released by the qualified person after passing QC; users per role
and logger CSV files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.web.conftest import PASSWORD
from tests.web.quality.conftest import DOSE, PASSING, analyst, make_batch, media, qp  # noqa: F401


@pytest.fixture()
def operator(make_batch: Callable[..., Any]) -> Any:  # noqa: F811
    """The operator who made the batches (and stores and dispatches them)."""
    return make_batch.operator  # type: ignore[attr-defined]


@pytest.fixture()
def released_batch(make_batch: Callable[..., Any], operator: Any, analyst: Any,  # noqa: F811
                   qp: Any) -> Callable[..., Any]:  # noqa: F811
    """Factory: a batch of ``vials`` containers stored in box B1 and released; ``release=False``
    leaves it in quarantine with its QC entered."""
    from django.utils import timezone

    from stromalab.web.manufacturing import actions as manufacturing
    from stromalab.web.manufacturing.models import Box, Container
    from stromalab.web.quality.actions import record_result, release_batch

    def make(vials: int = 3, release: bool = True) -> Any:
        batch = make_batch(containers=vials)
        box = Box.objects.filter(name="B1").first() or manufacturing.create_box(
            tank="Tank 1", rack="R1", name="B1", acting_user=operator)
        for container in batch.containers.order_by("division"):
            free = next(p for p in range(1, box.capacity + 1) if not Container.objects.filter(box=box, position=p).exists())
            manufacturing.move_container(container=container, box=box, position=free, reason="storage after freezing",
                                         acting_user=operator)
        for test_id, value in PASSING.items():  # no instrument: the register is the materials tests' business
            record_result(batch=batch, test_id=test_id, value=value, performed_on=timezone.localdate(),
                          requested_dose=DOSE if test_id == "cell-count" else None, acting_user=analyst)
        if release:
            release_batch(batch=batch, password=PASSWORD, acting_user=qp)
        batch.refresh_from_db()
        return batch

    return make


@pytest.fixture()
def investigator(make_user: Callable[..., Any]) -> Any:
    return make_user("investigator", first_name="Inès", last_name="Vestigatrice")


def logger_csv(temperatures: list[str], *, french: bool = False, start: str = "") -> bytes:
    """A logger export: one reading every 10 minutes from ``start`` (default: two hours ago)."""
    import datetime as dt

    from django.utils import timezone

    first = dt.datetime.fromisoformat(start) if start else timezone.now() - dt.timedelta(hours=2)
    sep = ";" if french else ","
    rows = [f"time{sep}temperature_c"]
    for i, t in enumerate(temperatures):
        at = (first + dt.timedelta(minutes=10 * i)).isoformat(timespec="seconds")
        rows.append(f"{at}{sep}{t.replace('.', ',') if french else t}")
    return ("\n".join(rows) + "\n").encode()


__all__ = ["PASSWORD", "logger_csv"]
