"""The study's figures computed once per change of the study, not once per page view.

Every change of study data appends an audit event in the same transaction (docs/security.md),
so the audit chain head's ``last_id`` is a version number of the whole study: figures cached
under it are exact — a page never shows a figure older than the last committed change it could
see — and any change makes the next page count again. One primary-key read replaces the
dashboard's aggregates whenever nothing changed, which is most page views: everyone lands on the
dashboard (docs/performance.md). Under ``stromalab serve`` the cache is a folder the worker
processes share (settings ``STROMALAB_CACHE``), so one of them counts after a change, not each;
the key names the database, so two instances (or test runs) sharing a folder never mix figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from stromalab.web.audit.models import ChainHead

T = TypeVar("T")
#: a version stays in the cache this long after its last read (memory, not correctness)
KEEP_SECONDS = 600


def as_of_last_change(name: str, study_id: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value at the current audit version when already computed (per
    language: the figures carry translated labels)."""
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:16]  # a path: no spaces
    key = f"stromalab:figures:{database}:{name}:{study_id}:{get_language()}:{ChainHead.last_event_id()}"
    found: Any = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, KEEP_SECONDS)
    return found  # type: ignore[no-any-return]
