"""Who may do what in quality control and release (compliance.md).

- QC analysts enter and correct QC results and upload FCS panels.
- The qualified person releases or rejects a batch (e-signature) and closes
  out-of-specification records: closing an OOS is a quality decision taken by someone other
  than the analyst who produced the result, like the release itself.
- Monitors and operators read; the administrator has no access to study data.
"""

from __future__ import annotations

from stromalab.web.accounts import roles

ANALYSTS = (roles.QC_ANALYST,)
RELEASERS = (roles.QUALIFIED_PERSON,)
OOS_CLOSERS = (roles.QUALIFIED_PERSON,)
READERS = (roles.QC_ANALYST, roles.QUALIFIED_PERSON, roles.MONITOR, roles.OPERATOR)
