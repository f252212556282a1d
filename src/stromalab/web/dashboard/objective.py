"""The study's objective on the dashboard: donors enrolled, batches made, released and meeting
the ISCT criteria, each against the target of the protocol folder's ``objective.yaml`` (read
through :func:`stromalab.core.protocol.load_protocol`, never written here), and the ISCT
compliance of each batch (the first :data:`BATCHES_SHOWN`, with a link to all of them).

One query whatever the number of batches: every batch of the study with its identity results
counted, from which the counts are taken and the first rows shown. A study makes tens of batches;
the two aggregates and the list this replaces cost more to compile than the rows to read.
"""

from __future__ import annotations

from typing import Any

from stromalab.core.protocol import Objective, ProtocolError, load_protocol
from stromalab.web.manufacturing.models import Batch
from stromalab.web.quality.queries import isct_by_batch, isct_status
from stromalab.web.quality.spec import IDENTITY_TESTS

#: batches whose ISCT compliance the study dashboard lists (all are counted)
BATCHES_SHOWN = 20


def study_objective(study_id: str) -> Objective | None:
    """The targets of the study's protocol folder (None when it has none, or no folder)."""
    try:
        return load_protocol(study_id).objective
    except ProtocolError:
        return None


def batch_progress(study_id: str, objective: Objective | None) -> dict[str, Any]:
    """Batches made, released and meeting ISCT against the target, and the ISCT rows shown."""
    batches = list(isct_by_batch(study_id))
    statuses = dict(Batch.STATUSES)
    rows = [{**b, "status_label": str(statuses.get(b["status"], b["status"])),
             "isct": isct_status(b["isct_passed"], b["isct_measured"]),
             "passed": b["isct_passed"], "measured": b["isct_measured"]}
            for b in batches[:BATCHES_SHOWN]]
    return {"made": len(batches), "released": sum(b["status"] == Batch.RELEASED for b in batches),
            "meeting_isct": sum(isct_status(b["isct_passed"], b["isct_measured"]) == "meets" for b in batches),
            "target": objective.batches_meeting_isct if objective else None,
            "identity_tests": len(IDENTITY_TESTS), "rows": rows}
