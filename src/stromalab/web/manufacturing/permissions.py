"""Who may do what in manufacturing (compliance.md, "People and what they may do")."""

from __future__ import annotations

from stromalab.web.accounts import roles

#: Records receipt, processing, culture, freezing, storage, movements.
WRITERS = (roles.OPERATOR,)
#: Read batch records, containers and storage.
READERS = (roles.OPERATOR, roles.MONITOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON)
#: Read traceability (donor → containers, label → donation and donor pseudonym).
TRACE_READERS = (*READERS, roles.INVESTIGATOR, roles.COORDINATOR)
