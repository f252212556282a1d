"""Pre-screening an OMOP CDM warehouse: the protocol's criteria compiled to one SQL query.

The rule tree of :mod:`stromalab.core.eligibility.rules` is translated, not evaluated: the
query runs where the data live (DuckDB, PostgreSQL or Spark) and returns, per person, the
criteria that fail and the criteria that stay unknown (docs/warehouse.md).
Database drivers are imported only inside this package, never by the eligibility core.
"""
