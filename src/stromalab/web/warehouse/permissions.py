"""Who may do what in warehouse pre-screening.

The warehouse ``person_id`` of a registered donor links the pseudonymised study record back to
the hospital's records, so runs, results and links are readable only by the analyst, by the
roles that already know donors' identity (investigator, coordinator) and by the monitor, who
reads everything (compliance.md); every read of a link is audited. The analyst reads no identity and no clinical study data.
"""

from __future__ import annotations

from stromalab.web.accounts import roles

#: may read runs, results and the person → donor links (each read of a link is audited)
READERS = (roles.WAREHOUSE_ANALYST, roles.INVESTIGATOR, roles.COORDINATOR, roles.MONITOR)
#: may run a pre-screen
RUNNERS = (roles.WAREHOUSE_ANALYST,)
#: may turn a candidate into a registered donor
REGISTRARS = (roles.WAREHOUSE_ANALYST, roles.INVESTIGATOR, roles.COORDINATOR)
