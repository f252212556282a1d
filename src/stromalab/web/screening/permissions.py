"""Who may do what in screening (compliance.md, "People and what they may do")."""

from __future__ import annotations

from stromalab.web.accounts import roles

#: Enter and correct the case report form and the coded history.
ENTRY_ROLES = (roles.COORDINATOR, roles.INVESTIGATOR)
#: Also the warehouse analyst, whose registration of a candidate carries the warehouse facts
#: into the new donor's form (web/warehouse); the analyst has no screening page.
DATA_SOURCES = (*ENTRY_ROLES, roles.WAREHOUSE_ANALYST)
#: Answer a data query (the data manager answers their own, e.g. to note a source check).
QUERY_ANSWER_ROLES = (roles.INVESTIGATOR, roles.COORDINATOR, roles.DATA_MANAGER)
#: Raise, close and reopen data queries.
QUERY_MANAGERS = (roles.DATA_MANAGER,)
#: Sign the eligibility decision and enroll.
DECIDERS = (roles.INVESTIGATOR,)
