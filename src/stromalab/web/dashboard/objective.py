"""The study's objective on the dashboard: donors enrolled, batches made, released and meeting
the ISCT criteria, each against the target of the protocol folder's ``objective.yaml`` (read
through :func:`stromalab.core.protocol.load_protocol`, never written here), and the ISCT
compliance of each batch (the first :data:`BATCHES_SHOWN`, with a link to all of them).

Three queries whatever the number of batches: the batch counts (two) and the batches shown.
"""

from __future__ import annotations

from typing import Any

from stromalab.core.protocol import Objective, ProtocolError, load_protocol
from stromalab.web.manufacturing.models import Batch
from stromalab.web.quality.queries import batch_counts, isct_by_batch, isct_status
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
    counts = batch_counts(study_id)
    statuses = dict(Batch.STATUSES)
    rows = [{**b, "status_label": str(statuses.get(b["status"], b["status"])),
             "isct": isct_status(b["isct_passed"], b["isct_measured"]),
             "passed": b["isct_passed"], "measured": b["isct_measured"]}
            for b in isct_by_batch(study_id)[:BATCHES_SHOWN]]
    return {**counts, "target": objective.batches_meeting_isct if objective else None,
            "identity_tests": len(IDENTITY_TESTS), "rows": rows}
