"""Every change of the manufacturing record (atomic, acting user by keyword, audited).

The batch record is a state machine (:mod:`stromalab.core.manufacturing.batch_record` states
which step may follow which): harvest → receipt → SVF isolation → passages P0 … Pn →
formulation and freezing (creates the containers) → storage. Any action out of order raises
:class:`TransitionError` naming the batch and the step; since each action is one durable
transaction nothing is half-written. Steps are completed with the operator's electronic
signature (password re-asked). A value outside an in-process limit of the batch's study
(``protocols/<study>/manufacturing.yaml``) is refused unless the operator gives a deviation
reason, and then recorded as a deviation in the same transaction.

One module per job: :mod:`.din`, :mod:`.intake` (harvest, receipt, isolation),
:mod:`.culture` (passages, freezing), :mod:`.storage`, :mod:`.deviations`, :mod:`.rejection`;
helpers in :mod:`.guards`, :mod:`.recording` and :mod:`.inputs`. This package re-exports the
public actions so that ``from stromalab.web.manufacturing import actions`` keeps working for
other apps and tests; the app's own modules import from the specific modules. Read-only
look-ups live in :mod:`stromalab.web.manufacturing.queries`, configuration in
:mod:`stromalab.web.manufacturing.config`.
"""

from __future__ import annotations

from ..config import facility_fin, in_process_limits, product_code, shelf_life_days
from ..queries import (
    batch_growth,
    containers_of_donor,
    find_by_label,
    is_container_identifier,
    step_verdicts,
)
from .culture import harvest_passage, record_freezing, seed_passage
from .deviations import close_deviation, record_deviation
from .din import allocate_din
from .guards import LimitBreach, TransitionError
from .intake import record_harvest, record_isolation, record_receipt
from .rejection import block_withdrawn_containers, reject_step
from .storage import create_box, dispatch_container, move_container, store_batch

__all__ = [
    "LimitBreach",
    "TransitionError",
    "allocate_din",
    "batch_growth",
    "block_withdrawn_containers",
    "close_deviation",
    "containers_of_donor",
    "create_box",
    "dispatch_container",
    "facility_fin",
    "find_by_label",
    "harvest_passage",
    "in_process_limits",
    "is_container_identifier",
    "move_container",
    "product_code",
    "record_deviation",
    "record_freezing",
    "record_harvest",
    "record_isolation",
    "record_receipt",
    "reject_step",
    "seed_passage",
    "shelf_life_days",
    "step_verdicts",
    "store_batch",
]
