"""Donor safety actions: each change of state with its audit event, in one transaction."""

from .events import follow_up_adverse_event, record_adverse_event, report_adverse_event
from .samples import record_samples

__all__ = ["follow_up_adverse_event", "record_adverse_event", "record_samples", "report_adverse_event"]
