"""The kinds of audit event: one enumeration, so that a trail can be filtered and read.

Every call of :func:`~stromalab.web.audit.actions.record_event` names one of these. The stored
value is the member's text (``EventKind.CLOSE`` is stored as ``"close"``); the record type
(``quality.OosRecord``, ``manufacturing.Deviation``, ...) says what was closed, so one verb serves
every app. Values already in trails are kept as they are: renaming one would orphan the
events written under the old text.
"""

from __future__ import annotations

from enum import StrEnum


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
