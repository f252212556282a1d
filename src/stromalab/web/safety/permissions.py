"""Who may do what in donor safety (compliance.md, "People and what they may do")."""

from __future__ import annotations

from stromalab.web.accounts import roles

#: Read the donors' infection test samples and adverse events; the qualified person reads them
#: because they decide whether a batch may be released.
READERS = (*roles.CLINICAL_READERS, roles.QUALIFIED_PERSON)
#: Record the sample dates of the infection tests (as they enter the screening's serology).
SAMPLE_ENTRY = (roles.INVESTIGATOR, roles.COORDINATOR)
#: Enter, follow up and report a donor's adverse event, signing each (the investigator's duty).
EVENT_ENTRY = (roles.INVESTIGATOR,)
