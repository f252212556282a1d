"""Who may read the audit trail and verify its chain (compliance.md, "People and what they may do")."""

from __future__ import annotations

from stromalab.web.accounts import roles

#: May read the trail, all events or one subject's.
READERS = roles.AUDIT_READERS
#: May re-compute the whole chain (a full-table walk: the people who answer for its integrity).
VERIFIERS = (roles.MONITOR, roles.DATA_MANAGER, roles.ADMINISTRATOR)
