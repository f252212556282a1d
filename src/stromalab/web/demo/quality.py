"""Quality control and release of the demo batches.

The QC analyst enters the results of the release specification's tests (``release.yaml``) and
uploads each batch's flow cytometry panel: generated FCS files (web/demo/cytometer.py) from
which the product computes the ISCT phenotype and records the identity results itself. The
qualitative results (sterility, mycoplasma, karyotype) are the specification's own conforming
choices. The qualified person, who took no part in the QC (four eyes), then releases the batch
with an e-signature. One batch's panel shows HLA-DR above the ISCT limit: the product opens an
out-of-specification record, which stays open under investigation and blocks the release.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
from django.utils import timezone

from stromalab.web.accounts import roles
from stromalab.web.manufacturing.models import Batch, Step
from stromalab.web.manufacturing.queries import parse_time
from stromalab.web.quality import actions as qc
from stromalab.web.quality.models import ReleaseDecision
from stromalab.web.quality.queries import specification
from stromalab.web.quality.spec import IDENTITY_TESTS

from .cytometer import msc_panel
from .manufacturing import CELLS_PER_VIAL, VIALS
from .people import Staff

#: the dose the investigator requested for each batch: 1 million cells per kg for a 70 kg patient
REQUESTED_DOSE = 70_000_000
#: share of HLA-DR positive cells in the panel of the batch that fails identity (ISCT: <= 2 %)
FAILING_HLA_DR = 0.045
#: days from freezing to the QC tests (thawed vial) and to the flow cytometry acquisition
TESTED_AFTER, ACQUIRED_AFTER = 2, 3


def numeric_results(rng: random.Random) -> dict[str, str]:
    """Results of the numeric tests of a conforming batch (post-thaw viability, total cells
    frozen, endotoxin)."""
    return {"viability": f"{rng.uniform(88, 95):.1f}", "cell-count": str(VIALS * CELLS_PER_VIAL),
            "endotoxin": f"{rng.uniform(0.1, 0.8):.2f}"}


def enter_results(batch: Batch, staff: Staff, rng: random.Random, np_rng: np.random.Generator, *,
                  hla_dr_fraction: float = 0.0) -> None:
    """Every test of the batch's release specification: the ones measured by hand, then the
    identity tests from its uploaded FCS panel."""
    analyst = staff[roles.QC_ANALYST]
    frozen = timezone.localtime(parse_time(Step.objects.get(batch=batch, kind=Step.FREEZING).data["frozen_at"])).date()
    tested_on = min(frozen + dt.timedelta(days=TESTED_AFTER), timezone.localdate())
    acquired_on = min(frozen + dt.timedelta(days=ACQUIRED_AFTER), timezone.localdate())
    numeric = numeric_results(rng)
    for requirement in specification(batch).requirements:
        if requirement.id in IDENTITY_TESTS:
            continue
        conforming = [c.value for c in requirement.choices if c.conforms]
        value = conforming[0] if conforming else numeric[requirement.id]
        qc.record_result(batch=batch, test_id=requirement.id, value=value, performed_on=tested_on,
                         requested_dose=REQUESTED_DOSE if requirement.id == "cell-count" else None,
                         acting_user=analyst)
    control, *stained = msc_panel(np_rng, acquired_on=acquired_on, hla_dr_fraction=hla_dr_fraction)
    qc.upload_panel(batch=batch, control=qc.Upload(control.name, control.data),
                    stained=[qc.Upload(tube.name, tube.data) for tube in stained], acting_user=analyst)


def release(batch: Batch, staff: Staff) -> ReleaseDecision:
    """The qualified person releases the batch (password re-asked)."""
    qp = staff[roles.QUALIFIED_PERSON]
    return qc.release_batch(batch=batch, password=staff.password(qp), acting_user=qp)
