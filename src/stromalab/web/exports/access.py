"""Who may take study data out of the system, as one check for the command line, pages and API.

An export carries every donor's pseudonymised clinical data and the audit trail: the people
who answer for the data as a whole (data manager) and those who review it (monitor) take it
out, nobody else (compliance.md, "People and what they may do"). The pages and API declare the
same roles with ``require_role``/``api_op``; :func:`check_exporter` is called again by
:func:`stromalab.web.exports.record.export`, whoever calls it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from stromalab.web.accounts import roles
from stromalab.web.accounts.models import User

EXPORTERS = (roles.DATA_MANAGER, roles.MONITOR)


def account_refusal(user: Any) -> str | None:
    """Why ``user``'s account may take nothing out (none, inactive, locked), or None. The list
    pages' tables (:mod:`.tables`) apply it with their page's roles instead of :data:`EXPORTERS`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "no such account"
    if not user.is_active:
        return f"account {user.username} is inactive"
    if getattr(user, "is_locked", False):
        return f"account {user.username} is locked"
    return None


def refusal(user: Any) -> str | None:
    """Why ``user`` may not export (one line), or None when they may."""
    if (reason := account_refusal(user)) is not None:
        return reason
    if user.role not in EXPORTERS:
        allowed = ", ".join(str(dict(roles.CHOICES)[r]) for r in EXPORTERS)
        return f"account {user.username} ({user.role}) may not export study data (allowed: {allowed})"
    return None


def check_exporter(user: Any) -> None:
    """Raise :class:`PermissionDenied` with the reason unless ``user`` may export."""
    reason = refusal(user)
    if reason is not None:
        raise PermissionDenied(reason)


def exporter_named(username: str) -> User:
    """The account ``username`` if it may export (command line); PermissionDenied otherwise."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise PermissionDenied(f"no account named {username!r}")
    check_exporter(user)
    return user
