"""The roles of compliance.md ("People and what they may do").

A user holds exactly one role. Use the constants (never string literals) with
:func:`stromalab.web.accounts.permissions.require_role` and friends.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INVESTIGATOR = "investigator"
COORDINATOR = "coordinator"
OPERATOR = "operator"
QC_ANALYST = "qc_analyst"
QUALIFIED_PERSON = "qualified_person"
DATA_MANAGER = "data_manager"
MONITOR = "monitor"
ADMINISTRATOR = "administrator"
WAREHOUSE_ANALYST = "warehouse_analyst"

CHOICES = [
    (INVESTIGATOR, _("Investigator")),
    (COORDINATOR, _("Coordinator")),
    (OPERATOR, _("Operator (cell therapy unit)")),
    (QC_ANALYST, _("QC analyst")),
    (QUALIFIED_PERSON, _("Qualified person / pharmacist")),
    (DATA_MANAGER, _("Data manager")),
    (MONITOR, _("Monitor / auditor")),
    (ADMINISTRATOR, _("Administrator")),
    (WAREHOUSE_ANALYST, _("Data-warehouse analyst")),
]
ALL = tuple(code for code, _label in CHOICES)

#: Everyone who works with study data (not the administrator, who manages accounts only; not the
#: warehouse analyst, who pre-screens the hospital warehouse and reads no study or identity data,
#: see stromalab.web.warehouse).
STUDY_STAFF = (INVESTIGATOR, COORDINATOR, OPERATOR, QC_ANALYST, QUALIFIED_PERSON, DATA_MANAGER, MONITOR)
#: May read donor identity (name, NIR, contact). Every read is audited.
IDENTITY_READERS = (INVESTIGATOR, COORDINATOR)
#: May read the study's clinical data (pseudonymised).
CLINICAL_READERS = (INVESTIGATOR, COORDINATOR, DATA_MANAGER, MONITOR)
#: May read the audit trail.
AUDIT_READERS = (MONITOR, DATA_MANAGER, INVESTIGATOR, COORDINATOR, ADMINISTRATOR)
