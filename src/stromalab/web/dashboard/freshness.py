"""The study's figures computed once per change of the study, not once per page view.

Every change of study data appends an audit event in the same transaction (docs/security.md),
so the audit chain head's ``last_id`` is a version number of the whole study: figures cached
under it are exact — a page never shows a figure older than the last committed change it could
see — and any change makes the next page count again. One primary-key read replaces the
dashboard's aggregates whenever nothing changed, which is most page views: everyone lands on the
dashboard (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from stromalab.web.audit.models import ChainHead

T = TypeVar("T")
#: a version stays in the cache this long after its last read (memory, not correctness)
KEEP_SECONDS = 600


def as_of_last_change(name: str, study_id: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value at the current audit version when already computed (per
    language: the figures carry translated labels)."""
    key = f"stromalab:figures:{name}:{study_id}:{get_language()}:{ChainHead.last_event_id()}"
    found: Any = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, KEEP_SECONDS)
    return found  # type: ignore[no-any-return]
