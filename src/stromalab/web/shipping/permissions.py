"""Who may do what with shipments (compliance.md, "People and what they may do").

- The operator of the cell therapy unit dispatches: the unit holds the released containers in
  its storage and records every movement of them (``manufacturing.permissions.WRITERS``).
- The investigator confirms receipt at the clinical site: the product is administered there
  under the investigator's responsibility, so the investigator takes custody of it, with an
  e-signature. Four eyes: whoever dispatched a shipment never confirms its receipt.
- A temperature logger's file comes from either end: the operator who packed the logger, or the
  investigator who unpacked it.
- The qualified person (who closes the deviations an excursion opens), the coordinator and the
  monitor read.
"""

from __future__ import annotations

from stromalab.web.accounts import roles

DISPATCHERS = (roles.OPERATOR,)
RECEIVERS = (roles.INVESTIGATOR,)
LOGGER_UPLOADERS = (roles.OPERATOR, roles.INVESTIGATOR)
READERS = (roles.OPERATOR, roles.INVESTIGATOR, roles.QUALIFIED_PERSON, roles.COORDINATOR, roles.MONITOR)
