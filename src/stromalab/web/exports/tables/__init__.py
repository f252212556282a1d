"""The list pages as CSV and Excel files: what each page shows, under its filters (the same
query string), for the roles that read the page.

One small module per table gives its page roles, columns (human headers in the reader's
language, typed values, identity columns for identity readers only) and rows, selected through
the same function as the page (:mod:`.base`). :mod:`.cells` and :mod:`.files` write them out,
safe to open in a spreadsheet; :mod:`.produce` checks the reader, hashes the file and records
the export (:attr:`EventKind.DATA_EXPORT`, like the FHIR and ODM exports); :mod:`.views` gives
each table two URLs (CSV, Excel) under ``/exports/tables/``, linked from its page, and
``stromalab export csv|xlsx`` writes them all into a folder.
"""

from __future__ import annotations

from . import audit_trail, batches, data_queries, donors, qc_batches, screening_log, warehouse_runs
from .base import Table

#: every table, in the order the command line writes them
TABLES: dict[str, Table] = {t.key: t for t in (
    donors.TABLE, screening_log.TABLE, data_queries.TABLE, batches.TABLE, qc_batches.TABLE,
    audit_trail.TABLE, warehouse_runs.TABLE)}
