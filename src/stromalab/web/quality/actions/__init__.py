"""Every change in quality control and release, one module per job:

- :mod:`.results` — QC results entered, corrected (with a reason) and voided;
- :mod:`.oos` — out-of-specification records opened on failure and closed with a signature;
- :mod:`.fcs` — FCS panel uploads, whose identity markers become QC results;
- :mod:`.release` — the qualified person's signed release or rejection of a batch.

Each public action is one durable transaction taking the acting user by keyword and writing
its audit events in it. Verdicts come from the core (:mod:`stromalab.core.manufacturing.release`,
:mod:`stromalab.core.cytometry.phenotype`), which is handed plain values and never reads the
database. What the pages only read (the release summary, eligibility, the certificate's data)
is in :mod:`stromalab.web.quality.queries`.
"""

from .fcs import Upload, upload_panel
from .oos import close_oos
from .release import FourEyesViolation, ReleaseRefused, reject_batch, release_batch
from .results import CORRECTABLE, correct_result, record_result, void_result

__all__ = [
    "CORRECTABLE",
    "FourEyesViolation",
    "ReleaseRefused",
    "Upload",
    "close_oos",
    "correct_result",
    "record_result",
    "reject_batch",
    "release_batch",
    "upload_panel",
    "void_result",
]
