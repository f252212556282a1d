"""Turning an action's refusal into messages on the page, the same way in every app.

Actions refuse by raising (ValidationError, PermissionDenied, a signature error) and, being
atomic, leave nothing written; views show why. A wrong password on an e-signature also counts
toward the account's lockout, like a failed login.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.accounts.actions import SignatureError, record_login_failure


def error_messages(error: Exception) -> list[str]:
    """One line per problem, prefixed with the field at fault when the action named one."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [
            "; ".join(problems.messages) if field == "__all__" else f"{field}: {'; '.join(problems.messages)}"
            for field, problems in ((f, ValidationError(v)) for f, v in error.error_dict.items())
        ]
    return list(getattr(error, "messages", None) or [str(error)])


def report_refusal(request: Any, error: Exception) -> None:
    for line in error_messages(error):
        messages.error(request, line)


def run_action(request: Any, call: Callable[[], Any], success: str,
               refusals: tuple[type[Exception], ...] = ()) -> bool:
    """Call an action for the page; show ``success`` or why it was refused (True on success)."""
    try:
        call()
    except SignatureError as error:
        record_login_failure(user=request.user, channel="signature")
        report_refusal(request, error)
    except (ValidationError, PermissionDenied, *refusals) as error:
        report_refusal(request, error)
    else:
        messages.success(request, success)
        return True
    return False
