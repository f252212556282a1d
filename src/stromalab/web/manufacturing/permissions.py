"""Who may do what in manufacturing (compliance.md, "People and what they may do")."""

from __future__ import annotations

from stromalab.web.accounts import roles

#: Records receipt, processing, culture, freezing, storage, movements.
WRITERS = (roles.OPERATOR,)
#: Close a deviation after its investigation (see ``actions.close_deviation`` for why).
DEVIATION_CLOSERS = (roles.QUALIFIED_PERSON,)
#: Read batch records, containers and storage.
READERS = (roles.OPERATOR, roles.MONITOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON)
#: Read traceability (donor → containers, label → donation and donor pseudonym).
TRACE_READERS = (*READERS, roles.INVESTIGATOR, roles.COORDINATOR)
