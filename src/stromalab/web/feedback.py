"""Turning an action's refusal into messages on the page, the same way in every app.

Actions refuse by raising a field-keyed :class:`~django.core.exceptions.ValidationError`
(``{"mass_g": "must be at least 1"}``), :class:`~django.core.exceptions.PermissionDenied` or a
signature error and, being atomic, leave nothing written; views show why through this module
only. A problem with a field the page's form shows is attached to that field, so it appears
next to it; any other problem becomes an error message at the top of the page, prefixed with
the field's human label (the form's label, else the action's ``labels``), never its internal
key. A wrong password on an e-signature also counts toward the account's lockout, like a
failed login: pages count it here, the API in its exception handler (``web/api.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from stromalab.web.accounts.actions import SignatureError, record_login_failure
from stromalab.web.accounts.models import User

if TYPE_CHECKING:  # django-stubs-ext is a development tool, not installed in production
    from django_stubs_ext import StrOrPromise


def field_label(field: str, form: BaseForm | None = None,
                labels: Mapping[str, StrOrPromise] | None = None) -> str:
    """The human label of ``field``: the form's, else ``labels``', else the key made readable."""
    bound = getattr(form, "fields", {}).get(field) if form is not None else None
    if bound is not None and bound.label:
        return str(bound.label)
    if labels and field in labels:
        return str(labels[field])
    return capfirst(field.replace("_", " "))


def field_problems(error: Exception) -> list[tuple[str, list[str]]]:
    """``(field, messages)`` pairs; ``"__all__"`` for problems not tied to a field."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [(field, ValidationError(problems).messages)
                for field, problems in error.error_dict.items()]
    return [("__all__", list(getattr(error, "messages", None) or [str(error)]))]


def labelled(label: str, problems: list[str]) -> str:
    """``Weight (kg): expected a number`` (French puts a space before the colon)."""
    return _("%(label)s: %(problems)s") % {"label": label, "problems": "; ".join(problems)}


def error_messages(error: Exception, form: BaseForm | None = None,
                   labels: Mapping[str, StrOrPromise] | None = None) -> list[str]:
    """One line per field at fault, prefixed with its human label."""
    return ["; ".join(problems) if field == "__all__"
            else labelled(field_label(field, form, labels), problems)
            for field, problems in field_problems(error)]


def report_refusal(request: HttpRequest, error: Exception, form: BaseForm | None = None,
                   labels: Mapping[str, StrOrPromise] | None = None) -> None:
    """Show why an action refused: beside the form's field where it has one, else on top."""
    if isinstance(error, SignatureError):
        # only a signed-in user signs: the page's user is a User, never anonymous, here
        record_login_failure(user=cast(User, request.user), channel="signature")
    for field, problems in field_problems(error):
        if form is not None and field in getattr(form, "fields", {}):
            for problem in problems:
                form.add_error(field, problem)
            messages.error(request, labelled(field_label(field, form, labels), problems))
        elif field == "__all__":
            for problem in problems:
                messages.error(request, problem)
        else:
            messages.error(request, labelled(field_label(field, form, labels), problems))


def run_action(request: HttpRequest, call: Callable[[], Any], success: str | None,
               refusals: tuple[type[Exception], ...] = (), form: BaseForm | None = None,
               labels: Mapping[str, StrOrPromise] | None = None) -> bool:
    """Call an action for the page; show ``success`` (if any) or why it was refused (True on
    success)."""
    refused: tuple[type[Exception], ...] = (ValidationError, PermissionDenied, *refusals)
    try:
        call()
    except refused as error:
        report_refusal(request, error, form, labels)
    else:
        if success is not None:
            messages.success(request, success)
        return True
    return False


def submit_form(request: HttpRequest, form: BaseForm, call: Callable[[dict[str, Any]], Any],
                success: str | None = None, refusals: tuple[type[Exception], ...] = (),
                labels: Mapping[str, StrOrPromise] | None = None) -> bool:
    """Validate a posted ``form`` and call the action with its cleaned data (see
    :func:`run_action`); an invalid form is shown as one error message (True on success)."""
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return False
    return run_action(request, lambda: call(form.cleaned_data), success, refusals, form, labels)
