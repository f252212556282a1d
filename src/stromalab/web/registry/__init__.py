"""Public study pages: each loaded study's ClinicalTrials.gov registry record, readable without
login, in English and French, printable. Only the registry record: no donor, no study data."""
