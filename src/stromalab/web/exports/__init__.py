"""Study data leaving the system: a FHIR R4 (R4B) bundle and a CDISC ODM 1.3.2 document.

One module per job: :mod:`.access` (who may export, the one check the command line, the pages
and the API apply), :mod:`.fhir` and :mod:`.odm` (the documents, built from the database and
checked against their standard before anyone receives them), :mod:`.record` (building an export
is an audited event: who, what, filters, number of records, SHA-256 of the file), and the pages
(:mod:`.views`) and API (:mod:`.api`). Only pseudonyms leave: no identity, no birth date.
"""
