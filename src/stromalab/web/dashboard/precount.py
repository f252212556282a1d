"""The dashboard's figures counted again by the request that changed the study, after its
response has been sent, instead of by the next person to open the dashboard.

Every change makes the figures count again (:mod:`.freshness`): at 10,000 donors a count takes
about 25 ms of the server and the database, and whoever opened the dashboard first after a change
waited for it: the dashboard was the slowest page under load (docs/performance.md). A request
that committed audit events now counts the figures once its response is written (Django's
``request_finished``, sent when the server closes the response, after the last byte went out), so
the person who saved waits no longer and the next dashboard finds its figures ready. The worker
does the work before taking its next request, as if it were one more request in the queue.

Only the figures someone has looked at lately are counted: each dashboard view notes its role and
language (at most once a minute); nothing is counted for a role nobody uses. Exactness does not
depend on this: a page still reads the version and counts whatever is not ready. On when the
workers share the cache (``STROMALAB_CACHE=files``, ``stromalab serve``'s default): with a cache
per process, one worker's count would serve nobody else.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from stromalab.web.accounts import roles
from stromalab.web.donors.queries import current_study

from . import queues
from .freshness import current_version
from .stats import study_summary

logger = logging.getLogger(__name__)

#: a (role, language) whose dashboard was viewed within this many seconds is counted after a change
WANTED_SECONDS = 600
#: a view notes its (role, language) again only when the note is older than this
NOTE_EVERY_SECONDS = 60

_pending = threading.local()


def wanted_key(study_id: str) -> str:
    return f"stromalab:figures:wanted:{study_id}"


def note_viewed(study_id: str, role: str) -> None:
    """Note that the dashboard of ``role`` was just viewed in the active language."""
    wanted: dict[tuple[str, str], float] = cache.get(wanted_key(study_id)) or {}
    seen = (role, translation.get_language())
    now = time.time()
    if now - wanted.get(seen, 0) >= NOTE_EVERY_SECONDS:
        fresh = {k: t for k, t in wanted.items() if now - t < WANTED_SECONDS}
        cache.set(wanted_key(study_id), {**fresh, seen: now}, WANTED_SECONDS)


def count_wanted(study: Any) -> None:
    """Count the figures of every (role, language) viewed lately, at the current version."""
    wanted: dict[tuple[str, str], float] = cache.get(wanted_key(study.pk)) or {}
    now = time.time()
    version = current_version()
    for role, language in sorted(k for k, t in wanted.items() if now - t < WANTED_SECONDS):
        with translation.override(language):
            for kind in queues.kinds_for(role):
                queues.build_cached(kind, study, version)
            if role in roles.CLINICAL_READERS:
                study_summary(study, version)


def note_change(**kwargs: Any) -> None:
    """``events_committed`` receiver: this thread's request changed the study."""
    _pending.changed = True


def count_after_response(**kwargs: Any) -> None:
    """``request_finished`` receiver: the response is out; count if this request changed the study."""
    if not getattr(_pending, "changed", False):
        return
    _pending.changed = False
    if not settings.STROMALAB_COUNT_AFTER_CHANGE:
        return
    try:
        study = current_study()
        if study is not None:
            count_wanted(study)
    except Exception:  # the response is sent: a failure here must not end the worker
        logger.exception("dashboard figures not counted after a change; the next view counts them")
