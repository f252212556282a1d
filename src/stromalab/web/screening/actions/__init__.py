"""Every change to a screening: CRF data, coded history, data queries, the signed eligibility
decision and enrollment. Public actions are durable transactions, take the acting user by
keyword and write their audit events in the same transaction.

One module per concern (``crf``, ``data_queries``, ``enrollment``; CRF values are checked in
:mod:`stromalab.web.screening.values`); the public names are re-exported here, with the
read-only ones of :mod:`stromalab.web.screening.queries` that other apps import from here.
"""

from __future__ import annotations

from ..queries import decision_matches, latest_decision, preview_screening
from .crf import (
    add_coded_entry,
    add_coded_entry_in_transaction,
    save_screening,
    save_screening_in_transaction,
    void_coded_entry,
)
from .data_queries import answer_query, close_query, open_query, reopen_query
from .enrollment import EnrollmentError, EnrollmentFull, enroll, ensure_slots, sign_decision

__all__ = [
    "EnrollmentError", "EnrollmentFull", "add_coded_entry", "add_coded_entry_in_transaction",
    "answer_query", "close_query",
    "decision_matches", "enroll", "ensure_slots", "latest_decision", "open_query",
    "preview_screening", "reopen_query", "save_screening", "save_screening_in_transaction",
    "sign_decision", "void_coded_entry",
]
