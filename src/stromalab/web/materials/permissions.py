"""Who may do what with the materials and instrument registers and the CAPAs (compliance.md).

- Operators and QC analysts receive lots (they unpack them and file the supplier's
  certificate); a lot waits in quarantine until the qualified person releases or rejects it,
  and never by the person who received it (four eyes, checked in the action).
- Operators, QC analysts and the qualified person keep the instrument register (identifier,
  calibration or qualification due date, in or out of service): whoever calibrates records it.
- Those who investigate deviations and OOS results open CAPAs; the qualified person closes
  them under an e-signature, like the deviations and OOS records themselves.
"""

from __future__ import annotations

from stromalab.web.accounts import roles

RECEIVERS = (roles.OPERATOR, roles.QC_ANALYST)
LOT_DECIDERS = (roles.QUALIFIED_PERSON,)
INSTRUMENT_KEEPERS = (roles.OPERATOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON)
CAPA_WRITERS = (roles.OPERATOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON)
CAPA_CLOSERS = (roles.QUALIFIED_PERSON,)
#: who may own a CAPA's action: the people who do the work the action changes
CAPA_OWNERS = (roles.OPERATOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON, roles.INVESTIGATOR, roles.COORDINATOR)
READERS = (roles.OPERATOR, roles.QC_ANALYST, roles.QUALIFIED_PERSON, roles.MONITOR)
