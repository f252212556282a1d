"""Signals of the audit trail for the apps that keep something derived from the study.

``events_committed`` is sent once the transaction that appended audit events has committed (never
for one rolled back): every change of study data appends events in its own transaction
(docs/security.md), so it says "the study changed" to whoever keeps figures of it
(web/dashboard/precount.py), without the trail knowing who listens.
"""

from django.dispatch import Signal

events_committed = Signal()
