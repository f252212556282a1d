"""The study's figures computed once per change of the study, not once per page view.

Every change of study data appends an audit event in the same transaction (docs/security.md),
so the audit chain head (its last event's id and hash) is a version of the whole study: figures cached
under it are exact — a page never shows a figure older than the last committed change it could
see — and any change makes the next page count again. One primary-key read replaces the
dashboard's aggregates whenever nothing changed, which is most page views: everyone lands on the
dashboard (docs/performance.md). Under ``stromalab serve`` the cache is a folder the worker
processes share (settings ``STROMALAB_CACHE``), so one of them counts after a change, not each;
the version includes the chain head's hash, so figures kept in the folder across a restore, or
by another instance or test run sharing it, are never taken for this record's.

The figures are stored with their labels already translated (the key names the language): a lazy
translation unpickles by building a new class (Django's ``lazy()``), 0.5 ms each, which made
reading a cached dashboard cost more than rendering it (docs/performance.md).

Each figure has one cache entry per study and language, holding the version it was counted at
with the figures: a change replaces the entry instead of adding one. Entries keyed by version
piled up in the folder (hundreds per minute under load) until Django's file cache, which lists
its folder on every write and culls a third of it at random past 300 entries, spent its time
listing and threw away current figures, sessions and all. A page reads the version once and
passes it to each of its figures (the dashboard has six): one primary-key read per view.

Two requests that find the same version uncounted at once (the dashboard and its API, opened
together after a change) would both count it: the first marks the version as being counted and
the others wait for its figures, without using the processor, instead of counting the same
figures again (a sixth of the recounts under load). The mark is an optimisation, never needed for
exactness: a waiter that sees no figures within ``WAIT_SECONDS`` counts them itself.
"""

from __future__ import annotations

import io
import pickle
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import get_language

from stromalab.web.audit.models import ChainHead

T = TypeVar("T")
#: a version stays in the cache this long after its last read (memory, not correctness)
KEEP_SECONDS = 600
#: how long a request waits for the figures another one is counting, and how often it looks
WAIT_SECONDS, LOOK_EVERY_SECONDS = 5.0, 0.005


def current_version() -> str:
    """The study record's version (:meth:`ChainHead.version`): read once per page, given to each
    of its figures."""
    return ChainHead.version()


def as_of_last_change(name: str, study_id: str, compute: Callable[[], T], *, version: str,
                      translated: bool = True) -> T:
    """``compute()``, or its value already counted at ``version`` (the :func:`current_version`
    the page read), per language when the figures carry translated labels (``translated``), else
    once for every language."""
    key = figures_key(name, study_id, translated=translated)
    mark = f"{key}:counting:{version}"
    stored = _stored_at(key, version)
    if stored is None and not cache.add(mark, True, WAIT_SECONDS):
        stored = _counted_by_another(key, version, mark)
    if stored is not None:
        return pickle.loads(stored)  # type: ignore[no-any-return]
    try:
        found = compute()
        cache.set(key, (version, _translated_pickle(found)), KEEP_SECONDS)
    finally:
        cache.delete(mark)
    return found


def figures_key(name: str, study_id: str, *, translated: bool = True) -> str:
    """The cache key of the figures ``name`` of the study, in the active language when they are
    ``translated`` (one entry, whatever the version it holds)."""
    return f"stromalab:figures:{name}:{study_id}:{get_language() if translated else '*'}"


def _stored_at(key: str, version: str) -> bytes | None:
    """The figures stored under ``key`` when they were counted at ``version``, else None."""
    entry = cache.get(key)
    if entry is None or entry[0] != version:
        return None
    return entry[1]  # type: ignore[no-any-return]


def _counted_by_another(key: str, version: str, mark: str) -> bytes | None:
    """The figures another request is counting at ``version`` (under ``mark``), once stored;
    None after ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(LOOK_EVERY_SECONDS)
        stored = _stored_at(key, version)
        if stored is not None:
            return stored
        if cache.get(mark) is None:  # stored just now, or the counter failed
            return _stored_at(key, version)
    return None


class _TranslatingPickler(pickle.Pickler):
    """Pickles a lazy translation as the text it reads in the active language."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Promise):
            return str, (str(obj),)
        return NotImplemented


def _translated_pickle(value: Any) -> bytes:
    buffer = io.BytesIO()
    _TranslatingPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()
