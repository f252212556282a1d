"""Who may do what with donors (compliance.md, "People and what they may do")."""

from __future__ import annotations

from stromalab.web.accounts import roles

#: Register donors (the site staff who meet them).
EDITORS = (roles.COORDINATOR, roles.INVESTIGATOR)
#: Also the warehouse analyst, who registers a pre-screened candidate (web/warehouse).
REGISTRARS = (*EDITORS, roles.WAREHOUSE_ANALYST)
#: Record consent decisions and withdrawals, void a donor registered in error.
INVESTIGATORS = (roles.INVESTIGATOR,)
