"""Fixtures for the manufacturing tests: an enrolled donor, an operator, and a helper that runs a
batch through harvest, receipt, isolation, passages, freezing and storage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.web.conftest import PASSWORD, eligible_data
from tests.web.materials.helpers import lot


@pytest.fixture()
def enrolled_donor(study: Any, make_user: Callable[..., Any]) -> Callable[[], Any]:
    """Factory: an enrolled donor screened two weeks before :func:`t0` (consent signed that day),
    whose liposuction is scheduled on the day of :func:`t0`, the test batches' harvest day."""
    from stromalab.web.donors import actions as donor_actions
    from stromalab.web.screening import actions

    coordinator, investigator = make_user("coordinator"), make_user("investigator")
    screened = timezone.localtime(t0()).date() - dt.timedelta(days=14)

    def make() -> Any:
        donor = donor_actions.register_donor(
            study=study, identity={"last_name": "Martin", "first_name": "Claire"}, acting_user=coordinator)
        donor_actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="signed",
                                     date=screened, acting_user=investigator)
        actions.save_screening(donor=donor, data=eligible_data(screened), acting_user=coordinator)
        actions.sign_decision(donor=donor, password=PASSWORD, acting_user=investigator)
        actions.enroll(donor=donor, acting_user=investigator)
        donor.refresh_from_db()
        return donor

    make.investigator = investigator  # type: ignore[attr-defined]
    return make


@pytest.fixture()
def operator(make_user: Callable[..., Any]) -> Any:
    return make_user("operator", first_name="Olivia", last_name="Operatrice")


_T0 = (timezone.now() - dt.timedelta(days=20)).replace(microsecond=0)


def t0() -> dt.datetime:
    """The harvest time of the test batches: 20 days before the session started (so every later
    step stays in the past), the same value at every call."""
    return _T0


@pytest.fixture()
def run_batch(operator: Any) -> Callable[..., Any]:
    """``run_batch(donor, until="storage", passages=3, vials=10)`` → the batch."""
    from stromalab.web.manufacturing import actions as a
    from stromalab.web.manufacturing.models import Box

    order = ["harvest", "receipt", "isolation", "passages", "freezing", "storage"]

    def run(donor: Any, until: str = "storage", passages: int = 3, vials: int = 10, user: Any = None) -> Any:
        user = user or operator
        start = t0()
        stop = order.index(until)
        batch = a.record_harvest(donor=donor, harvested_at=start, surgeon="Dr Chirurgien", mass_g="52.5",
                                 container="sterile pot 250 mL", transport_temperature="4 °C",
                                 departed_at=start + dt.timedelta(minutes=30), password=PASSWORD,
                                 acting_user=user)
        if stop >= 1:
            a.record_receipt(batch=batch, received_at=start + dt.timedelta(hours=3), temperature_c="6.5",
                             integrity="intact", mass_g="52.1", password=PASSWORD, acting_user=user)
        if stop >= 2:
            a.record_isolation(batch=batch, isolated_at=start + dt.timedelta(hours=5), cell_count=30_000_000,
                               viability_pct="85", password=PASSWORD, acting_user=user)
        if stop >= 3:
            at = start + dt.timedelta(hours=6)
            for n in range(passages):
                medium = lot(kind="medium", lot_number=f"MED-{n}", receiver=user)
                reagent = lot(kind="reagent", lot_number="TRY-1", receiver=user)
                a.seed_passage(batch=batch, seeded_at=at, cells_seeded=1_000_000, vessel="T175",
                               surface_cm2="175", medium_lot=medium.pk, reagent_lots=[reagent.pk],
                               acting_user=user)
                at += dt.timedelta(days=4)
                a.harvest_passage(batch=batch, harvested_at=at, cells_harvested=8_000_000, viability_pct="92",
                                  confluence_pct="80", password=PASSWORD, acting_user=user)
        if stop >= 4:
            a.record_freezing(batch=batch, frozen_at=start + dt.timedelta(days=13), container_type="vial",
                              container_count=vials, volume_ml="1.5", cells_per_container=500_000,
                              password=PASSWORD, acting_user=user)
        if stop >= 5:
            box = Box.objects.filter(name="B1").first() or a.create_box(
                tank="Tank 1", rack="R1", name="B1", acting_user=user)
            a.store_batch(batch=batch, box=box, password=PASSWORD, acting_user=user)
        batch.refresh_from_db()
        return batch

    return run
