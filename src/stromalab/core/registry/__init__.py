"""ClinicalTrials.gov registry records: read an API v2 study record, split its eligibility text
into criteria and draft computable rules for the ones whose wording is recognisable.

Pure Python (no Django, no I/O): the ``stromalab protocol import-ctgov`` command and the public
study pages read records through :func:`read_record`.
"""

from stromalab.core.registry.record import RecordError, Registration, read_record

__all__ = ["RecordError", "Registration", "read_record"]
