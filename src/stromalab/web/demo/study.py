"""The whole demo story, in the order it happens, on an empty database only.

Each action is its own durable transaction, so the demo cannot be one transaction that rolls
back as a whole: it therefore checks first that nothing it would create exists (no donor,
batch or storage box, none of its usernames) and refuses otherwise, before writing anything.
Should an action refuse a step midway (a rule of the protocol changed under the story), what
was made before stays, audited like any record: start again on a fresh database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from stromalab.web.accounts.models import User
from stromalab.web.bootstrap import load_study
from stromalab.web.donors.models import Donor
from stromalab.web.manufacturing.models import Batch, Box
from stromalab.web.quality.models import ReleaseDecision

from . import manufacturing, quality
from .clock import Clock
from .people import USERNAMES, Staff, create_staff
from .screening import Site, recruit

#: the study the demo's story is written for (its criteria, surgery, specification)
PROTOCOL = "NCT05947682"


class DemoRefused(Exception):
    """The database already holds study data: the demo fills only an empty one."""


@dataclass(frozen=True)
class DemoStudy:
    """What the demo made: its accounts, the released batches and the batch an OOS blocks."""

    staff: Staff
    releases: tuple[ReleaseDecision, ...]
    blocked: Batch


def refusal() -> str | None:
    """Why the database cannot take the demo (what it already holds), or None."""
    held = [f"{count} {one if count == 1 else many}" for count, one, many in (
        (Donor.objects.count(), "donor", "donors"), (Batch.objects.count(), "batch", "batches"),
        (Box.objects.count(), "storage box", "storage boxes"),
        (User.objects.filter(username__in=USERNAMES).count(), "account with a demo username",
         "accounts with a demo username"),
    ) if count]
    if not held:
        return None
    return f"the database already holds study data ({', '.join(held)}): the demo fills only an empty database"


def fill(seed: int) -> DemoStudy:
    """Make the demo study; ``seed`` makes every generated value (names aside, which are
    fixed) and every FCS file the same from one run to the next. Raises
    :class:`DemoRefused` on a database that holds study data."""
    problem = refusal()
    if problem:
        raise DemoRefused(problem)
    study = load_study(PROTOCOL)
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    staff = create_staff()
    harvestable = recruit(Site(study, staff, Clock.now(), rng))
    box = manufacturing.storage_box(staff)
    batches = [manufacturing.make_batch(donor, box, staff, rng) for donor in harvestable]
    *conforming, blocked = batches
    for batch in conforming:
        quality.enter_results(batch, staff, rng, np_rng)
    quality.enter_results(blocked, staff, rng, np_rng, hla_dr_fraction=quality.FAILING_HLA_DR)
    releases = tuple(quality.release(batch, staff) for batch in conforming)
    blocked.refresh_from_db()
    return DemoStudy(staff, releases, blocked)
