"""The demo study's batches, made by the operator as the batch record asks.

Harvest in the operating room on the day of the scheduled liposuction, receipt in the unit a
few hours later, SVF isolation, three passages (P0-P2) that each seed part of the previous
harvest, freezing of fewer cells than the last passage harvested into ten vials, and storage
in a liquid-nitrogen box. Every step is signed by the operator (password re-asked) and every
value lies within the in-process limits of ``manufacturing.yaml``, so no deviation is opened.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from stromalab.web.accounts import roles
from stromalab.web.manufacturing import actions as mfg
from stromalab.web.manufacturing.models import Batch, Box
from stromalab.web.safety.actions import record_samples
from stromalab.web.safety.models import InfectionSample
from stromalab.web.screening.models import SEROLOGY_TESTS

from .materials import lot
from .people import Staff
from .screening import Harvestable

#: the cells frozen per vial, and vials per batch: 100 million cells, the last passage's
#: harvest being 130-160 million
VIALS, CELLS_PER_VIAL = 10, 10_000_000
#: vessel, its surface (cm²), cells seeded and cells harvested (before the seed's random
#: variation) at P0, P1, P2: seeded at 2,500-5,000 cells/cm² from P1, harvested near 20,000
PASSAGES = (("CellSTACK 2-chamber", "1272", 6_000_000, 24_000_000),
            ("CellSTACK 5-chamber", "3180", 8_000_000, 40_000_000),
            ("CellSTACK 10-chamber", "6360", 30_000_000, 130_000_000))


def storage_box(staff: Staff) -> Box:
    """The liquid-nitrogen box that receives the demo batches' vials."""
    return mfg.create_box(tank="LN2 tank 1", rack="R1", name="MSC-AT-01", acting_user=staff[roles.OPERATOR])


def make_batch(harvestable: Harvestable, box: Box, staff: Staff, rng: random.Random) -> Batch:
    """One batch from harvest to storage; the batch, in quarantine, awaits its QC."""
    operator = staff[roles.OPERATOR]
    password = staff.password(operator)
    start = timezone.make_aware(dt.datetime.combine(harvestable.surgery_on, dt.time(9, 40)))
    mass = rng.uniform(45, 56)
    batch = mfg.record_harvest(
        donor=harvestable.donor, harvested_at=start, surgeon="Dr Vincent Roux", mass_g=f"{mass:.1f}",
        container="sterile pot 250 mL", transport_temperature="4 °C", departed_at=start + dt.timedelta(minutes=35),
        password=password, acting_user=operator)
    # the investigator dates the donor's infection test samples: taken in the operating room and
    # also tested by NAT for HIV, HBV and HCV, so no repeat sample is needed (donor-testing.yaml)
    record_samples(donation=batch.donation, visit=InfectionSample.DONATION, acting_user=staff[roles.INVESTIGATOR],
                   samples={t: {"sampled_on": harvestable.surgery_on, "nat": t in ("HIV", "HBsAg", "anti-HCV")}
                            for t in SEROLOGY_TESTS})
    mfg.record_receipt(batch=batch, received_at=start + dt.timedelta(hours=2, minutes=50),
                       temperature_c=f"{rng.uniform(5, 8):.1f}", integrity="intact", mass_g=f"{mass - 0.3:.1f}",
                       password=password, acting_user=operator)
    at = start + dt.timedelta(hours=5)
    mfg.record_isolation(batch=batch, isolated_at=at, cell_count=rng.randrange(28_000_000, 36_000_000, 100_000),
                         viability_pct=f"{rng.uniform(82, 90):.1f}", password=password, acting_user=operator)
    for number, (vessel, surface, seeded, harvested) in enumerate(PASSAGES):
        at += dt.timedelta(hours=1)
        mfg.seed_passage(batch=batch, seeded_at=at, cells_seeded=seeded, vessel=vessel, surface_cm2=surface,
                         medium_lot=lot(staff, f"MEM-{2601 + number}").pk,
                         reagent_lots=[lot(staff, "TrypLE-2611").pk, lot(staff, "hPL-2609").pk],
                         acting_user=operator)
        at += dt.timedelta(days=4, hours=rng.randint(0, 6))
        grown = harvested + rng.randrange(0, 30_000_000, 100_000)
        mfg.harvest_passage(batch=batch, harvested_at=at, cells_harvested=grown,
                            viability_pct=f"{rng.uniform(90, 96):.1f}", confluence_pct=str(rng.randint(75, 85)),
                            password=password, acting_user=operator)
    mfg.record_freezing(batch=batch, frozen_at=at + dt.timedelta(hours=2), container_type="vial",
                        container_count=VIALS, volume_ml="1.5", cells_per_container=CELLS_PER_VIAL,
                        password=password, acting_user=operator)
    mfg.store_batch(batch=batch, box=box, password=password, acting_user=operator)
    batch.refresh_from_db()
    return batch
