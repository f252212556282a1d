"""The kinds of audit event: one enumeration, so that a trail can be filtered and read.

Every call of :func:`~stromalab.web.audit.actions.record_event` names one of these. The stored
value is the member's text (``EventKind.CLOSE`` is stored as ``"close"``); the record type
(``quality.OosRecord``, ``manufacturing.Deviation``, ...) says what was closed, so one verb serves
every app. Values already in trails are kept as they are: renaming one would orphan the
events written under the old text.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


class EventKind(StrEnum):
    # records
    CREATE = "create"
    UPDATE = "update"
    CORRECT = "correct"
    VOID = "void"
    READ = "read"
    APPEND = "append"
    CARRY = "carry"
    VERSION = "version"
    # signatures and decisions
    SIGN = "sign"
    CLOSE = "close"
    DECIDE = "decide"
    RELEASE = "release"
    REJECT = "reject"
    # donors and screening
    WITHDRAW = "withdraw"
    ENROLL = "enroll"
    QUERY_OPEN = "query_open"
    QUERY_ANSWER = "query_answer"
    QUERY_CLOSE = "query_close"
    QUERY_REOPEN = "query_reopen"
    PRESCREEN = "prescreen"
    # quality
    OOS_OPEN = "oos_open"
    # accounts
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOCKED = "locked"
    UNLOCK = "unlock"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_RESET = "password_reset"
    REVOKE = "revoke"
    # the trail itself
    EXPORT = "export"
    # study data leaving the system (FHIR, ODM: web/exports)
    DATA_EXPORT = "data_export"


#: each kind as people read it on the trail's pages and in its export (English and French;
#: context "audit event": "closed" here is not the adjective of a closed query)
LABELS: dict[str, Promise] = {
    EventKind.CREATE: pgettext_lazy("audit event", "created"),
    EventKind.UPDATE: pgettext_lazy("audit event", "changed"),
    EventKind.CORRECT: pgettext_lazy("audit event", "corrected"),
    EventKind.VOID: pgettext_lazy("audit event", "voided"),
    EventKind.READ: pgettext_lazy("audit event", "read"),
    EventKind.APPEND: pgettext_lazy("audit event", "added to"),
    EventKind.CARRY: pgettext_lazy("audit event", "carried from the warehouse"),
    EventKind.VERSION: pgettext_lazy("audit event", "new version"),
    EventKind.SIGN: pgettext_lazy("audit event", "signed"),
    EventKind.CLOSE: pgettext_lazy("audit event", "closed"),
    EventKind.DECIDE: pgettext_lazy("audit event", "decided"),
    EventKind.RELEASE: pgettext_lazy("audit event", "released"),
    EventKind.REJECT: pgettext_lazy("audit event", "rejected"),
    EventKind.WITHDRAW: pgettext_lazy("audit event", "consent withdrawn"),
    EventKind.ENROLL: pgettext_lazy("audit event", "enrolled"),
    EventKind.QUERY_OPEN: pgettext_lazy("audit event", "data query opened"),
    EventKind.QUERY_ANSWER: pgettext_lazy("audit event", "data query answered"),
    EventKind.QUERY_CLOSE: pgettext_lazy("audit event", "data query closed"),
    EventKind.QUERY_REOPEN: pgettext_lazy("audit event", "data query reopened"),
    EventKind.PRESCREEN: pgettext_lazy("audit event", "warehouse pre-screening"),
    EventKind.OOS_OPEN: pgettext_lazy("audit event", "out-of-specification opened"),
    EventKind.LOGIN: pgettext_lazy("audit event", "logged in"),
    EventKind.LOGIN_FAILED: pgettext_lazy("audit event", "failed login"),
    EventKind.LOGOUT: pgettext_lazy("audit event", "logged out"),
    EventKind.LOCKED: pgettext_lazy("audit event", "account locked"),
    EventKind.UNLOCK: pgettext_lazy("audit event", "account unlocked"),
    EventKind.PASSWORD_CHANGE: pgettext_lazy("audit event", "password changed"),
    EventKind.PASSWORD_RESET: pgettext_lazy("audit event", "password reset"),
    EventKind.REVOKE: pgettext_lazy("audit event", "revoked"),
    EventKind.EXPORT: pgettext_lazy("audit event", "audit trail exported"),
    EventKind.DATA_EXPORT: pgettext_lazy("audit event", "study data exported"),
}


def kind_label(action: str) -> str:
    """The kind in words; a text no member carries (never expected) is shown as stored."""
    label = LABELS.get(action)
    return action if label is None else str(label)
