"""Who may read the audit trail and verify its chain (compliance.md, "People and what they may do").

The people who work on batches (operator, QC analyst, qualified person) read batch records but
no donor's clinical data: they read the trail of a batch (every event filed under its code: its
steps, deviations, containers and their movements, QC results, OOS, release), from the batch
page, and no other trail.
"""

from __future__ import annotations

from stromalab.web.accounts import roles

#: May read the trail, all events or one subject's.
READERS = roles.AUDIT_READERS
#: May read the trail of a batch only (the batch page's link).
BATCH_TRAIL_READERS = (roles.OPERATOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON)
#: May re-compute the whole chain (a full-table walk: the people who answer for its integrity).
VERIFIERS = (roles.MONITOR, roles.DATA_MANAGER, roles.ADMINISTRATOR)
